import { execFileSync } from 'node:child_process';
import { closeSync, openSync, readFileSync, symlinkSync, writeFileSync, ftruncateSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { cli, EXAMPLES, tempDir } from './cliHarness.js';

type Json = Record<string, unknown>;
const seed = (): Json => JSON.parse(readFileSync(join(EXAMPLES, 'seed.json'), 'utf8')) as Json;
const deepArray = (n: number): string => `${'['.repeat(n)}${']'.repeat(n)}`;
const deepObject = (n: number): string => `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`;

/** Writes `text` as `name` in a fresh folder and runs `train` on it. */
async function trainText(name: string, text: string, ...flags: string[]): Promise<{ code: number; err: string; file: string }> {
  const file = join(tempDir(), name);
  writeFileSync(file, text);
  const r = await cli(['train', file, '--quiet', ...flags]);
  return { code: r.code, err: r.err, file };
}

describe('hostile configs: exit 2 with the file named', () => {
  it('refuses nesting 50,000 deep (JSON objects, JSON arrays, YAML)', async () => {
    const a = await trainText('a.json', `{"model": ${deepObject(50_000)}}`);
    expect([a.code, a.err]).toEqual([
      2,
      `gradstream train: ${a.file}: model: expected at most 64 levels of nested arrays and objects, received deeper nesting`,
    ]);
    const b = await trainText('b.json', JSON.stringify({ ...seed(), $schema: 'x' }).replace('"x"', deepArray(50_000)));
    expect([b.code, b.err]).toEqual([
      2,
      `gradstream train: ${b.file}: $schema: expected at most 64 levels of nested arrays and objects, received deeper nesting`,
    ]);
    const c = await trainText('c.yaml', `model:\n  layers: ${deepArray(50_000)}\n`);
    expect([c.code, c.err]).toEqual([
      2,
      `gradstream train: ${c.file}: expected YAML nested at most 64 levels deep, received deeper nesting`,
    ]);
  });

  it('refuses a YAML alias bomb', async () => {
    let text = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n';
    let prev = 'a';
    for (const c of 'bcdefghi') {
      text += `${c}: &${c} [${Array.from({ length: 9 }, () => `*${prev}`).join(',')}]\n`;
      prev = c;
    }
    const r = await trainText('bomb.yaml', text);
    expect([r.code, r.err]).toEqual([
      2,
      `gradstream train: ${r.file}: expected YAML with at most 100 alias references, received more (an alias bomb expands a few lines to gigabytes)`,
    ]);
  });

  it('refuses absurd layer sizes with the bound', async () => {
    const model = (units: number, inputs = 4) => JSON.stringify({ ...seed(), model: { layers: [{ type: 'dense', inputs, units }] } });
    const a = await trainText('a.json', model(1e9));
    expect([a.code, a.err]).toEqual([
      2,
      `gradstream train: ${a.file}: model.layers[0].units: expected at most 1,000,000 (the widest layer gradstream builds), received 1000000000`,
    ]);
    const b = await trainText('b.json', model(20_000, 20_000));
    expect([b.code, b.err]).toEqual([
      2,
      `gradstream train: ${b.file}: model.layers[0].units: expected a model of at most 134,217,728 parameters (1 GiB as float64), received 400,020,000 up to this layer`,
    ]);
  });

  it('refuses a batch size whose buffers could not be allocated', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'd.csv'), 'a,b,y\n0,0,0\n0,1,1\n');
    const config = (batchSize: number) =>
      JSON.stringify({
        ...seed(),
        model: { layers: [{ type: 'dense', inputs: 2, units: 1 }] },
        data: { csv: join(dir, 'd.csv'), features: ['a', 'b'], targets: ['y'] },
        training: { batchSize, maxSteps: 1 },
      });
    const a = await trainText('a.json', config(1e9));
    expect([a.code, a.err]).toEqual([
      2,
      `gradstream train: ${a.file}: training.batchSize: expected at most 16,777,216 rows, received 1000000000`,
    ]);
    const b = await trainText('b.json', config(16_777_216));
    expect([b.code, b.err]).toEqual([
      2,
      `gradstream train: ${b.file}: training.batchSize: expected at most 14,913,080 rows of 3 columns (134,217,728 buffered numbers), received 16777216`,
    ]);
  });

  it('never echoes the content of what the path points to', async () => {
    const a = await trainText('a.json', 'SECRET=hunter2\n');
    expect([a.code, a.err]).toEqual([2, `gradstream train: ${a.file}: expected JSON, received invalid JSON (unexpected character)`]);
    const b = await trainText('b', 'SECRET=hunter2\n');
    expect([b.code, b.err]).toEqual([
      2,
      `gradstream train: ${b.file}: expected a training config (a JSON or YAML object), received a string`,
    ]);
    const c = await trainText('c.json', '{"model": {"layers": [SECRET]}}');
    expect([c.code, c.err]).toEqual([2, `gradstream train: ${c.file}: expected JSON, received invalid JSON (unexpected character)`]);
    expect(c.err).not.toContain('SECRET');
    const w = join(tempDir(), 'w.json');
    writeFileSync(w, 'SECRET=hunter2\n');
    const printed = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      const r = await cli(['worker', w, '--redis', 'redis://127.0.0.1:1']);
      expect(r.code).toBe(2);
      expect(printed.mock.calls.map((c) => String(c[0]))).toEqual([`gradstream: ${w}: invalid JSON (unexpected character)`]);
    } finally {
      printed.mockRestore();
    }
  });

  it('refuses a config path that is a FIFO or a device, without reading it', async () => {
    const dir = tempDir();
    const fifo = join(dir, 'fifo.json');
    execFileSync('mkfifo', [fifo]);
    const a = await cli(['train', fifo, '--quiet']);
    expect([a.code, a.err]).toEqual([
      2,
      `gradstream train: ${fifo}: expected a config file (a regular file), received a FIFO (named pipe)`,
    ]);
    const zero = join(dir, 'zero.json');
    symlinkSync('/dev/zero', zero);
    const b = await cli(['train', zero, '--quiet']);
    expect([b.code, b.err]).toEqual([2, `gradstream train: ${zero}: expected a config file (a regular file), received a character device`]);
    const p = await cli(['plot', fifo, '--out', join(dir, 'x.svg')]);
    expect([p.code, p.err]).toEqual([2, `gradstream plot: ${fifo}: expected a log file (a regular file), received a FIFO (named pipe)`]);
    const i = await cli(['info', zero]);
    expect([i.code, i.err]).toEqual([
      2,
      `gradstream info: ${zero}: expected a checkpoint file (a regular file), received a character device`,
    ]);
  });
});

