import { lastValueFrom, of } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { createRng, dataParallel, dense, forward, gradient, loss, mse, sequential, sgd, type StepRecord } from '../../src/index.js';
import { createStepRecord } from '../../src/streams/stepRecord.js';

/** L(params) for the record's batch, computed without the operators. */
function lossAt(model: ReturnType<typeof sequential>, r: StepRecord): number {
  const out = model.forward(r.params, r.batch.x, model.createCache(r.batch.size));
  return mse().value(out, r.batch.y, r.batch.size, model.outputs);
}

describe('gradient (the operator)', () => {
  it('matches central finite differences for dense + MSE at random shapes (relative error < 1e-6)', async () => {
    const rng = createRng(2024);
    for (let trial = 0; trial < 12; trial++) {
      const inputs = 1 + rng.int(6);
      const units = 1 + rng.int(6);
      const rows = 1 + rng.int(5);
      const model = sequential([dense(inputs, units, { bias: trial % 2 === 0 })]);
      const l = mse();
      const r: StepRecord = createStepRecord(model.init(rng), {
        x: Float64Array.from({ length: rows * inputs }, () => rng.uniform(-2, 2)),
        y: Float64Array.from({ length: rows * units }, () => rng.uniform(-2, 2)),
        size: rows,
      });
      const out = await lastValueFrom(of(r).pipe(forward(model), loss(l), gradient(model, l)));
      const analytic = Array.from(out.grads.data);
      const h = 1e-5;
      for (let i = 0; i < analytic.length; i++) {
        const w = r.params.data[i]!;
        r.params.data[i] = w + h;
        const up = lossAt(model, r);
        r.params.data[i] = w - h;
        const down = lossAt(model, r);
        r.params.data[i] = w;
        const numeric = (up - down) / (2 * h);
        const rel = Math.abs(numeric - analytic[i]!) / Math.max(1e-8, Math.abs(numeric) + Math.abs(analytic[i]!));
        if (!(rel < 1e-6))
          expect.fail(`trial ${trial} (${rows}×${inputs}→${units}), param ${i}: analytic ${analytic[i]}, numeric ${numeric}, rel ${rel}`);
      }
    }
  });

  it('refuses what is not a model, a loss or an options object, at once', () => {
    const model = sequential([dense(2, 1)]);
    expect(() => gradient(undefined as never, mse())).toThrow(
      'gradient(model): expected a model (sequential([...]) or modelFromConfig(…).model), received undefined',
    );
    expect(() => gradient(model, 'mse' as never)).toThrow(
      'gradient(lossFn): expected a loss (mse(), huber(1), softmaxCrossEntropy(), … or an object with value and grad), received "mse" (a string)',
    );
    expect(() => dataParallel(model, mse(), sgd(), null as never)).toThrow(
      'dataParallel(options): expected an options object ({ workers, replica, logger, startTimeoutMs }), received null',
    );
    expect(() => dataParallel(model, mse(), sgd(), { workers: '2' } as never)).toThrow(
      'dataParallel.workers: expected an integer from 1 to 64, received "2" (a string)',
    );
    expect(() => dataParallel(model, mse(), sgd(), { workers: 65 })).toThrow(
      'dataParallel.workers: expected an integer from 1 to 64, received 65',
    );
  });
});
