/**
 * The code blocks of docs/epoch-metrics.md, type-checked and run as written (with `'gradstream'`
 * and `'gradstream/node'` pointing at src/), their printed output checked against the doc.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it, vi } from 'vitest';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');
const SCRATCH = join(ROOT, '.scratch-docs-epoch-metrics');
const doc = readFileSync(join(ROOT, 'docs/epoch-metrics.md'), 'utf8');
const blocks = [...doc.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);
const outputs = [...doc.matchAll(/```text\n([\s\S]*?)```/g)].map((m) => m[1]!.trimEnd());
const files = blocks.map((code, i) => {
  mkdirSync(SCRATCH, { recursive: true });
  const file = join(SCRATCH, `block${i}.ts`);
  writeFileSync(
    file,
    code
      .replaceAll("from 'gradstream/node'", `from '${join(ROOT, 'src/node.js')}'`)
      .replaceAll("from 'gradstream'", `from '${join(ROOT, 'src/index.js')}'`),
  );
  return file;
});

/** Runs a block and returns what it printed. */
async function run(i: number): Promise<string> {
  const lines: string[] = [];
  const spy = vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void lines.push(args.join(' ')));
  try {
    await import(pathToFileURL(files[i]!).href);
  } finally {
    spy.mockRestore();
  }
  return lines.join('\n');
}

describe('docs/epoch-metrics.md', () => {
  afterAll(() => rmSync(SCRATCH, { recursive: true, force: true }));

  it('has three code blocks that type-check', () => {
    expect(blocks.length).toBe(3);
    writeFileSync(join(SCRATCH, 'tsconfig.json'), JSON.stringify({ extends: '../tsconfig.json', include: ['*.ts'] }));
    const tsc = spawnSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '--noEmit', '-p', SCRATCH], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect(tsc.stdout + tsc.stderr).toBe('');
    expect(tsc.status).toBe(0);
  });

  it.each([0, 1, 2])('block %i prints what the doc shows', async (i) => {
    expect(await run(i)).toBe(outputs[i]);
  });
});
