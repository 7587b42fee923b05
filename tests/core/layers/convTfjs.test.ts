/**
 * Agreement with TensorFlow.js 4.22 layers (CPU backend, float32): the same weights and inputs
 * through tf.layers.conv2d, maxPooling2d, averagePooling2d, globalAveragePooling2d, flatten and
 * reshape; outputs, kernel and bias gradients (tf.variableGrads) and input gradients (tf.grad) of
 * `L = Σ y ⊙ r` compared with ours in float64 and in float32.
 *
 * One exception, marked `adjoint`: average pooling with 'same' padding. tfjs 4.22's CPU
 * AvgPoolGrad divides by the whole window even where the padding cuts it, while its forward pass
 * (like TensorFlow's) averages the cells inside only, so its gradient is not the gradient of its
 * own forward pass. There the reference input gradient is the adjoint of tfjs's forward pass (the
 * layer is linear: ∂L/∂x_i = Σ_o r_o · y_o(e_i), from tfjs outputs for the unit inputs e_i); our
 * backward pass also matches finite differences (pool2d.test.ts).
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { avgPool2d, conv2d, flatten, globalAvgPool2d, maxPool2d, reshape, type Layer } from '../../../src/index.js';
import { layerRun } from './convHarness.js';

type TfLayer = tf.layers.Layer;
const CASES: readonly { name: string; ours: () => Layer; theirs: () => TfLayer; inShape: number[]; adjoint?: true }[] = [
  {
    name: 'conv2d 3×3 valid',
    inShape: [6, 5, 2],
    ours: () => conv2d({ inputShape: [6, 5, 2], filters: 4, kernelSize: 3 }),
    theirs: () => tf.layers.conv2d({ filters: 4, kernelSize: 3 }),
  },
  {
    name: 'conv2d 3×3 same',
    inShape: [8, 8, 1],
    ours: () => conv2d({ inputShape: [8, 8, 1], filters: 8, kernelSize: 3, padding: 'same' }),
    theirs: () => tf.layers.conv2d({ filters: 8, kernelSize: 3, padding: 'same' }),
  },
  {
    name: 'conv2d [2, 3] same strides 2',
    inShape: [7, 6, 3],
    ours: () => conv2d({ inputShape: [7, 6, 3], filters: 5, kernelSize: [2, 3], strides: 2, padding: 'same' }),
    theirs: () => tf.layers.conv2d({ filters: 5, kernelSize: [2, 3], strides: 2, padding: 'same' }),
  },
  {
    name: 'conv2d 4×4 same, no bias',
    inShape: [5, 5, 2],
    ours: () => conv2d({ inputShape: [5, 5, 2], filters: 3, kernelSize: 4, padding: 'same', bias: false }),
    theirs: () => tf.layers.conv2d({ filters: 3, kernelSize: 4, padding: 'same', useBias: false }),
  },
  {
    name: 'conv2d 3×3 valid strides [2, 1]',
    inShape: [7, 6, 2],
    ours: () => conv2d({ inputShape: [7, 6, 2], filters: 2, kernelSize: 3, strides: [2, 1] }),
    theirs: () => tf.layers.conv2d({ filters: 2, kernelSize: 3, strides: [2, 1] }),
  },
  {
    name: 'conv2d 1×1',
    inShape: [3, 4, 6],
    ours: () => conv2d({ inputShape: [3, 4, 6], filters: 5, kernelSize: 1 }),
    theirs: () => tf.layers.conv2d({ filters: 5, kernelSize: 1 }),
  },
  {
    name: 'conv2d 1×1 strides 2 same',
    inShape: [5, 4, 3],
    ours: () => conv2d({ inputShape: [5, 4, 3], filters: 2, kernelSize: 1, strides: 2, padding: 'same' }),
    theirs: () => tf.layers.conv2d({ filters: 2, kernelSize: 1, strides: 2, padding: 'same' }),
  },
  {
    name: 'maxPool2d 2×2',
    inShape: [6, 6, 3],
    ours: () => maxPool2d({ inputShape: [6, 6, 3] }),
    theirs: () => tf.layers.maxPooling2d({ poolSize: 2 }),
  },
  {
    name: 'maxPool2d 3×3 strides 2 same',
    inShape: [7, 6, 2],
    ours: () => maxPool2d({ inputShape: [7, 6, 2], poolSize: 3, strides: 2, padding: 'same' }),
    theirs: () => tf.layers.maxPooling2d({ poolSize: 3, strides: 2, padding: 'same' }),
  },
  {
    name: 'avgPool2d 2×2',
    inShape: [6, 6, 3],
    ours: () => avgPool2d({ inputShape: [6, 6, 3] }),
    theirs: () => tf.layers.averagePooling2d({ poolSize: 2 }),
  },
  {
    name: 'avgPool2d 3×3 strides 2 same',
    inShape: [7, 6, 2],
    ours: () => avgPool2d({ inputShape: [7, 6, 2], poolSize: 3, strides: 2, padding: 'same' }),
    theirs: () => tf.layers.averagePooling2d({ poolSize: 3, strides: 2, padding: 'same' }),
    adjoint: true,
  },
  {
    name: 'avgPool2d [2, 3] strides 1 same',
    inShape: [4, 5, 2],
    ours: () => avgPool2d({ inputShape: [4, 5, 2], poolSize: [2, 3], strides: 1, padding: 'same' }),
    theirs: () => tf.layers.averagePooling2d({ poolSize: [2, 3], strides: 1, padding: 'same' }),
    adjoint: true,
  },
  {
    name: 'globalAvgPool2d',
    inShape: [4, 5, 6],
    ours: () => globalAvgPool2d({ inputShape: [4, 5, 6] }),
    theirs: () => tf.layers.globalAveragePooling2d({}),
  },
  { name: 'flatten', inShape: [3, 4, 5], ours: () => flatten({ inputShape: [3, 4, 5] }), theirs: () => tf.layers.flatten() },
  { name: 'reshape', inShape: [60], ours: () => reshape([3, 4, 5]), theirs: () => tf.layers.reshape({ targetShape: [3, 4, 5] }) },
];
const BATCH = 3;
/** Worst |ours − theirs| / max|theirs| per case and quantity, reported at the end. */
const measured: Record<string, number> = {};