describe('hostile checkpoints: exit 2 with the file named', () => {
  let dir: string;
  let good: Json;
  beforeAll(async () => {
    dir = tempDir();
    writeFileSync(join(dir, 'run.json'), JSON.stringify(seed()));
    expect((await cli(['train', join(dir, 'run.json'), '--quiet', '--max-steps', '2', '--checkpoint-dir', join(dir, 'ck')])).code).toBe(0);
    good = JSON.parse(readFileSync(join(dir, 'ck/last.json'), 'utf8')) as Json;
  });
  const resume = (ckpt: string) => cli(['train', join(dir, 'run.json'), '--quiet', '--max-steps', '4', '--resume', ckpt]);

  it('refuses nesting 50,000 deep in config, scaler, state or optState (train --resume, info, eval)', async () => {
    for (const [key, deep] of [
      ['config', deepArray(50_000)],
      ['scaler', deepObject(50_000)],
      ['optState', deepArray(50_000)],
      ['state', `{"x": ${deepArray(50_000)}}`],
    ] as const) {
      const file = join(dir, `deep-${key}.json`);
      writeFileSync(file, JSON.stringify({ ...good, [key]: 'HERE' }).replace('"HERE"', deep));
      const message = `${file}: checkpoint.${key}: expected at most 64 levels of nested arrays and objects, received deeper nesting`;
      const r = await resume(file);
      expect([r.code, r.err]).toEqual([2, `gradstream train: ${message}`]);
      const i = await cli(['info', file]);
      expect([i.code, i.err]).toEqual([2, `gradstream info: ${message}`]);
    }
  });

  it('refuses a FIFO, a link to /dev/zero and a file over 256 MiB at once', async () => {
    const fifo = join(dir, 'fifo.json');
    execFileSync('mkfifo', [fifo]);
    const a = await resume(fifo);
    expect([a.code, a.err]).toEqual([
      2,
      `gradstream train: ${fifo}: expected a checkpoint file (a regular file), received a FIFO (named pipe)`,
    ]);
    const zero = join(dir, 'zero.json');
    symlinkSync('/dev/zero', zero);
    const b = await resume(zero);
    expect([b.code, b.err]).toEqual([
      2,
      `gradstream train: ${zero}: expected a checkpoint file (a regular file), received a character device`,
    ]);
    const huge = join(dir, 'huge.json');
    const fd = openSync(huge, 'w');
    ftruncateSync(fd, 256 * 1024 * 1024 + 1); // sparse: no disk space used
    closeSync(fd);
    const c = await resume(huge);
    expect([c.code, c.err]).toEqual([
      2,
      `gradstream train: ${huge}: expected a checkpoint file of at most 256 MiB, received 268,435,457 bytes`,
    ]);
    const p = await cli(['predict', zero, join(dir, 'run.json')]);
    expect(p.code).toBe(2);
  });

  it('says where a checkpoint is not JSON, without quoting it', async () => {
    const file = join(dir, 'secret.json');
    writeFileSync(file, 'SECRET=hunter2');
    const r = await resume(file);
    expect([r.code, r.err]).toEqual([
      2,
      `gradstream train: ${file}: expected a JSON checkpoint file, received invalid JSON (unexpected character)`,
    ]);
  });
});
