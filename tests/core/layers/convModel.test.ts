import { lastValueFrom, pipe, tap } from 'rxjs';
import { describe, expect, it } from 'vitest';
import {
  adam,
  avgPool2d,
  checkpointTo,
  conv2d,
  createRng,
  dense,
  flatten,
  forward,
  fromArrays,
  globalAvgPool2d,
  gradient,
  loadCheckpoint,
  loss,
  maxPool2d,
  memoryStorage,
  modelFromCheckpoint,
  predict,
  relu,
  reshape,
  resumeFrom,
  sequential,
  softmaxCrossEntropy,
  tanh,
  train,
  update,
  type Layer,
  type StepRecord,
} from '../../../src/index.js';
import { expectClose } from '../../helpers/expectClose.js';
import { numericDerivative } from '../gradcheck.js';

const ROWS = 24;
const rng = createRng(9);
const X = Array.from({ length: ROWS }, () => Array.from({ length: 36 }, () => rng.next()));
const Y = Array.from({ length: ROWS }, (_, i) => i % 3);
const layers = (): Layer[] => [
  reshape([6, 6, 1]),
  conv2d({ filters: 4, kernelSize: 3, padding: 'same' }),
  relu(),
  maxPool2d(),
  conv2d({ filters: 6, kernelSize: 2, strides: 1 }),
  relu(),
  avgPool2d({ poolSize: 2, padding: 'same' }),
  conv2d({ filters: 5, kernelSize: 1 }),
  globalAvgPool2d(),
  dense(5, 3),
];

describe('convolutional models', () => {
  it('whole-model gradients match finite differences (float64), every parameter', () => {
    // tanh instead of relu and small steps: no kink of relu or switch of a max within a step
    const model = sequential([
      ...layers()
        .slice(0, 7)
        .map((l) => (l.kind === 'relu' ? tanh() : l)),
      flatten(),
      dense(6, 3),
    ]);
    const params = model.init(createRng(1));
    const ce = softmaxCrossEntropy();
    const batch = 4;
    const x = Float64Array.from(X.slice(0, batch).flat());
    const y = Float64Array.from(Y.slice(0, batch));
    const cache = model.createCache(batch);
    const f = () => ce.value(model.forward(params, x, cache), y, batch, 3);
    const grads = model.init(createRng(1));
    const dY = new Float64Array(batch * 3);
    ce.grad(dY, model.forward(params, x, cache), y, batch, 3);
    model.backward(params, cache, dY, grads);
    for (let i = 0; i < params.data.length; i++) {
      const num = numericDerivative(f, params.data, i, 1e-4);
      expect(Math.abs(num - grads.data[i]!), `parameter ${i}`).toBeLessThan(1e-7 + 1e-6 * Math.abs(num));
    }
  });

  it('train, checkpoint with their config, and resume bit for bit (float64 and float32)', async () => {
    for (const precision of ['float64', 'float32'] as const) {
      const model = sequential(layers(), { precision });
      const ce = softmaxCrossEntropy();
      const pipeline = (each: (r: StepRecord) => void) =>
        pipe(forward(model), loss(ce), gradient(model, ce), update(adam({ lr: 0.01 })), tap(each));
      const data = () => fromArrays(X, Y, { rows: ROWS, batchSize: 8, epochs: 100 });
      const store = memoryStorage();
      const whole: number[] = [];
      await lastValueFrom(
        train({
          params: model.init(createRng(3)),
          data: data(),
          pipeline: pipe(
            pipeline((r) => whole.push(r.loss!)),
            checkpointTo(store, { every: 5, keepLast: 3, model }),
          ),
          maxSteps: 12,
          scheduler: 'sync',
        }),
      );
      expect(whole[12]!).toBeLessThan(whole[0]!);
      const last = await loadCheckpoint(store, 'last.json', model.layout);
      const loaded = modelFromCheckpoint(last);
      expect(loaded.model.toConfig()).toEqual(model.toConfig());
      expect(loaded.model.precision).toBe(precision);
      const xs = X.slice(0, 5);
      expect(Array.from(predict(loaded.model, loaded.params, xs))).toEqual(Array.from(predict(model, last.params, xs)));
      const at5 = await loadCheckpoint(store, 'step-5.json', model.layout);
      const resumed: number[] = [];
      await lastValueFrom(
        resumeFrom(at5, { data: data(), pipeline: pipeline((r) => resumed.push(r.loss!)), model, maxSteps: 12, scheduler: 'sync' }),
      );
      expectClose(resumed, whole.slice(5), 0);
    }
  });
});
