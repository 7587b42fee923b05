/**
 * The code blocks of docs/convolution.md, type-checked and run as written (with `'gradstream'`
 * pointing at src/), their printed output checked.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it, vi } from 'vitest';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');
const SCRATCH = join(ROOT, '.scratch-docs-convolution');
const blocks = [...readFileSync(join(ROOT, 'docs/convolution.md'), 'utf8').matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);
const files = blocks.map((code, i) => {
  mkdirSync(SCRATCH, { recursive: true });
  const file = join(SCRATCH, `block${i}.ts`);
  writeFileSync(file, code.replaceAll("from 'gradstream'", `from '${join(ROOT, 'src/index.js')}'`));
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

describe('docs/convolution.md', () => {
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

  it('a convnet: prints the summary shown', async () => {
    const out = await run(0);
    expect(out).toContain('1  conv2d(8×8×1→8×8×16)      [batch, 8, 8, 16]  160     1.W [3, 3, 1, 16], 1.b [16]');
    expect(out).toContain('total: 6090 parameters; input [batch, 64] → output [batch, 10]');
    expect(out.split('\n').at(-1)).toBe('10');
  });

  it('training on the digits: 98.6 % held out', async () => {
    const out = await run(1);
    const acc = Number(/held-out accuracy: ([\d.]+) %/.exec(out)![1]);
    expect(acc).toBe(98.6);
  });

  it('the model as config: prints the lines shown', async () => {
    const out = await run(2);
    expect(out).toBe(
      'total: 5130 parameters, float32; input [batch, 64] → output [batch, 10]\n{"type":"conv2d","inputShape":[8,8,1],"filters":16,"kernelSize":3,"padding":"same"}',
    );
  });
});
