import { describe, expect, it } from 'vitest';
import { createRng, type Loss, type Model } from '../../src/index.js';
import { fixedLayout, Stat } from '../../src/workers/protocol.js';
import { ShardRunner } from '../../src/workers/shardRunner.js';
import { mlpBatch } from './fixtures/mlpBatch.js';
import { mlp } from './fixtures/replicas.js';

/** A runner (replica 1 of 2) on its own shared buffers, with a batch of `rows` rows, counting its model's and loss's calls. */
function runner(rows: number) {
  const base = mlp();
  const calls = { forward: 0, backward: 0, grad: 0 };
  const model: Model = {
    ...base.model,
    forward(params, x, cache, mode) {
      calls.forward += 1;
      return base.model.forward(params, x, cache, mode);
    },
    backward(params, cache, dY, grads) {
      calls.backward += 1;
      base.model.backward(params, cache, dY, grads);
    },
  };
  const loss: Loss = {
    ...base.loss,
    value: base.loss.value.bind(base.loss),
    grad(out, pred, target, r, cols) {
      calls.grad += 1;
      return base.loss.grad(out, pred, target, r, cols);
    },
  };
  const size = model.layout.size;
  const fl = fixedLayout(size, 2);
  const fixed = new Float64Array(new SharedArrayBuffer(fl.length * 8));
  fixed.set(model.init(createRng(3)).data, fl.params);
  const { bl, data, message } = mlpBatch(rows, 5);
  const r = new ShardRunner(1, 2, model, loss, fixed);
  r.take(message);
  /** Replica 1's gradient slot. */
  const slot = (): number[] => Array.from(fixed.subarray(fl.slots[1]!, fl.slots[1]! + size));
  return { r, calls, slot, out: () => Array.from(data.subarray(bl.out, bl.out + rows * 3)) };
}

describe('ShardRunner', () => {
  it("repeats a new thread's first shard within the budget, with the same results, then makes one pass a step", () => {
    const cold = runner(10);
    cold.r.compute(10, 1, 0);
    expect(cold.calls).toEqual({ forward: 1, backward: 1, grad: 1 });

    const warm = runner(10);
    warm.r.warmFirstStep(4, 10_000);
    warm.r.compute(10, 1, 0);
    // four passes, and 16 more loss gradients before each repeated one
    expect(warm.calls).toEqual({ forward: 4, backward: 4, grad: 4 + 3 * 16 });
    expect(warm.slot()).toEqual(cold.slot());
    expect(warm.out()).toEqual(cold.out());
    expect(warm.r.stats[Stat.STEPS]).toBe(1); // one step counted

    warm.r.compute(10, 1, 1);
    expect(warm.calls.forward).toBe(5);
  });

  it('makes no more passes than fit in the budget', () => {
    const t = runner(10);
    t.r.warmFirstStep(8, 0);
    t.r.compute(10, 1, 0);
    expect(t.calls.forward).toBe(1);
  });
});