function relDiff(label: string, ours: ArrayLike<number>, theirs: ArrayLike<number>): number {
  expect(ours.length, `${label}: length`).toBe(theirs.length);
  let scale = 0;
  let worst = 0;
  for (let i = 0; i < theirs.length; i++) scale = Math.max(scale, Math.abs(theirs[i]!));
  for (let i = 0; i < theirs.length; i++) worst = Math.max(worst, Math.abs(ours[i]! - theirs[i]!) / scale);
  measured[label] = Math.max(measured[label] ?? 0, worst);
  return worst;
}

interface Theirs {
  y: Float32Array;
  grads: Float32Array[];
  dX: Float32Array;
}

function tfPasses(
  make: () => TfLayer,
  inShape: number[],
  params: readonly Float64Array[],
  shapes: readonly (readonly number[])[],
  x: Float64Array,
  r: Float64Array,
  outShape: number[],
): Theirs {
  return tf.tidy(() => {
    const layer = make();
    const xt = tf.tensor(Float32Array.from(x), [BATCH, ...inShape]);
    const rt = tf.tensor(Float32Array.from(r), [BATCH, ...outShape]);
    layer.apply(xt); // builds the weights
    if (params.length > 0) layer.setWeights(params.map((p, i) => tf.tensor(Float32Array.from(p), [...shapes[i]!])));
    const loss = (input: tf.Tensor): tf.Scalar => tf.sum(tf.mul(layer.apply(input) as tf.Tensor, rt));
    const y = (layer.apply(xt) as tf.Tensor).dataSync() as Float32Array;
    const vars = layer.trainableWeights.map((w) => w.read() as tf.Variable);
    const grads =
      vars.length === 0
        ? []
        : (() => {
            const g = tf.variableGrads(() => loss(xt), vars).grads;
            return vars.map((v) => g[v.name]!.dataSync() as Float32Array);
          })();
    const dX = tf.grad(loss)(xt).dataSync() as Float32Array;
    return { y: Float32Array.from(y), grads: grads.map((g) => Float32Array.from(g)), dX: Float32Array.from(dX) };
  });
}

