/** Every TypeScript block of docs/precision-and-cores.md runs (against the sources) and prints what it says. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it, vi } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const text = readFileSync(join(root, 'docs/precision-and-cores.md'), 'utf8');
const blocks = [...text.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);
const dir = mkdtempSync(join(tmpdir(), 'gradstream-docs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs block `i` with 'gradstream' resolved to the sources; returns what it logged. */
async function run(i: number): Promise<string[]> {
  const file = join(dir, `block${i}.ts`);
  writeFileSync(file, blocks[i]!.replaceAll("from 'gradstream'", `from ${JSON.stringify(pathToFileURL(join(root, 'src/index.ts')).href)}`));
  const lines: string[] = [];
  const spy = vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void lines.push(args.map(String).join(' ')));
  try {
    await import(pathToFileURL(file).href);
    await vi.waitFor(() => expect(lines.length).toBeGreaterThan(0), { timeout: 30_000, interval: 20 });
  } finally {
    spy.mockRestore();
  }
  return lines;
}

describe('docs/precision-and-cores.md', () => {
  it('has its three examples and a config that the schema takes', async () => {
    expect(blocks).toHaveLength(3);
    const json = JSON.parse(/```json\n([\s\S]*?)```/.exec(text)![1]!) as unknown;
    const { TrainConfig } = await import('../../src/schemas/trainConfig.js');
    expect(TrainConfig.safeParse(json).success).toBe(true);
  });

  it('float32 on one thread learns the moons', async () => {
    const [line] = await run(0);
    const [, precision, loss] = /^weights in (\w+), loss after \d+ steps: ([\d.]+)$/.exec(line!)!;
    expect(precision).toBe('float32');
    expect(Number(loss)).toBeLessThan(0.2);
  });

  it('float32 with two workers and standardized inputs learns the rule', async () => {
    const [line] = await run(1);
    const [, precision, loss] = /^(\w+) weights, loss after \d+ steps: ([\d.]+)$/.exec(line!)!;
    expect(precision).toBe('float32');
    expect(Number(loss)).toBeLessThan(0.2);
  }, 60_000);

  it('a large Float64Array gives its first batch', async () => {
    expect(await run(2)).toEqual(['first batch: 64 rows of 784 inputs']);
  });
});
