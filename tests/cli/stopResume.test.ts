import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run.js';
import { cli, tempDir } from './cliHarness.js';

// xor as CSV, JSON Lines and inline data: 4 rows, batches of 2 (two steps per epoch), no shuffle.
const ROWS = [
  [0, 0, 0],
  [0, 1, 1],
  [1, 0, 1],
  [1, 1, 0],
];
type DataKind = 'csv' | 'jsonl' | 'inline';
const DATA: Record<DataKind, (dir: string) => object> = {
  csv: (dir) => {
    writeFileSync(join(dir, 'xor.csv'), `a,b,y\n${ROWS.map((r) => r.join(',')).join('\n')}\n`);
    return { csv: 'xor.csv', features: ['a', 'b'], targets: ['y'] };
  },
  jsonl: (dir) => {
    writeFileSync(join(dir, 'xor.jsonl'), `${ROWS.map(([a, b, y]) => JSON.stringify({ a, b, y })).join('\n')}\n`);
    return { jsonl: 'xor.jsonl', features: ['a', 'b'], targets: ['y'] };
  },
  inline: () => ({ inputs: ROWS.map((r) => r.slice(0, 2)), targets: ROWS.map((r) => [r[2]]) }),
};

/** A config file of xor on `kind` data in a fresh folder. */
function config(kind: DataKind, training: object = {}): { dir: string; file: string } {
  const dir = tempDir();
  const file = join(dir, 'xor.json');
  const c = {
    model: { layers: [{ type: 'dense', inputs: 2, units: 4, init: 'glorotUniform' }, { type: 'tanh' }, { type: 'dense', units: 1 }] },
    loss: { type: 'binaryCrossEntropy', fromLogits: true },
    optimizer: { type: 'adam', lr: 0.05 },
    data: DATA[kind](dir),
    training: { epochs: 12, batchSize: 2, shuffle: false, seed: 3, mode: 'sync', ...training },
    log: { every: 1 },
  };
  writeFileSync(file, JSON.stringify(c));
  return { dir, file };
}

interface JsonRun {
  code: number;
  err: string;
  /** Loss by step, from the step lines. */
  losses: Map<number, number>;
  end: { reason: string; step: number; params: unknown } | undefined;
}

/** `train --json …args`, in process; with `abortAt`, aborts (as Ctrl-C) once step `abortAt` is out. */
async function trainJson(args: string[], abortAt?: number): Promise<JsonRun> {
  const interrupt = new AbortController();
  const losses = new Map<number, number>();
  const err: string[] = [];
  let end: JsonRun['end'];
  const code = await runCli(['train', '--json', ...args], {
    out: (line) => {
      const o = JSON.parse(line) as { type: string; step: number; loss: number; reason: string; params: unknown };
      if (o.type === 'step') losses.set(o.step, o.loss);
      else end = { reason: o.reason, step: o.step, params: o.params };
      if (o.step === abortAt) interrupt.abort();
    },
    err: (l) => err.push(l),
    version: '9.9.9',
    signal: interrupt.signal,
  });
  return { code, err: err.join('\n'), losses, end };
}

describe.each(['csv', 'jsonl', 'inline'] as const)('train: interrupted then resumed, %s data', (kind) => {
  // step 7 ends an epoch (the next read opens the file again), step 8 does not
  it.each([7, 8])('an abort after step %i resumes bit-identical to a run never interrupted', async (k) => {
    const { dir, file } = config(kind);
    const whole = await trainJson([file]);
    expect(whole.code).toBe(0);
    expect(whole.end?.step).toBe(24);

    const ck = join(dir, 'ck');
    const first = await trainJson([file, '--checkpoint-dir', ck], k);
    expect(first.code).toBe(130);
    expect(first.end?.reason).toBe('aborted');
    const second = await trainJson([file, '--resume', ck]);
    expect(second.code, second.err).toBe(0);
    expect(second.end?.step).toBe(24);
    expect(second.end?.params).toEqual(whole.end?.params);
    expect(second.losses.size).toBeGreaterThan(10);
    for (const [step, l] of second.losses) expect([step, l]).toEqual([step, whole.losses.get(step)]);
  });
});

describe('train: resuming a run that has ended', () => {
  const cases: [DataKind, object][] = [
    ['csv', {}],
    ['jsonl', {}],
    ['inline', {}],
    ['inline', { workers: 2 }],
  ];
  it.each(cases)('%s data %j: --max-steps 10 twice takes no step, exits 0 and changes nothing', async (kind, training) => {
    const { dir, file } = config(kind, training);
    const ck = join(dir, 'fin');
    const first = await cli(['train', file, '--quiet', '--checkpoint-dir', ck, '--max-steps', '10']);
    expect(first.code, first.err).toBe(0);
    const saved = readFileSync(join(ck, 'last.json'), 'utf8');
    const again = await cli(['train', file, '--checkpoint-dir', ck, '--resume', ck, '--max-steps', '10']);
    expect(again.code, again.err).toBe(0);
    expect(again.out).toMatch(/already ended: .*last\.json is the end of a run \(maxSteps at step 10\)/);
    expect(again.out).not.toMatch(/^step /m);
    expect(readFileSync(join(ck, 'last.json'), 'utf8')).toBe(saved);
    // a higher limit goes on from there
    const more = await cli(['train', file, '--quiet', '--resume', ck, '--max-steps', '12']);
    expect(more.code, more.err).toBe(0);
    expect(more.out).toMatch(/^maxSteps: step 12,/);
  });

  it.each(['csv', 'jsonl', 'inline'] as const)('%s data: a run that used up its data ends at once on resume', async (kind) => {
    const { dir, file } = config(kind);
    const ck = join(dir, 'fin');
    const first = await trainJson([file, '--checkpoint-dir', ck]);
    expect(first.end).toMatchObject({ reason: 'dataEnd', step: 24 });
    const saved = readFileSync(join(ck, 'last.json'), 'utf8');
    const again = await trainJson([file, '--checkpoint-dir', ck, '--resume', ck]);
    expect(again.code, again.err).toBe(0);
    expect(again.losses.size).toBe(0);
    expect(again.end).toEqual(first.end);
    expect(readFileSync(join(ck, 'last.json'), 'utf8')).toBe(saved);
  });
});

describe('train --resume: a checkpoint with an absurd step or epoch is refused', () => {
  it.each([
    ['step', 1e15],
    ['step', 2 ** 32],
    ['step', -1],
    ['step', 2.5],
    ['epoch', 1e15],
    ['epoch', 2 ** 32],
    ['epoch', -3],
    ['epoch', 0.5],
    ['batchIndex', 2 ** 40],
  ])('%s %d: exit 2 naming the file and the field', async (field, value) => {
    const { dir, file } = config('inline');
    const ck = join(dir, 'ck');
    expect((await cli(['train', file, '--quiet', '--checkpoint-dir', ck, '--max-steps', '3'])).code).toBe(0);
    const path = join(ck, 'last.json');
    const c = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
    c[field] = value;
    writeFileSync(path, JSON.stringify(c));
    const r = await cli(['train', file, '--quiet', '--resume', path]);
    expect(r.code).toBe(2);
    expect(r.err).toContain(path);
    expect(r.err).toContain(`checkpoint.${field}`);
  });
});