/** `∂L/∂x` of a linear layer from its tfjs forward pass only: the outputs for the unit inputs, weighted by `r`. */
function tfAdjoint(make: () => TfLayer, inShape: number[], r: Float64Array, outputs: number): Float32Array {
  const n = inShape.reduce((a, b) => a * b, 1);
  const basis = new Float32Array(n * n);
  for (let i = 0; i < n; i++) basis[i * n + i] = 1;
  const y = tf.tidy(() => (make().apply(tf.tensor(basis, [n, ...inShape])) as tf.Tensor).dataSync() as Float32Array);
  const dX = new Float32Array(BATCH * n);
  for (let b = 0; b < BATCH; b++) {
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let o = 0; o < outputs; o++) s += r[b * outputs + o]! * y[i * outputs + o]!;
      dX[b * n + i] = s;
    }
  }
  return dX;
}

describe('agreement with TensorFlow.js layers (float32)', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
    await tf.ready();
  });
  afterAll(() => {
    const rows = Object.entries(measured).map(([k, v]) => `${k}: ${v.toExponential(1)}`);
    console.log(`largest |ours − tfjs| / max|tfjs|:\n  ${rows.join('\n  ')}`);
  });

  for (const c of CASES) {
    it(`${c.name}: forward, parameter and input gradients (float64 and float32 forms)`, () => {
      const layer = c.ours();
      const run = layerRun(layer, BATCH, 11);
      const ours = run.passes();
      const outShape = [...(layer.outputShape ?? [layer.outputs])];
      const theirs = tfPasses(
        c.theirs,
        c.inShape,
        run.params,
        layer.params.map((p) => p.shape),
        run.x,
        run.r,
        outShape,
      );
      if (c.adjoint === true) theirs.dX = tfAdjoint(c.theirs, c.inShape, run.r, layer.outputs);
      expect(relDiff(`${c.name} y`, ours.y, theirs.y)).toBeLessThan(3e-6);
      expect(relDiff(`${c.name} dX`, ours.dX, theirs.dX)).toBeLessThan(3e-6);
      expect(theirs.grads.length).toBe(ours.grads.length);
      ours.grads.forEach((g, i) => expect(relDiff(`${c.name} d${layer.params[i]!.name}`, g, theirs.grads[i]!)).toBeLessThan(3e-6));
      // the float32 form against the same numbers
      const f32 = layer.float32!();
      const as32 = (a: ArrayLike<number>) => Float32Array.from(a) as unknown as Float64Array;
      const p32 = run.params.map(as32);
      const y32 = as32(new Float32Array(ours.y.length));
      const ctx = { ...run.ctx, scratch: f32.createScratch?.(BATCH) ?? [] };
      f32.forward(p32, as32(run.x), y32, BATCH, ctx);
      const g32 = p32.map((p) => as32(new Float32Array(p.length)));
      const dX32 = as32(new Float32Array(run.x.length));
      f32.backward(p32, as32(run.x), y32, as32(run.r), dX32, g32, BATCH, ctx);
      expect(relDiff(`${c.name} y (float32)`, y32, theirs.y)).toBeLessThan(3e-6);
      expect(relDiff(`${c.name} dX (float32)`, dX32, theirs.dX)).toBeLessThan(3e-6);
      g32.forEach((g, i) => expect(relDiff(`${c.name} d${layer.params[i]!.name} (float32)`, g, theirs.grads[i]!)).toBeLessThan(3e-6));
    });
  }
});
