import { lastValueFrom, pipe, tap, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import {
  adam,
  batchNorm,
  createParams,
  createRng,
  decodeCheckpoint,
  dense,
  dropout,
  encodeCheckpoint,
  forward,
  fromArrays,
  gradient,
  l2,
  loss,
  moons,
  mse,
  param,
  relu,
  sequential,
  train,
  update,
  type StepRecord,
} from '../../src/index.js';

const model = sequential([dense(2, 16, { kernelRegularizer: l2(1e-3) }), batchNorm(), relu(), dropout(0.3), dense(16, 1)]);
const l = mse();
const data = moons(64, { noise: 0.1, rng: createRng(5) });
const y = data.y.map((v) => [v]);
const source = () => fromArrays(data.x, y, { batchSize: 16, shuffle: true, seed: 3, epochs: 100 });
const step = () => pipe(forward(model), loss(l), gradient(model, l), update(adam({ lr: 0.01 })));
const SEED = 42;

describe('forward: a run with dropout and batchNorm resumes bit-identical from a checkpoint', () => {
  it('continues with the same masks, moving statistics, losses and weights', async () => {
    const keep = (r: StepRecord) => ({ step: r.step, loss: r.loss! });
    let last: StepRecord | undefined;
    // A: 30 uninterrupted steps
    const a = await lastValueFrom(
      train({
        params: model.init(createRng(1)),
        data: source(),
        pipeline: step(),
        maxSteps: 30,
        rng: createRng(SEED),
        scheduler: 'sync',
      }).pipe(
        tap((r) => (last = r)),
        toArray(),
      ),
    ).then((rs) => rs.map(keep));
    const finalA = Float64Array.from(last!.params.data);

    // B: 12 steps, a checkpoint of step 12 (after its forward pass), then a new run from the file
    const rngB = createRng(SEED);
    let file = '';
    let saved = rngB.getState();
    await lastValueFrom(
      train({ params: model.init(createRng(1)), data: source(), pipeline: step(), maxSteps: 12, rng: rngB, scheduler: 'sync' }).pipe(
        tap((r) => {
          if (r.step === 12) {
            file = JSON.stringify(encodeCheckpoint(r));
            saved = rngB.getState();
          }
        }),
      ),
    );
    const ck = decodeCheckpoint(JSON.parse(file), model.layout);
    // the model's layout (trainable flags) over the saved values
    const params = createParams(model.layout, Float64Array.from(ck.params.data));
    expect(param(params, '1.statsStep')[0]).toBe(12); // step 11's batch is the last folded: the final record (step 12) does not fold
    const rngC = createRng(0);
    rngC.setState(saved);
    const c = await lastValueFrom(
      train({
        params,
        data: source(),
        pipeline: step(),
        step: ck.step,
        optState: ck.optState,
        cursor: ck.cursor,
        maxSteps: 30,
        rng: rngC,
        scheduler: 'sync',
      }).pipe(
        tap((r) => (last = r)),
        toArray(),
      ),
    ).then((rs) => rs.map(keep));
    expect(c).toEqual(a.slice(12));
    expect(Float64Array.from(last!.params.data)).toEqual(finalA);
    // the moving statistics moved, and dropout was active (the loss differs from inference's)
    expect(Array.from(param(last!.params, '1.movingMean')).some((v) => v !== 0)).toBe(true);
  });

  it('a different generator gives different dropout masks (and losses)', async () => {
    const run = (seed: number) =>
      lastValueFrom(
        train({
          params: model.init(createRng(1)),
          data: source(),
          pipeline: step(),
          maxSteps: 3,
          rng: createRng(seed),
          scheduler: 'sync',
        }).pipe(toArray()),
      ).then((rs) => rs.map((r) => r.loss));
    const x = await run(SEED);
    expect(await run(SEED)).toEqual(x);
    expect(await run(SEED + 1)).not.toEqual(x);
  });
});
