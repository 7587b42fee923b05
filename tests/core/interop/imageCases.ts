import {
  avgPool2d,
  batchNorm,
  conv2d,
  createRng,
  dense,
  flatten,
  globalAvgPool2d,
  maxPool2d,
  relu,
  reshape,
  sequential,
  softmax,
  standardize,
  tanh,
  type Layer,
  type Params,
  type Precision,
  type SequentialModel,
} from '../../../src/index.js';

/** A small model around one image layer kind, for export round trips. */
export interface ImageCase {
  readonly name: string;
  readonly layers: () => Layer[];
  /** The precisions the case runs in (default both; batchNorm computes in float64 only). */
  readonly precisions?: readonly Precision[];
}

/** One case or more per image layer kind (paddings, strides, odd sizes), and two small CNNs. */
export const IMAGE_CASES: readonly ImageCase[] = [
  { name: 'conv2d valid', layers: () => [conv2d({ inputShape: [5, 5, 2], filters: 3, kernelSize: 3 })] },
  {
    name: 'conv2d same, strides 2, no bias',
    layers: () => [conv2d({ inputShape: [6, 5, 2], filters: 3, kernelSize: [3, 2], strides: 2, padding: 'same', bias: false })],
  },
  { name: 'conv2d same, even kernel', layers: () => [conv2d({ inputShape: [5, 5, 1], filters: 2, kernelSize: 4, padding: 'same' })] },
  { name: 'maxPool2d valid', layers: () => [maxPool2d({ inputShape: [5, 5, 2] })] },
  { name: 'maxPool2d same, strides 2', layers: () => [maxPool2d({ inputShape: [5, 6, 2], poolSize: 3, strides: 2, padding: 'same' })] },
  { name: 'avgPool2d valid', layers: () => [avgPool2d({ inputShape: [5, 5, 2], poolSize: [2, 3], strides: [1, 2] })] },
  { name: 'avgPool2d same', layers: () => [avgPool2d({ inputShape: [5, 5, 2], poolSize: 3, strides: 2, padding: 'same' })] },
  { name: 'globalAvgPool2d', layers: () => [globalAvgPool2d({ inputShape: [4, 3, 2] }), dense(2, 2)] },
  { name: 'flatten', layers: () => [conv2d({ inputShape: [4, 4, 1], filters: 2, kernelSize: 2 }), flatten(), dense(18, 2)] },
  { name: 'reshape', layers: () => [dense(6, 32), reshape([4, 4, 2]), maxPool2d(), reshape([4, 2]), dense(8, 2)] },
  {
    name: 'rows layers between image layers (batchNorm, softmax)',
    layers: () => [
      conv2d({ inputShape: [4, 4, 1], filters: 2, kernelSize: 2 }),
      batchNorm({ epsilon: 0.01 }),
      relu(),
      reshape([3, 3, 2]),
      maxPool2d({ poolSize: 1 }),
      softmax(),
      reshape([3, 3, 2]),
      globalAvgPool2d(),
    ],
    precisions: ['float64'],
  },
  {
    name: 'cnn',
    layers: () => [
      reshape([8, 8, 1]),
      conv2d({ filters: 4, kernelSize: 3, padding: 'same' }),
      relu(),
      maxPool2d(),
      conv2d({ filters: 6, kernelSize: 3, strides: 2, padding: 'same' }),
      relu(),
      avgPool2d({ poolSize: 2, strides: 1, padding: 'same' }),
      conv2d({ filters: 5, kernelSize: 1 }),
      globalAvgPool2d(),
      dense(5, 3),
      softmax(),
    ],
  },
  {
    name: 'cnn flatten',
    layers: () => [
      conv2d({ inputShape: [7, 7, 2], filters: 4, kernelSize: 3, strides: 2 }),
      tanh(),
      avgPool2d({ poolSize: 2, strides: 1 }),
      flatten(),
      dense(16, 3),
    ],
  },
];

/** The case's model with weights uniform in [−1, 1]. */
export function imageModel(c: ImageCase, precision: Precision, seed = 3): { model: SequentialModel; params: Params } {
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

/**
 * Raw rows of `width` features (pixels around their own offsets and scales), as float32 values,
 * and a scaler fitted on them.
 */
export function imageRows(
  rows: number,
  width: number,
  seed = 5,
): { x: number[][]; scaler: ReturnType<ReturnType<typeof standardize>['fit']> } {
  const rng = createRng(seed);
  const offsets = Array.from({ length: width }, () => rng.uniform(0, 100));
  const scales = Array.from({ length: width }, () => rng.uniform(50, 100));
  const x: number[][] = [];
  for (let r = 0; r < rows; r++) x.push(Array.from(Float32Array.from(offsets, (o, k) => o + scales[k]! * rng.uniform(-1, 1))));
  return { x, scaler: standardize().fit(x) };
}
