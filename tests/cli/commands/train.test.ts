import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, EXAMPLES, tempDir } from '../cliHarness.js';

const SEED_LOSSES = [
  16.740979677499997, 12.095357816993747, 8.738896022777983, 6.313852376457095, 4.56175834199025, 3.2958704020879557, 2.381266365508548,
];
const W0 = [
  -0.2416, -0.2497, -0.3932, 0.2935, -0.0396, 0.1421, -0.4436, 0.1714, -0.3519, 0.4072, -0.0721, -0.1659, 0.2055, -0.033, -0.2145, 0.1987,
];
const seed = (): Record<string, unknown> => JSON.parse(readFileSync(join(EXAMPLES, 'seed.json'), 'utf8')) as Record<string, unknown>;

interface Line {
  type: string;
  step: number;
  epoch: number;
  loss: number | null;
  lr: number;
  reason?: string;
  valLoss?: number;
  metrics?: Record<string, number>;
  params?: Record<string, { shape: number[]; values: number[] }>;
}

/** Writes `config` to a temporary file and runs `train` on it with `--json`. */
async function trainJson(config: unknown, ...flags: string[]): Promise<{ code: number; lines: Line[]; err: string; file: string }> {
  const file = join(tempDir(), 'run.json');
  writeFileSync(file, JSON.stringify(config));
  const r = await cli(['train', file, '--json', ...flags]);
  return { code: r.code, lines: r.out === '' ? [] : r.out.split('\n').map((l) => JSON.parse(l) as Line), err: r.err, file };
}

const end = (lines: Line[]): Line => lines[lines.length - 1]!;
const firstBelow = (lines: Line[], threshold: number): number => lines.find((l) => l.type === 'step' && l.loss! < threshold)!.step;

