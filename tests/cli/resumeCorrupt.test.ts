import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cli, EXAMPLES, tempDir } from './cliHarness.js';

type Json = Record<string, unknown>;
const xor = (): Json => ({ ...(JSON.parse(readFileSync(join(EXAMPLES, 'xor.json'), 'utf8')) as Json), log: undefined });

let base: string; // a folder with run.json and ck/last.json (adam, 5 steps)
let good: string;

beforeAll(async () => {
  base = tempDir();
  writeFileSync(join(base, 'run.json'), JSON.stringify(xor()));
  const r = await cli(['train', join(base, 'run.json'), '--quiet', '--max-steps', '5', '--checkpoint-dir', join(base, 'ck')]);
  expect(r.code).toBe(0);
  good = readFileSync(join(base, 'ck/last.json'), 'utf8');
});

/** Resumes from a copy of the good checkpoint changed by `edit`; the copy must be left as it was. */
async function resumeEdited(edit: (c: Json & { optState: [Json, Json] }) => void): Promise<{ code: number; err: string; file: string }> {
  const dir = tempDir();
  mkdirSync(join(dir, 'ck'));
  const c = JSON.parse(good) as Json & { optState: [Json, Json] };
  edit(c);
  const file = join(dir, 'ck/last.json');
  const text = JSON.stringify(c);
  writeFileSync(file, text);
  copyFileSync(join(base, 'run.json'), join(dir, 'run.json'));
  const r = await cli([
    'train',
    join(dir, 'run.json'),
    '--quiet',
    '--max-steps',
    '10',
    '--resume',
    join(dir, 'ck'),
    '--checkpoint-dir',
    join(dir, 'ck'),
  ]);
  if (r.code !== 0) expect(readFileSync(file, 'utf8')).toBe(text); // a refused file is left as it was
  return { code: r.code, err: r.err, file };
}

describe('gradstream train --resume refuses corrupt optimizer state (exit 2, file and field)', () => {
  it('resumes the good checkpoint', async () => {
    const r = await resumeEdited(() => undefined);
    expect([r.code, r.err]).toEqual([0, '']);
  });

  const cases: [string, (c: Json & { optState: [Json, Json] }) => void, string][] = [
    [
      'a NaN count',
      (c) => void (c.optState[0].count = 'NaN'),
      'checkpoint.optState[0].count: expected an update count (an integer ≥ 0), received NaN',
    ],
    [
      'a negative count',
      (c) => void (c.optState[0].count = -3),
      'checkpoint.optState[0].count: expected an update count (an integer ≥ 0), received -3',
    ],
    [
      'a fractional count',
      (c) => void (c.optState[1].count = 2.5),
      'checkpoint.optState[1].count: expected an update count (an integer ≥ 0), received 2.5',
    ],
    [
      'Infinity in mu',
      (c) => void ((c.optState[0].mu as { $f64: unknown[] }).$f64[3] = 'Infinity'),
      'checkpoint.optState[0].mu[3]: expected a finite number, received Infinity',
    ],
    [
      'NaN in nu',
      (c) => void ((c.optState[0].nu as { $f64: unknown[] }).$f64[0] = 'NaN'),
      'checkpoint.optState[0].nu[0]: expected a finite number ≥ 0, received NaN',
    ],
    [
      'a negative nu',
      (c) => void ((c.optState[0].nu as { $f64: unknown[] }).$f64[1] = -0.5),
      'checkpoint.optState[0].nu[1]: expected a finite number ≥ 0, received -0.5',
    ],
    [
      'mu of the wrong type',
      (c) => void (c.optState[0].mu = 5),
      'checkpoint.optState[0].mu: expected a Float64Array of 33 values, received 5',
    ],
    [
      'a short mu',
      (c) => void (c.optState[0].mu as { $f64: unknown[] }).$f64.pop(),
      'checkpoint.optState[0].mu: expected a Float64Array of 33 values, received a Float64Array of 32 values',
    ],
    [
      'a count of the wrong type',
      (c) => void (c.optState[0].count = true),
      'checkpoint.optState[0].count: expected a number, received true (a boolean)',
    ],
    [
      'another optimizer',
      (c) => void (c.optState = [{ trace: { $f64: [] } }] as never),
      'checkpoint.optState: expected an array of 2 states, received an array of 1 states',
    ],
  ];
  for (const [what, edit, message] of cases) {
    it(what, async () => {
      const r = await resumeEdited(edit);
      expect(r.code).toBe(2);
      expect(r.err).toBe(`gradstream train: ${r.file}: ${message}`);
    });
  }
});

describe('gradstream train --resume refuses a bad generator state or cursor (exit 2)', () => {
  it('rng.s all zero', async () => {
    const r = await resumeEdited((c) => void ((c.rng as { s: number[] }).s = [0, 0, 0, 0]));
    expect(r.code).toBe(2);
    expect(r.err).toBe(`gradstream train: ${r.file}: checkpoint.rng.s: expected 4 uint32 words, not all zero, received [0, 0, 0, 0]`);
  });

  it('rng.s out of range', async () => {
    const r = await resumeEdited((c) => void ((c.rng as { s: number[] }).s = [1, 2, 3, 2 ** 32]));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(new RegExp(`^gradstream train: ${r.file}: checkpoint\\.rng\\.s\\[3\\]: expected `));
  });

  it('a batchIndex past the epoch (inline data)', async () => {
    const r = await resumeEdited((c) => void (c.batchIndex = 999));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(
      new RegExp(`^gradstream train: ${r.file}: checkpoint\\.cursor: expected an epoch ≥ 0 and a batchIndex in \\[0, 1\\), received`),
    );
  });

  it('a batchIndex past the epoch (CSV data)', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'xor.csv'), 'a,b,y\n0,0,0\n0,1,1\n1,0,1\n1,1,0\n');
    const config = {
      ...xor(),
      data: { csv: 'xor.csv', features: ['a', 'b'], targets: ['y'] },
      training: { batchSize: 2, seed: 1, mode: 'sync' },
    };
    writeFileSync(join(dir, 'run.json'), JSON.stringify(config));
    expect((await cli(['train', join(dir, 'run.json'), '--quiet', '--max-steps', '3', '--checkpoint-dir', join(dir, 'ck')])).code).toBe(0);
    const file = join(dir, 'ck/last.json');
    const c = JSON.parse(readFileSync(file, 'utf8')) as Json;
    c.batchIndex = 50;
    const text = JSON.stringify(c);
    writeFileSync(file, text);
    const r = await cli([
      'train',
      join(dir, 'run.json'),
      '--quiet',
      '--max-steps',
      '6',
      '--resume',
      join(dir, 'ck'),
      '--checkpoint-dir',
      join(dir, 'ck'),
    ]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(
      new RegExp(`^gradstream train: ${file}: checkpoint\\.cursor: expected a batchIndex inside epoch 1 of .*xor\\.csv, received`),
    );
    expect(readFileSync(file, 'utf8')).toBe(text);
  });
});
