import { expect } from 'vitest';
import {
  batchNorm,
  createRng,
  dense,
  dropout,
  elu,
  identity,
  leakyRelu,
  relu,
  sequential,
  sigmoid,
  softmax,
  softplus,
  standardize,
  tanh,
  type Layer,
  type Params,
  type Precision,
  type SequentialModel,
} from '../../../src/index.js';

/** A small model around one layer type, for export round trips. */
export interface ExportCase {
  readonly name: string;
  readonly layers: () => Layer[];
  /** The precisions the case runs in (batchNorm and dropout compute in float64 only). */
  readonly precisions: readonly Precision[];
}

const both: readonly Precision[] = ['float64', 'float32'];

/** One case per layer the library has, and a model mixing them. */
export const EXPORT_CASES: readonly ExportCase[] = [
  { name: 'dense', layers: () => [dense(3, 4)], precisions: both },
  { name: 'dense without bias', layers: () => [dense(3, 2, { bias: false })], precisions: both },
  { name: 'relu', layers: () => [dense(3, 6), relu(), dense(6, 2)], precisions: both },
  { name: 'leakyRelu', layers: () => [dense(3, 6), leakyRelu(0.1), dense(6, 2)], precisions: both },
  { name: 'elu', layers: () => [dense(3, 6), elu(), dense(6, 2)], precisions: both },
  { name: 'sigmoid', layers: () => [dense(3, 6), sigmoid(), dense(6, 2)], precisions: both },
  { name: 'tanh', layers: () => [dense(3, 6), tanh(), dense(6, 2)], precisions: both },
  { name: 'softplus', layers: () => [dense(3, 6), softplus(), dense(6, 2)], precisions: both },
  { name: 'identity', layers: () => [dense(3, 6), identity(), dense(6, 2)], precisions: both },
  { name: 'softmax', layers: () => [dense(3, 4), softmax()], precisions: both },
  { name: 'dropout', layers: () => [dense(3, 6), relu(), dropout(0.3), dense(6, 2)], precisions: ['float64'] },
  { name: 'batchNorm', layers: () => [dense(3, 6), batchNorm({ epsilon: 0.01 }), relu(), dense(6, 2)], precisions: ['float64'] },
  { name: 'batchNorm first', layers: () => [batchNorm({}, 3), dense(3, 2)], precisions: ['float64'] },
  {
    name: 'mixed',
    layers: () => [
      dense(3, 8),
      batchNorm(),
      leakyRelu(0.2),
      dropout(0.1),
      dense(8, 8),
      tanh(),
      dense(8, 5),
      softplus(),
      dense(5, 3),
      softmax(),
    ],
    precisions: ['float64'],
  },
];

/** The case's model with random weights (and batchNorm moving statistics away from 0 and 1). */
export function caseModel(c: ExportCase, precision: Precision, seed = 3): { model: SequentialModel; params: Params } {
  const model = sequential(c.layers(), { precision });
  const params = model.init(createRng(seed));
  const rng = createRng(seed + 100);
  model.layout.names.forEach((name, i) => {
    const t = params.tensors[i]!;
    if (name.endsWith('statsStep')) return;
    for (let k = 0; k < t.length; k++) t[k] = name.endsWith('movingVariance') ? rng.uniform(0.5, 2) : rng.uniform(-1, 1);
  });
  return { model, params };
}

/** Raw feature rows of very different scales (`rows × 3`), and a scaler fitted on them. */
export function rawRows(rows: number, seed = 5): { x: number[][]; scaler: ReturnType<ReturnType<typeof standardize>['fit']> } {
  const rng = createRng(seed);
  const x: number[][] = [];
  for (let r = 0; r < rows; r++) x.push([rng.uniform(100, 300), rng.uniform(0, 1), rng.uniform(-5, 5)]);
  return { x, scaler: standardize().fit(x) };
}

/**
 * Asserts float32 `actual` matches `expected` within `tol` relative to the batch's largest output
 * (`max |a − e| / max |e|`, the norm-wise relative error): float32 round-off is relative to the
 * size of the terms summed, so an output that cancels to near 0 is compared at the batch's scale.
 * Returns the error.
 */
export function expectSamePredictions(actual: ArrayLike<number>, expected: ArrayLike<number>, cols: number, tol = 1e-6): number {
  expect(actual.length).toBe(expected.length);
  let scale = 0;
  for (let i = 0; i < expected.length; i++) scale = Math.max(scale, Math.abs(expected[i]!));
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    const err = Math.abs(actual[i]! - expected[i]!) / Math.max(scale, 1e-30);
    worst = Math.max(worst, err);
    if (!(err <= tol))
      expect.fail(
        `row ${Math.floor(i / cols)}, output ${i % cols}: expected ${expected[i]}, received ${actual[i]} (error ${err} of the largest output > ${tol})`,
      );
  }
  return worst;
}
