/**
 * Cross-check against TensorFlow.js 4.22 (CPU backend, float32): the same optimizer, the same
 * problem, 50 steps in both, parameters compared after every step. The problem keeps gradients
 * large over those steps (see TOOLCHAIN.md on float32 near optima), and parameters away from 0,
 * so a relative comparison is meaningful.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { adagrad, adam, momentum, nesterov, rmsprop, sgd, type GradientTransformation, type OptState } from '../../../src/index.js';
import { stepper } from './problems.js';

const START = [2.5, -1.5, 3, 1.2, 4];
const A = [1, 3, 0.5, 10, 2];
const C = [1.5, -3, 1, 2, 1];
const STEPS = 50;
/** float32 agreement: relative difference of every parameter at every step. */
const TOL = 1e-5;

const grad = <T extends Float64Array | Float32Array>(out: T, w: ArrayLike<number>): T => {
  for (let i = 0; i < w.length; i++) out[i] = A[i]! * (w[i]! - C[i]!);
  return out;
};

const cases: readonly { name: string; ours: () => GradientTransformation<OptState[]>; theirs: () => tf.Optimizer }[] = [
  { name: 'sgd', ours: () => sgd({ lr: 0.01 }), theirs: () => tf.train.sgd(0.01) },
  { name: 'momentum', ours: () => momentum({ lr: 0.01, momentum: 0.9 }), theirs: () => tf.train.momentum(0.01, 0.9) },
  { name: 'nesterov', ours: () => nesterov({ lr: 0.01, momentum: 0.9 }), theirs: () => tf.train.momentum(0.01, 0.9, true) },
  {
    name: 'sgd (momentum 0.8, nesterov)',
    ours: () => sgd({ lr: 0.01, momentum: 0.8, nesterov: true }),
    theirs: () => tf.train.momentum(0.01, 0.8, true),
  },
  { name: 'adagrad', ours: () => adagrad({ lr: 0.1, initialAccumulatorValue: 0.1 }), theirs: () => tf.train.adagrad(0.1, 0.1) },
  { name: 'rmsprop', ours: () => rmsprop({ lr: 0.01, rho: 0.9, epsilon: 1e-7 }), theirs: () => tf.train.rmsprop(0.01, 0.9, 0, 1e-7) },
  {
    name: 'rmsprop (momentum 0.9)',
    ours: () => rmsprop({ lr: 0.01, rho: 0.9, momentum: 0.9, epsilon: 1e-7 }),
    theirs: () => tf.train.rmsprop(0.01, 0.9, 0.9, 1e-7),
  },
  {
    name: 'rmsprop (centered)',
    ours: () => rmsprop({ lr: 0.01, rho: 0.9, centered: true, epsilon: 1e-7 }),
    theirs: () => tf.train.rmsprop(0.01, 0.9, 0, 1e-7, true),
  },
  {
    name: 'rmsprop (centered, momentum 0.5)',
    ours: () => rmsprop({ lr: 0.01, rho: 0.8, momentum: 0.5, centered: true }),
    theirs: () => tf.train.rmsprop(0.01, 0.8, 0.5, 1e-7, true),
  },
  {
    name: 'adam',
    ours: () => adam({ lr: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 }),
    theirs: () => tf.train.adam(0.01, 0.9, 0.999, 1e-7),
  },
  {
    name: 'adam (beta1 0.5, beta2 0.9)',
    ours: () => adam({ lr: 0.05, beta1: 0.5, beta2: 0.9 }),
    theirs: () => tf.train.adam(0.05, 0.5, 0.9, 1e-7),
  },
];

/** Largest relative difference per case, reported at the end. */
const measured: Record<string, number> = {};

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('agrees with TensorFlow.js 4.22 over 50 steps', () => {
  it.each(cases)('$name', ({ name, ours, theirs }) => {
    const s = stepper(ours(), { grad }, START);
    const opt = theirs();
    const w = tf.variable(tf.tensor1d(START, 'float32'));
    const g32 = new Float32Array(START.length);
    let worst = 0;
    for (let k = 0; k < STEPS; k++) {
      grad(g32, w.dataSync());
      tf.tidy(() => opt.applyGradients({ [w.name]: tf.tensor1d(g32) }));
      const ref = w.dataSync();
      const mine = s.step();
      for (let i = 0; i < START.length; i++) worst = Math.max(worst, Math.abs(mine[i]! - ref[i]!) / Math.abs(ref[i]!));
    }
    opt.dispose();
    w.dispose();
    measured[name] = worst;
    expect(worst).toBeLessThan(TOL);
    // the run moved the parameters, so the comparison says something
    expect(Math.abs(s.params.data[0]! - START[0]!)).toBeGreaterThan(0.05);
  });

  it('reports the measured agreement', () => {
    console.log(
      Object.entries(measured)
        .map(([n, d]) => `${n}: ${d.toExponential(2)}`)
        .join('\n'),
    );
    expect(Object.keys(measured)).toHaveLength(cases.length);
  });
});
