import { describe, expect, it } from 'vitest';
import { adam, createRng, dense, fit, fromArrays, GradstreamError, moons, relu, sequential, softmaxCrossEntropy } from '../../src/index.js';

const { x, y } = moons(96, { noise: 0.1, rng: createRng(1) });
const model = sequential([dense(2, 8), relu(), dense(8, 2)]);
const ce = softmaxCrossEntropy();

const run = (workers?: number) =>
  fit({
    model,
    loss: ce,
    optimizer: adam({ lr: 0.01 }),
    data: fromArrays(x, y, { batchSize: 32, epochs: 2 }),
    params: model.init(createRng(4)),
    ...(workers === undefined ? {} : { workers }),
  })
    .start()
    .done();

describe('fit({ workers })', () => {
  it('computes the gradient on worker threads: one worker equals this thread bit for bit, two to round-off', async () => {
    const local = await run();
    const one = await run(1);
    const two = await run(2);
    expect(one.step).toBe(6);
    expect(Array.from(one.params.data)).toEqual(Array.from(local.params.data));
    expect(two.step).toBe(6);
    for (let i = 0; i < local.params.data.length; i++) expect(two.params.data[i]).toBeCloseTo(local.params.data[i]!, 12);
  }, 60_000);

  it('refuses a bad workers option at once', () => {
    const base = { model, loss: ce, optimizer: adam(), data: fromArrays(x, y), rng: createRng(1) };
    for (const workers of [0, 1.5, '2' as unknown as number]) {
      expect(() => fit({ ...base, workers })).toThrow(GradstreamError);
      expect(() => fit({ ...base, workers })).toThrow(/dataParallel\.workers/);
    }
  });
});
