import { lastValueFrom, pipe, tap } from 'rxjs';
import { describe, expect, it } from 'vitest';
import {
  adam,
  checkpointTo,
  createRng,
  dense,
  embedding,
  forward,
  fromArrays,
  gradient,
  gru,
  loadCheckpoint,
  loss,
  lstm,
  memoryStorage,
  modelFromCheckpoint,
  mse,
  predict,
  resumeFrom,
  sequential,
  summary,
  train,
  update,
  type Layer,
  type StepRecord,
} from '../../../src/index.js';

const N = 64;
const L = 6;

/** Rows of L token ids (vocabulary 12) → the mean id / 12. */
function data(): { x: Float64Array; y: Float64Array } {
  const rng = createRng(3);
  const x = new Float64Array(N * L);
  const y = new Float64Array(N);
  for (let r = 0; r < N; r++) {
    let s = 0;
    for (let t = 0; t < L; t++) s += x[r * L + t] = Math.floor(rng.uniform(0, 12));
    y[r] = s / L / 12;
  }
  return { x, y };
}

const layers = (): Layer[] => [
  embedding(12, 4, { inputLength: L }),
  lstm(5, { timesteps: L, features: 4, returnSequences: true }),
  gru(3, { timesteps: L, features: 5 }),
  dense(3, 1),
];

describe.each(['float64', 'float32'] as const)('a sequence model in checkpoints (%s)', (precision) => {
  it('saves its config, rebuilds from the checkpoint alone, and resumes bit for bit', async () => {
    const { x, y } = data();
    const model = sequential(layers(), { precision });
    const l = mse();
    const pipeline = (seen: number[]) =>
      pipe(
        forward(model),
        loss(l),
        gradient(model, l),
        update(adam({ lr: 0.01 })),
        tap((r: StepRecord) => seen.push(r.loss!)),
      );
    const whole: number[] = [];
    const store = memoryStorage();
    await lastValueFrom(
      train({
        params: model.init(createRng(5)),
        data: fromArrays(x, y, { rows: N, batchSize: 16 }),
        pipeline: pipe(pipeline(whole), checkpointTo(store, { every: 10, keepLast: 3, model })),
        maxSteps: 30,
        scheduler: 'sync',
      }),
    );
    expect(whole[29]!).toBeLessThan(whole[0]!);
    const last = await loadCheckpoint(store, 'last.json', model.layout);
    const loaded = modelFromCheckpoint(last);
    expect(loaded.model.toConfig()).toEqual(model.toConfig());
    expect(summary(loaded.model)).toBe(summary(model));
    expect(Array.from(predict(loaded.model, loaded.params, x.subarray(0, 2 * L), 2))).toEqual(
      Array.from(predict(model, last.params, x.subarray(0, 2 * L), 2)),
    );
    const at10 = await loadCheckpoint(store, 'step-10.json', model.layout);
    const resumed: number[] = [];
    await lastValueFrom(
      resumeFrom(at10, {
        data: fromArrays(x, y, { rows: N, batchSize: 16 }),
        pipeline: pipeline(resumed),
        model,
        maxSteps: 30,
        scheduler: 'sync',
      }),
    );
    expect(resumed).toEqual(whole.slice(10));
  });
});
