/**
 * Cross-check against TensorFlow.js 4.22 (CPU backend, float32): the same weights (set with
 * `setWeights`), the same inputs; the forward output and the gradients of `Σ w ⊙ y` with respect
 * to every weight and to the input (`tf.variableGrads`, `tf.grad`) are compared with ours in
 * float64 and in float32. TensorFlow.js' GRU implements only `resetAfter: false`; the Keras 2+
 * default (`resetAfter: true`) is checked against the same formulas written with TensorFlow.js
 * operations.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { embedding, gru, lstm, type Layer } from '../../../src/index.js';
import { layerCase, passes, type LayerCase } from './layerPasses.js';

const B = 3;
const T = 7;
const F = 4;
const U = 6;
/** float32 agreement: largest difference relative to the largest magnitude of each tensor. */
const TOL = 2e-6;
const measured: Record<string, number> = {};

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** The reference's output and gradients (weights in our tensor order, then the input). */
interface Reference {
  readonly y: ArrayLike<number>;
  readonly grads: readonly ArrayLike<number>[];
  readonly dX: ArrayLike<number> | null;
}

function tfLayerReference(c: LayerCase, make: () => tf.layers.Layer, shape: number[], dtype: 'float32' | 'int32' = 'float32'): Reference {
  let out: Reference | undefined;
  tf.tidy(() => {
    const layer = make();
    const x = tf.tensor(Array.from(c.x), [c.batch, ...shape], dtype);
    layer.apply(x);
    layer.setWeights(c.layer.params.map((p, k) => tf.tensor(Array.from(c.params[k]!), [...p.shape])));
    const w = tf.tensor(Array.from(c.w), (layer.apply(x) as tf.Tensor).shape);
    const f = (input: tf.Tensor): tf.Scalar => tf.sum(tf.mul(layer.apply(input) as tf.Tensor, w));
    const vars = layer.trainableWeights.map((v) => v.read() as tf.Variable);
    const { grads } = tf.variableGrads(() => f(x), vars);
    const dX = dtype === 'float32' ? tf.grad(f)(x).dataSync() : null;
    out = { y: (layer.apply(x) as tf.Tensor).dataSync(), grads: vars.map((v) => grads[v.name]!.dataSync()), dX };
  });
  return out!;
}

/** Keras' GRU with `reset_after=True`, in TensorFlow.js operations. */
function gruResetAfterReference(c: LayerCase): Reference {
  let out: Reference | undefined;
  tf.tidy(() => {
    const W = tf.variable(tf.tensor2d(Array.from(c.params[0]!), [F, 3 * U]));
    const Uw = tf.variable(tf.tensor2d(Array.from(c.params[1]!), [U, 3 * U]));
    const b = tf.variable(tf.tensor2d(Array.from(c.params[2]!), [2, 3 * U]));
    const w = tf.tensor2d(Array.from(c.w), [c.batch, U]);
    const run = (x: tf.Tensor): tf.Tensor => {
      let h: tf.Tensor = tf.zeros([c.batch, U]);
      const [bIn, bRec] = tf.split(b, 2, 0);
      for (let t = 0; t < T; t++) {
        const xt = tf.squeeze(tf.slice(x, [0, t, 0], [c.batch, 1, F]), [1]);
        const [xz, xr, xh] = tf.split(tf.add(tf.matMul(xt, W), bIn!), 3, 1);
        const [mz, mr, mh] = tf.split(tf.add(tf.matMul(h, Uw), bRec!), 3, 1);
        const z = tf.sigmoid(tf.add(xz!, mz!));
        const r = tf.sigmoid(tf.add(xr!, mr!));
        const hh = tf.tanh(tf.add(xh!, tf.mul(r, mh!)));
        h = tf.add(tf.mul(z, h), tf.mul(tf.sub(1, z), hh));
      }
      return h;
    };
    const x = tf.tensor3d(Array.from(c.x), [c.batch, T, F]);
    const f = (input: tf.Tensor): tf.Scalar => tf.sum(tf.mul(run(input), w));
    const vars = [W, Uw, b];
    const { grads } = tf.variableGrads(() => f(x), vars);
    out = { y: run(x).dataSync(), grads: vars.map((v) => grads[v.name]!.dataSync()), dX: tf.grad(f)(x).dataSync() };
    vars.forEach((v) => v.dispose());
  });
  return out!;
}

function worstDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let scale = 0;
  let d = 0;
  for (let i = 0; i < b.length; i++) {
    scale = Math.max(scale, Math.abs(b[i]!));
    d = Math.max(d, Math.abs(a[i]! - b[i]!));
  }
  return d / scale;
}

function expectAgreement(name: string, layer: Layer, c: LayerCase, ref: Reference): void {
  for (const f32 of [false, true]) {
    const ours = passes(c, f32 ? layer.float32!() : layer, f32);
    let worst = worstDifference(ours.y, ref.y);
    ours.grads.forEach((g, k) => (worst = Math.max(worst, worstDifference(g, ref.grads[k]!))));
    if (ref.dX !== null) worst = Math.max(worst, worstDifference(ours.dX, ref.dX));
    measured[`${name} (${f32 ? 'float32' : 'float64'})`] = worst;
    expect(worst, `${name} ${f32 ? 'float32' : 'float64'}`).toBeLessThan(TOL);
  }
}

describe('sequence layers agree with TensorFlow.js 4.22', () => {
  it.each([false, true])('lstm (returnSequences %s) = tf.layers.lstm', (returnSequences) => {
    const layer = lstm(U, { timesteps: T, features: F, returnSequences });
    const c = layerCase(layer, B, 21);
    const ref = tfLayerReference(c, () => tf.layers.lstm({ units: U, returnSequences, recurrentActivation: 'sigmoid' }), [T, F]);
    expectAgreement(`lstm${returnSequences ? ' returnSequences' : ''}`, layer, c, ref);
  });

  it.each([false, true])('gru, resetAfter false (returnSequences %s) = tf.layers.gru (its only convention)', (returnSequences) => {
    const layer = gru(U, { timesteps: T, features: F, returnSequences, resetAfter: false });
    const c = layerCase(layer, B, 22);
    const ref = tfLayerReference(c, () => tf.layers.gru({ units: U, returnSequences, recurrentActivation: 'sigmoid' }), [T, F]);
    expectAgreement(`gru resetAfter false${returnSequences ? ' returnSequences' : ''}`, layer, c, ref);
  });

  it('gru, resetAfter true (Keras 2+) = its formulas in TensorFlow.js operations', () => {
    const layer = gru(U, { timesteps: T, features: F });
    const c = layerCase(layer, B, 23);
    expectAgreement('gru resetAfter true', layer, c, gruResetAfterReference(c));
  });

  it('embedding = tf.layers.embedding', () => {
    const layer = embedding(9, 5, { inputLength: T });
    const ids = Array.from({ length: B * T }, (_, i) => (i * 7) % 9);
    const c = layerCase(layer, B, 24, ids);
    const ref = tfLayerReference(c, () => tf.layers.embedding({ inputDim: 9, outputDim: 5, inputLength: T }), [T], 'int32');
    expectAgreement('embedding', layer, c, ref);
  });

  it('reports the measured agreement', () => {
    console.log(
      Object.entries(measured)
        .map(([n, d]) => `${n}: ${d.toExponential(2)}`)
        .join('\n'),
    );
    expect(Object.keys(measured)).toHaveLength(12);
  });
});
