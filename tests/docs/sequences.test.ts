/** Every TypeScript block of docs/sequences.md runs (against the sources) and prints what it says. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it, vi } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const text = readFileSync(join(root, 'docs/sequences.md'), 'utf8');
const blocks = [...text.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);
const dir = mkdtempSync(join(tmpdir(), 'gradstream-docs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs block `i` with 'gradstream' resolved to the sources; returns what it logged once `done` says so. */
async function run(i: number, done: (lines: string[]) => boolean = () => true): Promise<string[]> {
  const file = join(dir, `block${i}.ts`);
  writeFileSync(file, blocks[i]!.replaceAll("from 'gradstream'", `from ${JSON.stringify(pathToFileURL(join(root, 'src/index.ts')).href)}`));
  const lines: string[] = [];
  const spy = vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void lines.push(args.map(String).join(' ')));
  try {
    await import(pathToFileURL(file).href);
    await vi.waitFor(() => expect(done(lines)).toBe(true), { timeout: 30_000, interval: 20 });
  } finally {
    spy.mockRestore();
  }
  return lines;
}

describe('docs/sequences.md', () => {
  it('has its four examples', () => {
    expect(blocks).toHaveLength(4);
  });

  it('a GRU continues a sine wave', async () => {
    const lines = await run(0);
    expect(lines[0]).toContain('gru(12→16)');
    const [, predicted, truth] = /next value: (-?[\d.]+) \(true: (-?[\d.]+)\)/.exec(lines.at(-1)!)!;
    expect(Math.abs(Number(predicted) - Number(truth))).toBeLessThan(0.1);
  });

  it('an embedding and an LSTM learn whether a token occurs', async () => {
    const lines = await run(1);
    expect(Number(/cross-entropy after \d+ steps: ([\d.]+)/.exec(lines[0]!)![1])).toBeLessThan(0.3);
  });

  it('a config infers the recurrent layers’ shapes', async () => {
    const lines = await run(2);
    expect(lines[1]).toBe('{"type":"lstm","units":32,"timesteps":20,"features":16,"returnSequences":true}');
    const p = lines[2]!.split(',').map(Number);
    expect(p[0]! + p[1]!).toBeCloseTo(1, 6);
  });

  it('a GRU over windows of a stream beats persistence', async () => {
    const lines = await run(3, (l) => l.length >= 1);
    const [, windows, gruMae, persistence] = /^(\d+) windows\. MAE: GRU ([\d.]+) \(last 200\), persistence ([\d.]+) \(all\)$/.exec(
      lines[0]!,
    )!;
    expect(Number(windows)).toBe(1476);
    expect(Number(gruMae)).toBeLessThan(0.8 * Number(persistence));
  });
});
