/** Every TypeScript block of docs/record-replay.md runs (against the sources) and prints what it says. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it, vi } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const text = readFileSync(join(root, 'docs/record-replay.md'), 'utf8');
const blocks = [...text.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);
const dir = mkdtempSync(join(tmpdir(), 'gradstream-docs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(i: number, count: number): Promise<string[]> {
  const file = join(dir, `block${i}.ts`);
  writeFileSync(file, blocks[i]!.replaceAll("from 'gradstream'", `from ${JSON.stringify(pathToFileURL(join(root, 'src/index.ts')).href)}`));
  const lines: string[] = [];
  const spy = vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void lines.push(args.map(String).join(' ')));
  try {
    await import(pathToFileURL(file).href);
    await vi.waitFor(() => expect(lines.length).toBeGreaterThanOrEqual(count), { timeout: 30_000, interval: 20 });
  } finally {
    spy.mockRestore();
  }
  return lines;
}

describe('docs/record-replay.md', () => {
  it('has its two examples', () => {
    expect(blocks).toHaveLength(2);
  });

  it('records a run with a live lr change', async () => {
    const [line] = await run(0, 1);
    expect(line).toMatch(/^trained 100 steps; log of \d+ events$/);
  });

  it('replays it: identical, and --until', async () => {
    const lines = await run(1, 2);
    expect(lines).toEqual(['true 41 true', '5']);
  });
});
