/**
 * The code block of docs/entry-points.md, type-checked and run as written (with
 * `'gradstream/kernels'` pointing at src/), its printed output checked against the doc.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it, vi } from 'vitest';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');
const SCRATCH = join(ROOT, '.scratch-docs-entry-points');
const doc = readFileSync(join(ROOT, 'docs/entry-points.md'), 'utf8');
const blocks = [...doc.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);
const printed = [...doc.matchAll(/prints\n\n```\n([\s\S]*?)```/g)].map((m) => m[1]!.trimEnd());

describe('docs/entry-points.md', () => {
  afterAll(() => rmSync(SCRATCH, { recursive: true, force: true }));

  it('has one code block that type-checks and prints what the doc shows', async () => {
    expect(blocks.length).toBe(1);
    mkdirSync(SCRATCH, { recursive: true });
    const file = join(SCRATCH, 'block0.ts');
    writeFileSync(file, blocks[0]!.replaceAll("from 'gradstream/kernels'", `from '${join(ROOT, 'src/kernels.js')}'`));
    writeFileSync(join(SCRATCH, 'tsconfig.json'), JSON.stringify({ extends: '../tsconfig.json', include: ['*.ts'] }));
    const tsc = spawnSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '--noEmit', '-p', SCRATCH], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect(tsc.stdout + tsc.stderr).toBe('');
    expect(tsc.status).toBe(0);
    const lines: string[] = [];
    const spy = vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void lines.push(args.join(' ')));
    try {
      await import(pathToFileURL(file).href);
    } finally {
      spy.mockRestore();
    }
    expect(lines.join('\n')).toBe(printed[0]);
  });
});
