import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const GUIDE = join(ROOT, 'docs/export-import.md');

/** The guide's TypeScript code blocks, with `gradstream` imports pointed at the sources. */
function blocks(): string[] {
  const text = readFileSync(GUIDE, 'utf8');
  return [...text.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) =>
    m[1]!
      .replaceAll("from 'gradstream/node'", `from '${join(ROOT, 'src/node.ts')}'`)
      .replaceAll("from 'gradstream'", `from '${join(ROOT, 'src/index.ts')}'`),
  );
}

describe('docs/export-import.md', () => {
  const dir = join(ROOT, 'tests/docs', `.blocks-${process.pid}`);
  const work = mkdtempSync(join(tmpdir(), 'gradstream-docs-'));
  const cwd = process.cwd();
  afterAll(() => {
    process.chdir(cwd);
    rmSync(dir, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  });

  it('runs every code block, in order, in one folder', async () => {
    const code = blocks();
    expect(code.length).toBe(4);
    mkdirSync(dir, { recursive: true });
    process.chdir(work); // the blocks read and write files next to each other
    const logged: unknown[][] = [];
    const spy = vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void logged.push(args));
    try {
      for (let i = 0; i < code.length; i++) {
        const file = join(dir, `block${i}.ts`);
        writeFileSync(file, `${code[i]}\nexport {};\n`);
        await import(file);
      }
    } finally {
      spy.mockRestore();
    }
    // the ONNX block prints onnxruntime's outputs, then predict's: the same to float32 round-off
    const [ort, mine] = [logged[0]![0] as Float32Array, logged[1]![0] as Float64Array];
    for (let k = 0; k < mine.length; k++) expect(Math.abs(ort[k]! - mine[k]!)).toBeLessThanOrEqual(1e-6 * Math.abs(mine[k]!));
    const [tfOut, mine2] = [logged[2]![0] as Float32Array, logged[3]![0] as Float64Array];
    for (let k = 0; k < mine2.length; k++) expect(Math.abs(tfOut[k]! - mine2[k]!)).toBeLessThanOrEqual(1e-6);
    expect(logged[4]![0]).toEqual(['dense', 'tanh', 'dense']);
    expect(logged[6]![0]).toBeLessThan(0.05);
    expect((logged[7]![0] as Float64Array).length).toBe(3);
  });
});
