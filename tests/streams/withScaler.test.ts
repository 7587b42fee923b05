import { lastValueFrom, pipe } from 'rxjs';
import { describe, expect, it } from 'vitest';
import {
  createRng,
  dense,
  l2,
  forward,
  fromArrays,
  gradient,
  loss,
  mse,
  predict,
  sequential,
  sgd,
  standardize,
  train,
  update,
  withScaler,
} from '../../src/index.js';

describe('withScaler', () => {
  it('scales the inputs of every forward pass: training, and predict on raw inputs', async () => {
    // y = x / 100 on raw inputs around 1000: hopeless for plain SGD at this lr, easy once standardized
    const xs = Array.from({ length: 40 }, (_, i) => [900 + 5 * i]);
    const ys = xs.map(([v]) => [v! / 100]);
    const scaler = standardize().fit(xs);
    const inner = sequential([dense(1, 1)]);
    const model = withScaler(inner, scaler);
    expect([model.inputs, model.outputs, model.layout, model.scaler, model.model]).toEqual([1, 1, inner.layout, scaler, inner]);
    const l = mse();
    const final = await lastValueFrom(
      train({
        params: model.init(createRng(1)),
        data: fromArrays(xs, ys, { batchSize: 8, epochs: 200 }),
        pipeline: pipe(forward(model), loss(l), gradient(model, l), update(sgd({ lr: 0.1 }))),
        scheduler: 'sync',
      }),
    );
    expect(final.loss).toBeLessThan(1e-6);
    const out = predict(model, final.params, [[1000], [950]]);
    expect(out[0]).toBeCloseTo(10, 3);
    expect(out[1]).toBeCloseTo(9.5, 3);
    // the same weights on unscaled inputs give something else: the scaling is part of the model
    expect(predict(inner, final.params, [[1000]])[0]).not.toBeCloseTo(10, 1);
  });

  it('keeps the penalty of a regularized model and refuses a scaler of another width', () => {
    const inner = sequential([dense(2, 1, { kernelRegularizer: l2(0.5) })]);
    const model = withScaler(
      inner,
      standardize().fit([
        [1, 2],
        [3, 4],
      ]),
    );
    const params = model.init(createRng(1));
    expect(model.penalty?.(params)).toBe(inner.penalty?.(params));
    expect(model.penalty?.(params)).toBeGreaterThan(0);
    expect(
      withScaler(
        sequential([dense(2, 1)]),
        standardize().fit([
          [1, 2],
          [3, 4],
        ]),
      ).penalty,
    ).toBeUndefined();
    expect(() => withScaler(sequential([dense(3, 1)]), standardize().fit([[1, 2]]))).toThrow(
      "withScaler(scaler): expected a scaler of 3 inputs (the model's), received 2",
    );
  });
});
