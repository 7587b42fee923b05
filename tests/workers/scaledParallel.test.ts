/**
 * dataParallel with input scaling (withScaler; the command's data.scale): the replica threads
 * rebuild the same scaling in front of the model, so the run is the single-thread one to round-off.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { lastValueFrom, pipe, tap } from 'rxjs';
import { describe, expect, it } from 'vitest';
import {
  adam,
  createRng,
  dataParallel,
  dense,
  forward,
  fromArrays,
  gradient,
  loss,
  minMax,
  relu,
  sequential,
  softmaxCrossEntropy,
  standardize,
  train,
  update,
  withScaler,
  type Scaler,
} from '../../src/index.js';
import { cli, tempDir } from '../cli/cliHarness.js';
import { labelledRows } from './labelledRows.js';

/** 40 rows of 5 features on very different scales (offsets and spreads up to 1000), 3 classes. */
const { x, y } = labelledRows(
  21,
  40,
  5,
  (u) => (u[0]! + u[1]! > 0.2 ? 0 : u[2]! > 0 ? 1 : 2),
  (u) => [500 + 300 * u[0]!, -2 + 0.01 * u[1]!, 40 * u[2]!, u[3]!, 1000 * u[4]!],
);

/** 8 steps of Adam on the scaled model, one thread (`workers` null) or data-parallel; the losses and final weights. */
async function run(scaler: Scaler, workers: number | null): Promise<{ losses: number[]; params: number[] }> {
  const model = withScaler(sequential([dense(5, 8), relu(), dense(8, 3)]), scaler);
  const ce = softmaxCrossEntropy();
  const opt = adam({ lr: 0.05 });
  const core =
    workers === null ? pipe(forward(model), loss(ce), gradient(model, ce), update(opt)) : dataParallel(model, ce, opt, { workers });
  const losses: number[] = [];
  let params: number[] = [];
  await lastValueFrom(
    train({
      params: model.init(createRng(4)),
      data: fromArrays(x, y, { batchSize: 16, epochs: 3, shuffle: true, seed: 2 }),
      scheduler: 'sync',
      maxSteps: 8,
      pipeline: pipe(
        core,
        tap((r) => {
          losses.push(r.loss);
          params = Array.from(r.params.data);
        }),
      ),
    }),
  );
  return { losses, params };
}

describe('dataParallel with withScaler', () => {
  for (const [name, fit] of [
    ['standardize', standardize],
    ['minMax', minMax],
  ] as const) {
    it(`${name}: 1 worker equals one thread bit for bit, 2 workers to round-off`, async () => {
      const scaler = fit().fit(x);
      const single = await run(scaler, null);
      const one = await run(scaler, 1);
      const two = await run(scaler, 2);
      expect(single.losses).toHaveLength(9);
      expect(one.losses).toEqual(single.losses);
      expect(one.params).toEqual(single.params);
      two.losses.forEach((l, i) => expect(Math.abs(l - single.losses[i]!)).toBeLessThan(1e-12 * Math.abs(single.losses[i]!)));
      two.params.forEach((p, i) => expect(Math.abs(p - single.params[i]!)).toBeLessThan(1e-9));
      // the scaling matters: without it the same run gives other losses
      const bare = await run({ ...scaler, transform: (v, out = new Float64Array(v.length)) => (out.set(v), out) }, null);
      expect(Math.abs(bare.losses[1]! - single.losses[1]!)).toBeGreaterThan(1e-3);
    }, 60_000);
  }
});

describe('gradstream train: data.scale with training.workers (float64 and float32)', () => {
  it('trains on worker threads to round-off of one thread', async () => {
    const dir = tempDir();
    const config = (workers: number, precision: 'float64' | 'float32' = 'float64') => ({
      model: {
        precision,
        layers: [{ type: 'dense', inputs: 5, units: 8, init: 'heUniform' }, { type: 'relu' }, { type: 'dense', units: 1 }],
      },
      loss: 'mse',
      optimizer: { type: 'adam', lr: 0.05 },
      data: { inputs: x, targets: y.map((c) => [c]), scale: 'standardize' },
      training: { batchSize: 10, seed: 3, maxSteps: 12, workers, mode: 'sync' },
    });
    const ends: { loss: number; params: Record<string, { values: number[] }> }[] = [];
    for (const workers of [1, 2]) {
      const file = join(dir, `w${workers}.json`);
      writeFileSync(file, JSON.stringify(config(workers)));
      const r = await cli(['train', file, '--json']);
      expect(r.err).toBe('');
      expect(r.code).toBe(0);
      ends.push(JSON.parse(r.out.trimEnd().split('\n').at(-1)!) as (typeof ends)[number]);
    }
    expect(Math.abs(ends[1]!.loss - ends[0]!.loss)).toBeLessThan(1e-12);
    ends[1]!.params['0.W']!.values.forEach((v, i) => expect(Math.abs(v - ends[0]!.params['0.W']!.values[i]!)).toBeLessThan(1e-9));
    // and in float32: 2 workers to float32 round-off of the float64 run
    const file = join(dir, 'f32.json');
    writeFileSync(file, JSON.stringify(config(2, 'float32')));
    const r = await cli(['train', file, '--json']);
    expect(r.err).toBe('');
    const f32 = JSON.parse(r.out.trimEnd().split('\n').at(-1)!) as (typeof ends)[number];
    expect(Math.abs(f32.loss - ends[0]!.loss)).toBeLessThan(1e-4 * ends[0]!.loss);
  }, 60_000);
});