describe('gradstream train --json: the lesson (examples/seed.json)', () => {
  it('reproduces the lesson: losses of steps 0–6, stop on step 6 with reason threshold', async () => {
    const r = await cli(['train', join(EXAMPLES, 'seed.json'), '--json']);
    expect(r.code).toBe(0);
    expect(r.err).toBe('');
    const lines = r.out.split('\n');
    expect(lines).toHaveLength(8);
    SEED_LOSSES.forEach((loss, step) =>
      expect(lines[step]).toBe(`{"type":"step","step":${step},"epoch":${step},"loss":${loss},"lr":0.01}`),
    );
    expect(lines[7]).toMatch(
      /^\{"type":"end","reason":"threshold","step":6,"loss":2\.381266365508548,"params":\{"0\.W":\{"shape":\[4,4\],"values":\[/,
    );
    const e = JSON.parse(lines[7]!) as Line;
    expect(e.params!['0.W']!.values).toHaveLength(16);
    expect(Object.keys(e.params!)).toEqual(['0.W']);
  });

  it('reproduces the prediction and the true gradient of the lesson', async () => {
    const x = [1, 2, 3, 4];
    const t = [2, 3, 4, 5];
    const at0 = end((await trainJson(seed(), '--max-steps', '0')).lines);
    expect(at0).toMatchObject({ reason: 'maxSteps', step: 0, loss: 16.740979677499997 });
    const W = at0.params!['0.W']!.values;
    expect(W).toEqual(W0);
    const pred = [0, 1, 2, 3].map((j) => x.reduce((s, xi, i) => s + xi * W[i * 4 + j]!, 0));
    [-0.5545, 1.1241, -2.3547, 0.9334].forEach((p, j) => expect(pred[j]).toBeCloseTo(p, 12));
    expect(Math.abs(pred.reduce((a, b) => a + b) - -0.8517)).toBeLessThan(1e-12);
    expect(pred.reduce((s, p, j) => s + (p - t[j]!) ** 2, 0) / 4).toBeCloseTo(16.740979677499997, 12);
    // one update of lr 0.01: W1 = W0 − 0.01 · dL/dW
    const W1 = end((await trainJson(seed(), '--max-steps', '1')).lines).params!['0.W']!.values;
    const grad = W0.map((w, i) => (w - W1[i]!) / 0.01);
    const expected = [
      -1.27725, -0.93795, -3.17735, -2.0333, -2.5545, -1.8759, -6.3547, -4.0666, -3.83175, -2.81385, -9.53205, -6.0999, -5.109, -3.7518,
      -12.7094, -8.1332,
    ];
    grad.forEach((g, i) => expect(Math.abs(g - expected[i]!)).toBeLessThan(1e-12));
  });

  it('reproduces the trajectories of other learning rates and optimizers', async () => {
    const base = seed();
    // below 1e-9 after 73 updates
    const tiny = await trainJson({ ...base, stop: { lossBelow: 1e-9 } });
    expect(end(tiny.lines)).toMatchObject({ reason: 'threshold', step: 73 });
    // learning rate 0.05: one update brings the loss to 1.0463112298437502
    const fast = await trainJson({ ...base, optimizer: { type: 'sgd', lr: 0.05 } });
    expect(fast.lines[1]).toEqual({ type: 'step', step: 1, epoch: 1, loss: 1.0463112298437502, lr: 0.05 });
    // Adam (lr 0.1): 16.74098, 10.31513, 5.93279, 3.346632, 2.00143 — below 2.96 after 4 updates
    const adam = await trainJson({ ...base, optimizer: { type: 'adam', lr: 0.1, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 } });
    [16.74098, 10.31513, 5.93279, 3.346632, 2.00143].forEach((l, i) => expect(adam.lines[i]!.loss).toBeCloseTo(l, 5));
    expect(end(adam.lines)).toMatchObject({ reason: 'threshold', step: 4 });
    // RMSprop (lr 0.01, rho 0.9): 16.74098, 14.49272, 13.048089, 11.940943 — below 2.96 after 26 updates
    const rms = await trainJson({ ...base, optimizer: { type: 'rmsprop', lr: 0.01, rho: 0.9, epsilon: 1e-7, momentum: 0 } });
    [16.74098, 14.49272, 13.048089, 11.940943].forEach((l, i) => expect(rms.lines[i]!.loss).toBeCloseTo(l, 5));
    expect(end(rms.lines)).toMatchObject({ reason: 'threshold', step: 26 });
    expect(firstBelow(rms.lines, 2.96)).toBe(26);
  });
});

describe('gradstream train: output', () => {
  it('prints progress, a summary and a loss curve', async () => {
    const r = await cli(['train', join(EXAMPLES, 'seed.json')]);
    expect(r.code).toBe(0);
    const lines = r.out.split('\n');
    expect(lines.slice(0, 7)).toEqual(SEED_LOSSES.map((l, s) => `step ${s}  epoch ${s}  loss ${l}${s === 6 ? '  stop: threshold' : ''}`));
    expect(lines[7]).toBe('');
    expect(lines[8]).toBe('stopped   threshold (loss below 2.96)');
    expect(lines[9]).toMatch(/^step {6}6 \(6 updates in \d+ ms, [\d.]+( k| M)? steps\/s\)$/);
    expect(lines[10]).toBe('loss      2.381266365508548');
    expect(lines[12]).toMatch(/^ {2}16\.74 ┤⠙/);
    expect(lines.at(-1)).toMatch(/^ +step 0 +6$/);
  });

  it('prints one line with --quiet, and logs every n-th step', async () => {
    const file = join(tempDir(), 'q.json');
    writeFileSync(file, JSON.stringify({ ...seed(), log: { every: 4 } }));
    expect(await cli(['train', file, '--quiet'])).toEqual({ code: 0, out: 'threshold: step 6, loss 2.381266365508548', err: '' });
    const r = await cli(['train', file]);
    expect(r.out.split('\n').slice(0, 3)).toEqual([
      'step 0  epoch 0  loss 16.740979677499997',
      'step 4  epoch 4  loss 4.56175834199025',
      'step 6  epoch 6  loss 2.381266365508548  stop: threshold',
    ]);
  });

  it('overrides maxSteps and the seed from the command line', async () => {
    const r = await trainJson({ ...seed(), stop: {} }, '--max-steps', '3');
    expect(r.lines.map((l) => l.step)).toEqual([0, 1, 2, 3, 3]);
    expect(end(r.lines)).toMatchObject({ reason: 'maxSteps', step: 3, loss: SEED_LOSSES[3] });
    const mlp = {
      model: { layers: [{ type: 'dense', inputs: 2, units: 3 }, { type: 'relu' }, { type: 'dense', units: 1 }] },
      loss: 'mse',
      optimizer: { type: 'sgd', lr: 0.1 },
      data: {
        inputs: [
          [0, 1],
          [1, 0],
        ],
        targets: [[1], [0]],
      },
      training: { maxSteps: 2, mode: 'sync' },
    };
    const a = end((await trainJson(mlp, '--seed', '1')).lines);
    const b = end((await trainJson(mlp, '--seed', '1')).lines);
    const c = end((await trainJson(mlp, '--seed', '2')).lines);
    expect(a.params).toEqual(b.params);
    expect(a.params).not.toEqual(c.params);
    expect(Object.keys(a.params!)).toEqual(['0.W', '0.b', '2.W', '2.b']);
    expect(a.params!['0.W']!.shape).toEqual([2, 3]);
  });

  it('ends with "diverged" within one step of a non-finite loss', async () => {
    const r = await trainJson({ ...seed(), optimizer: { type: 'sgd', lr: 1e300 }, stop: {} });
    expect(r.code).toBe(0);
    const e = end(r.lines);
    expect(e.reason).toBe('diverged');
    expect(e.step).toBeLessThanOrEqual(3);
    expect(r.lines.at(-2)!.loss).toBeNull(); // JSON has no NaN/Infinity: null
    const above = await trainJson({ ...seed(), optimizer: { type: 'sgd', lr: 1 }, stop: { divergence: 1000 } });
    expect(end(above.lines)).toMatchObject({ reason: 'diverged', step: 1 });
  });

  it('reports accuracy, validation loss and valAccuracy for a classifier', async () => {
    // two separable blobs, 40 rows; 25 % held out (seeded)
    const inputs: number[][] = [];
    const targets: number[][] = [];
    for (let i = 0; i < 40; i++) {
      const c = i % 2;
      inputs.push([c * 2 - 1 + 0.3 * Math.sin(i), c * 2 - 1 + 0.3 * Math.cos(i * 1.7)]);
      targets.push([c]);
    }
    const config = {
      model: { layers: [{ type: 'dense', inputs: 2, units: 4, init: 'glorotUniform' }, { type: 'tanh' }, { type: 'dense', units: 2 }] },
      loss: 'softmaxCrossEntropy',
      optimizer: { type: 'adam', lr: 0.05 },
      data: { inputs, targets },
      validation: { split: 0.25 },
      training: { batchSize: 8, epochs: 20, seed: 3, mode: 'sync' },
      log: { every: 10 },
    };
    const r = await trainJson(config);
    expect(r.code).toBe(0);
    const e = end(r.lines);
    expect(e.reason).toBe('dataEnd');
    expect(e.step).toBe(20 * 4); // 30 training rows in batches of 8: 4 steps an epoch; the final record (80 updates) is not updated
    expect(e.metrics).toEqual({ accuracy: 1, valAccuracy: 1 });
    expect(e.valLoss).toBeLessThan(0.3);
    const steps = r.lines.filter((l) => l.type === 'step');
    // validation every 10 steps (log.every); the epoch ends between carry the epoch mean instead
    expect(steps.filter((l) => l.step % 10 === 0).every((l) => typeof l.valLoss === 'number')).toBe(true);
    expect(steps.map((l) => l.step).slice(0, 4)).toEqual([0, 3, 10, 11]);
    // the batch's accuracy and the validation part's, on every 10th step
    expect(Object.keys(steps[2]!.metrics!)).toEqual(['accuracy', 'valAccuracy']);
    const text = await cli(['train', r.file]);
    expect(text.out).toMatch(/\naccuracy {2}1\.0000 \(validation 1\.0000\)\n/);
    expect(text.out).toMatch(/\nval loss {2}0\.\d+\n/);
  });
});

describe('gradstream train: checkpoints, Ctrl-C and --resume', () => {
  const regression = {
    model: { layers: [{ type: 'dense', inputs: 3, units: 6, init: 'heUniform' }, { type: 'tanh' }, { type: 'dense', units: 2 }] },
    loss: { type: 'huber', delta: 1 },
    optimizer: { type: 'adam', lr: { type: 'cosineDecay', lr: 0.01, decaySteps: 3000, warmupSteps: 10 } },
    data: {
      inputs: [
        [0, 0, 1],
        [0, 1, 0],
        [1, 0, 0],
        [1, 1, 0],
        [0, 1, 1],
        [1, 0, 1],
        [1, 1, 1],
        [0, 0, 0],
      ],
      targets: [
        [1, 0],
        [0, 1],
        [1, 1],
        [0, 0],
        [1, 2],
        [2, 1],
        [3, 3],
        [0, 1],
      ],
    },
    training: { batchSize: 3, shuffle: true, seed: 5, maxSteps: 3000 },
    log: { every: 100 },
  };

  it('stops cleanly on abort (exit 130, checkpoint written) and resumes bit-identically', async () => {
    const dir = tempDir();
    const file = join(dir, 'reg.json');
    writeFileSync(file, JSON.stringify(regression));
    const whole = await cli(['train', file, '--json']);
    expect(whole.code).toBe(0);
    // the same run, interrupted after the first logged step past 200
    const controller = new AbortController();
    const out: string[] = [];
    const { runCli } = await import('../../../src/cli/run.js');
    const code = await runCli(['train', file, '--json', '--checkpoint-dir', join(dir, 'ck')], {
      out: (l) => {
        out.push(l);
        if (l.includes('"step":200,')) controller.abort();
      },
      err: () => {},
      version: '0',
      signal: controller.signal,
    });
    expect(code).toBe(130);
    const stopped = JSON.parse(out.at(-1)!) as Line;
    expect(stopped.reason).toBe('aborted');
    expect(stopped.step).toBeGreaterThanOrEqual(200);
    expect(stopped.step).toBeLessThan(3000);
    expect(existsSync(join(dir, 'ck/last.json'))).toBe(true);
    const resumed = await cli(['train', file, '--json', '--resume', join(dir, 'ck/last.json')]);
    expect(resumed.code).toBe(0);
    // every line after the interruption is the uninterrupted run's, to the last bit
    const wholeLines = whole.out.split('\n');
    const resumedLines = resumed.out.split('\n');
    expect(resumedLines.at(-1)).toBe(wholeLines.at(-1));
    expect(wholeLines.slice(-resumedLines.length)).toEqual(resumedLines);
    expect(JSON.parse(resumedLines.at(-1)!)).toMatchObject({ reason: 'maxSteps', step: 3000 });
  });

  it('refuses a checkpoint of another model (exit 2), and a missing one', async () => {
    const dir = tempDir();
    const file = join(dir, 'seed.json');
    writeFileSync(file, JSON.stringify(seed()));
    expect((await cli(['train', file, '--checkpoint-dir', join(dir, 'ck'), '--quiet'])).code).toBe(0);
    const other = join(dir, 'other.json');
    writeFileSync(other, JSON.stringify(regression));
    const r = await cli(['train', other, '--resume', join(dir, 'ck/last.json')]);
    expect(r.code).toBe(2);
    expect(r.err.startsWith(`gradstream train: ${join(dir, 'ck/last.json')}: checkpoint.params`)).toBe(true);
    expect(r.err).toMatch(/expected .*3, 6.*, received .*4, 4/);
    const none = await cli(['train', other, '--resume', join(dir, 'nope.json')]);
    expect(none.code).toBe(2);
    expect(none.err).toMatch(/nope\.json: .*no such file/);
  });
});

describe('gradstream train: bad input', () => {
  it('names the file, the field and what was expected (exit 2)', async () => {
    const bad = async (config: unknown) => {
      const r = await trainJson(config);
      expect(r.code).toBe(2);
      expect(r.lines).toEqual([]);
      expect(r.err.split('\n')).toHaveLength(1);
      return r.err.replace(r.file, 'FILE');
    };
    expect(await bad({ ...seed(), training: { batchSize: '32' } })).toBe(
      'gradstream train: FILE: training.batchSize: expected number, received "32"',
    );
    expect(await bad({ ...seed(), data: { inputs: [[1, 2, 3]], targets: [[2, 3, 4, 5]] } })).toBe(
      'gradstream train: FILE: data.inputs: expected rows of 4 features (model.layers[0].inputs), received 3 features',
    );
    expect(await bad({ ...seed(), data: { inputs: [[1, 2, 3, 4]], targets: [[2, 3]] } })).toBe(
      "gradstream train: FILE: data.targets: expected 4 target columns (the model's outputs), received 2 columns",
    );
    expect(
      await bad({
        ...seed(),
        data: {
          inputs: [
            [1, 2, 3, 4],
            [1, 2, 3],
          ],
          targets: [
            [2, 3, 4, 5],
            [1, 1, 1, 1],
          ],
        },
      }),
    ).toBe('gradstream train: FILE: data.inputs[1]: expected 4 numbers (as row 0), received 3');
    expect(
      await bad({
        ...seed(),
        data: {
          inputs: [[1, 2, 3, 4]],
          targets: [
            [2, 3, 4, 5],
            [1, 1, 1, 1],
          ],
        },
      }),
    ).toBe('gradstream train: FILE: data.targets: expected 1 rows (one per input row), received 2 rows');
    expect(
      await bad({
        ...seed(),
        model: {
          layers: [
            { type: 'dense', inputs: 4, units: 4 },
            { type: 'dense', inputs: 3, units: 4 },
          ],
        },
      }),
    ).toBe('gradstream train: FILE: model.layers[1].inputs: expected 4 (the width of layer 0, dense(4→4)), received 3');
    expect(await bad({ ...seed(), optimizer: { type: 'adam', beta1: 1.5 } })).toBe(
      'gradstream train: FILE: optimizer.beta1: expected a number in [0, 1), received 1.5',
    );
    expect(await bad({ ...seed(), loss: { type: 'huber', delta: -1 } })).toMatch(/^gradstream train: FILE: loss\.delta: expected /);
    expect(await bad({ ...seed(), validation: { split: 0.5 } })).toMatch(
      /^gradstream train: FILE: splitArrays\.validation: expected a fraction in \(0, 1\) leaving at least one row on each side of 1/,
    );
    expect(await bad({ ...seed(), validation: { csv: 'held.csv' } })).toBe(
      'gradstream train: FILE: validation: expected {"split":F} or inline {"inputs","targets"} with inline data (a file needs the columns of a file "data"), received a CSV file',
    );
    expect(await bad({ ...seed(), validation: { inputs: [[1]], targets: [[1]] } })).toMatch(
      /^gradstream train: FILE: validation\.inputs: expected rows of \d+ features \(model\.layers\[0\]\.inputs\), received 1 features/,
    );
    expect(await bad({ ...seed(), stop: { monitor: 'valLoss' } })).toBe(
      'gradstream train: FILE: stop.monitor: expected "loss" (there is no "validation" to compute a valLoss on), received "valLoss"',
    );
  });

  it('refuses a replica count outside 1 … 64 (exit 2, with the allowed range), before starting any thread', async () => {
    const bad = async (workers: number) => {
      const r = await trainJson({ ...seed(), training: { workers } });
      expect(r.code).toBe(2);
      expect(r.lines).toEqual([]);
      return r.err.replace(r.file, 'FILE');
    };
    expect(await bad(100_000)).toBe('gradstream train: FILE: training.workers: expected an integer from 1 to 64, received 100000');
    expect(await bad(2e9)).toBe('gradstream train: FILE: training.workers: expected an integer from 1 to 64, received 2000000000');
    expect(await bad(0)).toBe('gradstream train: FILE: training.workers: expected an integer from 1 to 64, received 0');
  });

  it('refuses a checkpoint folder that cannot be one (exit 2)', async () => {
    const dir = tempDir();
    const file = join(dir, 'seed.json');
    writeFileSync(file, JSON.stringify(seed()));
    const r = await cli(['train', file, '--quiet', '--checkpoint-dir', join(file, 'ck')]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^gradstream train: .*seed\.json\/ck.*ENOTDIR/);
  });

  it('fails with exit code 1 on a runtime failure (output cannot be written)', async () => {
    const { runCli } = await import('../../../src/cli/run.js');
    const err: string[] = [];
    const code = await runCli(['train', join(EXAMPLES, 'seed.json'), '--json'], {
      out: () => {
        throw new Error('write EPIPE');
      },
      err: (l) => err.push(l),
      version: '0',
    });
    expect(code).toBe(1);
    expect(err).toEqual(['gradstream train: write EPIPE']);
  });
});

describe('the command guide (docs/cli.md)', () => {
  it('trains its full config example as shown', async () => {
    const readme = readFileSync(join(EXAMPLES, '../docs/cli.md'), 'utf8');
    const at = readme.indexOf('## The config');
    const start = readme.indexOf('```json\n', at) + 8;
    const config = JSON.parse(readme.slice(start, readme.indexOf('```', start))) as Record<string, unknown>;
    const r = await trainJson(config);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const e = end(r.lines);
    expect(e.reason).toBe('threshold');
    expect(e.metrics).toEqual({ accuracy: 1, valAccuracy: 1 });
    expect(existsSync(join(r.file, '../checkpoints/run1/last.json'))).toBe(true);
    expect(existsSync(join(r.file, '../checkpoints/run1/best.json'))).toBe(true);
    expect(readFileSync(join(r.file, '../logs/run1.jsonl'), 'utf8').trimEnd().split('\n').at(-1)).toContain('"stopReason":"threshold"');
  });
});

describe('gradstream train: CSV and JSON Lines data', () => {
  /** Two separable classes named "low" and "high", as CSV and JSON Lines, 60 rows. */
  function files(dir: string): void {
    const rows: [number, number, string][] = [];
    for (let i = 0; i < 60; i++) {
      const high = i % 3 === 0;
      rows.push([
        Number(((high ? 1 : -1) + 0.4 * Math.sin(i * 1.3)).toFixed(4)),
        Number((0.5 * Math.cos(i * 0.7)).toFixed(4)),
        high ? 'high' : 'low',
      ]);
    }
    writeFileSync(join(dir, 'points.csv'), `a;b;class\n${rows.map((r) => r.join(';')).join('\n')}\n`);
    writeFileSync(join(dir, 'points.jsonl'), `${rows.map(([a, b, c]) => JSON.stringify({ a, b, class: c })).join('\n')}\n`);
    writeFileSync(join(dir, 'held.csv'), `a;b;class\n1.1;0;high\n-0.9;0.2;low\n`);
  }
  const model = { layers: [{ type: 'dense', inputs: 2, units: 2, init: 'glorotUniform' }] };

  it('trains a classifier from CSV (label column, seeded split) and from JSON Lines alike', async () => {
    const dir = tempDir();
    files(dir);
    const base = {
      model,
      loss: 'softmaxCrossEntropy',
      optimizer: { type: 'adam', lr: 0.1 },
      validation: { split: 0.25 },
      training: { batchSize: 8, epochs: 15, seed: 2 },
      log: { every: 20 },
    };
    const csv = join(dir, 'csv.json');
    writeFileSync(csv, JSON.stringify({ ...base, data: { csv: 'points.csv', delimiter: ';', features: ['a', 'b'], label: 'class' } }));
    const jsonl = join(dir, 'jsonl.json');
    writeFileSync(jsonl, JSON.stringify({ ...base, data: { jsonl: 'points.jsonl', features: ['a', 'b'], label: 'class' } }));
    const a = await cli(['train', csv, '--json']);
    const b = await cli(['train', jsonl, '--json']);
    expect(a.err).toBe('');
    expect(a.code).toBe(0);
    expect(b.out).toBe(a.out); // the same rows, the same run
    const e = JSON.parse(a.out.split('\n').at(-1)!) as Line;
    expect(e.reason).toBe('dataEnd');
    expect(e.metrics).toEqual({ accuracy: 1, valAccuracy: 1 });
    expect(typeof e.valLoss).toBe('number');
    // a validation file with the same columns
    writeFileSync(
      csv,
      JSON.stringify({
        ...base,
        validation: { csv: 'held.csv', delimiter: ';' },
        data: { csv: 'points.csv', delimiter: ';', features: ['a', 'b'], label: 'class' },
      }),
    );
    const v = JSON.parse((await cli(['train', csv, '--json'])).out.split('\n').at(-1)!) as Line;
    expect(v.metrics).toEqual({ accuracy: 1, valAccuracy: 1 });
  });

  it('names the file, field, row and column of bad file data (exit 2)', async () => {
    const dir = tempDir();
    files(dir);
    const run = async (data: object) => {
      const file = join(dir, 'run.json');
      writeFileSync(
        file,
        JSON.stringify({ model, loss: 'softmaxCrossEntropy', optimizer: { type: 'sgd', lr: 0.1 }, data, training: { epochs: 1 } }),
      );
      const r = await cli(['train', file, '--quiet']);
      expect(r.code).toBe(2);
      return r.err.replaceAll(dir, 'DIR');
    };
    expect(await run({ csv: 'points.csv', delimiter: ';', features: ['a', 'c'], label: 'class' })).toBe(
      'gradstream train: DIR/run.json: DIR/points.csv, data.features: expected one of the file\'s columns "a", "b", "class", received an unknown column "c"',
    );
    expect(await run({ csv: 'none.csv', features: ['a'], label: 'class' })).toBe(
      'gradstream train: DIR/run.json: data.csv: expected a readable file, received "DIR/none.csv" (ENOENT)',
    );
    expect(await run({ csv: 'points.csv', delimiter: ';', features: ['a'], label: 'class' })).toBe(
      'gradstream train: DIR/run.json: data.inputs: expected rows of 2 features (model.layers[0].inputs), received 1 features',
    );
    writeFileSync(join(dir, 'bad.csv'), 'a;b;class\n1;2;high\n1;n/a;low\n');
    expect(await run({ csv: 'bad.csv', delimiter: ';', features: ['a', 'b'], label: 'class' })).toBe(
      'gradstream train: DIR/run.json: DIR/bad.csv row 3, column "b": expected a finite number, received "n/a"',
    );
  });
});

describe('gradstream train: input scaling', () => {
  it('fits standardize or minMax on the training part and trains where raw inputs fail', async () => {
    // y = (a − 5000) / 1000 + b: raw inputs in the thousands make plain SGD diverge
    const inputs: number[][] = [];
    const targets: number[][] = [];
    for (let i = 0; i < 24; i++) {
      const a = 4000 + 90 * i;
      const b = (i % 5) / 5;
      inputs.push([a, b]);
      targets.push([(a - 5000) / 1000 + b]);
    }
    const config = (scale?: string) => ({
      model: { layers: [{ type: 'dense', inputs: 2, units: 1, init: 'zeros' }] },
      loss: 'mse',
      optimizer: { type: 'sgd', lr: 0.1 },
      data: { inputs, targets, ...(scale === undefined ? {} : { scale }) },
      validation: { split: 0.25 },
      training: { maxSteps: 300, mode: 'sync' },
      stop: { divergence: 1e6 },
    });
    expect(end((await trainJson(config())).lines).reason).toBe('diverged');
    for (const scale of ['standardize', 'minMax']) {
      const r = await trainJson(config(scale));
      const e = end(r.lines);
      expect({ scale, reason: e.reason }).toEqual({ scale, reason: 'maxSteps' });
      expect(e.loss).toBeLessThan(1e-3);
      expect(e.valLoss).toBeLessThan(1e-2);
      // predict applies the same scaling (refitted on the same training part)
      const dir = tempDir();
      const file = join(dir, 'run.json');
      writeFileSync(file, JSON.stringify(config(scale)));
      expect((await cli(['train', file, '--quiet', '--checkpoint-dir', join(dir, 'ck')])).code).toBe(0);
      const p = await cli(['predict', join(dir, 'ck/last.json'), file, '--format', 'jsonl']);
      const outs = p.out.split('\n').map((l) => (JSON.parse(l) as { outputs: number[] }).outputs[0]!);
      outs.forEach((o, i) => expect(Math.abs(o - targets[i]![0]!)).toBeLessThan(0.1));
    }
  });
});

describe('gradstream train: checkpoint folders, stopping, log files, progress', () => {
  const moons = (): { inputs: number[][]; targets: number[][] } => {
    const inputs: number[][] = [];
    const targets: number[][] = [];
    for (let i = 0; i < 48; i++) {
      const c = i % 2;
      const a = (i / 48) * Math.PI;
      inputs.push([Math.cos(a) + c, (c === 0 ? 1 : -1) * Math.sin(a) + 0.5 * c]);
      targets.push([c]);
    }
    return { inputs, targets };
  };
  const classifier = {
    model: { layers: [{ type: 'dense', inputs: 2, units: 8, init: 'heUniform' }, { type: 'tanh' }, { type: 'dense', units: 2 }] },
    loss: 'softmaxCrossEntropy',
    optimizer: { type: 'adam', lr: 0.05 },
    data: moons(),
    validation: { split: 0.25, every: 5 },
    training: { batchSize: 12, epochs: 400, seed: 4, mode: 'sync' },
  };

  it('writes last.json, best.json and the newest step files; resumes from the folder', async () => {
    const dir = tempDir();
    const file = join(dir, 'run.json');
    writeFileSync(
      file,
      JSON.stringify({
        ...classifier,
        checkpoint: { dir: 'ck', everySteps: 50, keepLast: 2 },
        training: { ...classifier.training, maxSteps: 300 },
      }),
    );
    const r = await cli(['train', file, '--json']);
    expect(r.code).toBe(0);
    const files = readdirSync(join(dir, 'ck')).sort();
    expect(files).toEqual(['best.json', 'last.json', 'step-250.json', 'step-300.json']);
    // without keepLast: every step file
    writeFileSync(
      file,
      JSON.stringify({ ...classifier, checkpoint: { dir: 'all', everySteps: 100 }, training: { ...classifier.training, maxSteps: 300 } }),
    );
    expect((await cli(['train', file, '--quiet'])).code).toBe(0);
    expect(readdirSync(join(dir, 'all')).sort()).toEqual([
      'best.json',
      'last.json',
      'step-0.json',
      'step-100.json',
      'step-200.json',
      'step-300.json',
    ]);
    const last = JSON.parse(readFileSync(join(dir, 'ck/last.json'), 'utf8')) as {
      step: number;
      model: unknown;
      config: { loss: string };
      best: { monitor: string };
    };
    expect(last.step).toBe(300);
    expect(last.model).toEqual({ layers: [classifier.model.layers[0], { type: 'tanh' }, { type: 'dense', inputs: 8, units: 2 }] });
    expect(last.config.loss).toBe('softmaxCrossEntropy');
    expect(last.best.monitor).toBe('valLoss');
    // --resume takes the folder (its last.json) and continues to a later maxSteps
    const more = await cli(['train', file, '--json', '--resume', join(dir, 'ck'), '--max-steps', '320']);
    expect(more.code).toBe(0);
    expect(JSON.parse(more.out.split('\n')[0]!)).toMatchObject({ type: 'step', step: 300 });
    expect(JSON.parse(more.out.split('\n').at(-1)!)).toMatchObject({ type: 'end', reason: 'maxSteps', step: 320 });
  });

  it('stops on a validation-loss plateau, and on a timeout', async () => {
    const plateau = await trainJson({ ...classifier, stop: { monitor: 'valLoss', patience: 3, minDelta: 0.01 } });
    expect(end(plateau.lines).reason).toBe('plateau');
    const below = await trainJson({ ...classifier, stop: { monitor: 'valLoss', lossBelow: 0.05 } });
    const e = end(below.lines);
    expect(e.reason).toBe('threshold');
    expect(e.valLoss).toBeLessThan(0.05);
    const timeout = await trainJson({
      ...classifier,
      training: { ...classifier.training, epochs: 1e6, mode: 'sliced' },
      stop: { timeout: 0.2 },
    });
    expect(end(timeout.lines).reason).toBe('timeout');
  });

  it('writes a JSON Lines log file that plot reads, and shows progress on stderr without log.every', async () => {
    const dir = tempDir();
    const file = join(dir, 'run.json');
    writeFileSync(
      file,
      JSON.stringify({ ...classifier, training: { ...classifier.training, maxSteps: 40 }, log: { path: 'logs/run.jsonl' } }),
    );
    const r = await cli(['train', file]);
    expect(r.code).toBe(0);
    expect(r.out.startsWith('\nstopped   maxSteps (step limit reached)\n')).toBe(true); // no step lines
    expect(r.err.split('\n').at(-1)).toMatch(/^step 40 +\(100%\)|^40\/40 steps \(100%\) +loss [\d.e-]+ .*stop: maxSteps after 0:0\d$/);
    const lines = readFileSync(join(dir, 'logs/run.jsonl'), 'utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(41);
    expect(JSON.parse(lines[40]!)).toMatchObject({ step: 40, stopReason: 'maxSteps' });
    const plot = await cli(['plot', join(dir, 'logs/run.jsonl'), '--out', join(dir, 'loss.svg')]);
    expect(plot.code).toBe(0);
    expect(readFileSync(join(dir, 'loss.svg'), 'utf8')).toContain('stopped: maxSteps');
  });
});

describe('gradstream train: interruption and the dashboard', () => {
  it('says where it stopped on stderr when interrupted in text mode (exit 130)', async () => {
    const dir = tempDir();
    const file = join(dir, 'long.json');
    writeFileSync(
      file,
      JSON.stringify({ ...seed(), optimizer: { type: 'sgd', lr: 1e-9 }, stop: {}, training: { mode: 'sliced' }, log: { every: 1000 } }),
    );
    const controller = new AbortController();
    const { runCli } = await import('../../../src/cli/run.js');
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli(['train', file, '--checkpoint-dir', join(dir, 'ck')], {
      out: (l) => {
        out.push(l);
        if (l.startsWith('step 2000 ')) controller.abort();
      },
      err: (l) => err.push(l),
      version: '0',
      signal: controller.signal,
    });
    expect(code).toBe(130);
    expect(out).toContain('');
    expect(out.find((l) => l.startsWith('stopped '))).toBe('stopped   aborted (interrupted)');
    expect(err).toHaveLength(1);
    expect(err[0]).toMatch(new RegExp(`^interrupted: stopped cleanly at step \\d+ \\(checkpoint ${join(dir, 'ck/last.json')}\\)$`));
  });

  it('serves the live dashboard with --serve (port 0: a free one), and reports a port in use (exit 1)', async () => {
    const r = await cli(['train', join(EXAMPLES, 'seed.json'), '--serve', '0', '--quiet']);
    expect(r.code).toBe(0);
    expect(r.out.split('\n')[0]).toMatch(/^dashboard: http:\/\/127\.0\.0\.1:\d+\/$/);
    // through fit's Training handle (the dashboard's) or the loop itself: the same numbers
    const config = { ...seed(), optimizer: { type: 'adam', lr: 0.05 }, stop: {}, training: { maxSteps: 50 } };
    const served = await trainJson(config, '--serve', '0');
    const plain = await trainJson(config);
    expect(served.err).toMatch(/^dashboard: http/);
    expect(served.lines).toEqual(plain.lines);
    const { createServer } = await import('node:net');
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const busy = await cli(['train', join(EXAMPLES, 'seed.json'), '--serve', String(port)]);
      expect(busy).toEqual({
        code: 1,
        out: '',
        err: `gradstream train: --serve ${port}: cannot listen on 127.0.0.1:${port} (port in use)`,
      });
    } finally {
      blocker.close();
    }
    // data-parallel with the dashboard: fit({ workers }), the same numbers as without it
    const parallel = { ...seed(), optimizer: { type: 'adam', lr: 0.05 }, stop: {}, training: { maxSteps: 20, workers: 2 } };
    const both = await trainJson(parallel, '--serve', '0');
    expect(both.err).toMatch(/^dashboard: http/);
    expect(both.lines).toEqual((await trainJson(parallel)).lines);
  });
});
