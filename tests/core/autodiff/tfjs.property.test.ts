/**
 * Property test: random expressions of the op set, built by fast-check, evaluated by the tape
 * (float64) and by TensorFlow.js 4.22 `tf.valueAndGrads` (CPU backend, float32): the values and
 * the gradients with respect to every input agree to float32 tolerance.
 */
import * as tf from '@tensorflow/tfjs';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Tensor, TensorOps } from '../../../src/index.js';
import { evaluator } from './evaluate.js';

/** An expression tree over the inputs A, B ([3, 4]), r ([1, 4]), s ([1, 1]) and M ([4, 2]). */
type E = { readonly op: string; readonly args: readonly E[]; readonly k?: number };

const UNARY = [
  'neg',
  'square',
  'pow2',
  'pow3',
  'powHalf',
  'exp',
  'log',
  'log1p',
  'sqrt',
  'abs',
  'tanh',
  'sigmoid',
  'relu',
  'softplus',
  'cosh',
  'clip',
  'softmax0',
  'softmax1',
  'logSoftmax0',
  'logSoftmax1',
  'matmulMMt',
];
const BINARY = [
  'add',
  'sub',
  'mul',
  'div',
  'maximum',
  'minimum',
  'whereGreater',
  'whereLessEqual',
  'whereEqual',
  'whereGreaterEqual',
  'whereLess',
];
const BROADCAST = ['addRow', 'mulScalar', 'subMean1', 'mulSum0', 'addLse', 'addLse1', 'addPick', 'maxRow', 'divScalar'];

const leaf = fc.constantFrom<E>({ op: 'A', args: [] }, { op: 'B', args: [] });
const { expr } = fc.letrec<{ expr: E }>((tie) => ({
  expr: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.record({ op: fc.constantFrom(...UNARY), args: fc.tuple(tie('expr')) }),
    fc.record({ op: fc.constantFrom(...BINARY), args: fc.tuple(tie('expr'), tie('expr')) }),
    fc.record({ op: fc.constantFrom(...BROADCAST), args: fc.tuple(tie('expr')) }),
  ),
}));
const program = fc.record({ body: expr, reduce: fc.constantFrom('sum', 'mean', 'sum0', 'lse') });

// Domain-safe forms: log, sqrt, √ and division take x² + 0.5; exp and cosh take clip(x, −4, 4).
function ours(e: E, T: TensorOps, v: Record<string, Tensor>): Tensor {
  const a = e.args[0] === undefined ? undefined : ours(e.args[0], T, v);
  const b = e.args[1] === undefined ? undefined : ours(e.args[1], T, v);
  const pos = (x: Tensor) => T.add(T.square(x), 0.5);
  switch (e.op) {
    case 'A':
    case 'B':
      return v[e.op]!;
    case 'neg':
      return T.neg(a!);
    case 'square':
      return T.square(a!);
    case 'pow2':
      return T.pow(a!, 2);
    case 'pow3':
      return T.pow(a!, 3);
    case 'powHalf':
      return T.pow(pos(a!), 0.5);
    case 'exp':
      return T.exp(T.clip(a!, -4, 4));
    case 'log':
      return T.log(pos(a!));
    case 'log1p':
      return T.log1p(pos(a!));
    case 'sqrt':
      return T.sqrt(pos(a!));
    case 'abs':
      return T.abs(a!);
    case 'tanh':
      return T.tanh(a!);
    case 'sigmoid':
      return T.sigmoid(a!);
    case 'relu':
      return T.relu(a!);
    case 'softplus':
      return T.softplus(a!);
    case 'cosh':
      return T.cosh(T.clip(a!, -4, 4));
    case 'clip':
      return T.clip(a!, -1, 1.5);
    case 'softmax0':
      return T.softmax(a!, 0);
    case 'softmax1':
      return T.softmax(a!, 1);
    case 'logSoftmax0':
      return T.logSoftmax(a!, 0);
    case 'logSoftmax1':
      return T.logSoftmax(a!);
    case 'matmulMMt':
      return T.matmul(T.matmul(a!, v['M']!), T.transpose(v['M']!));
    case 'add':
      return T.add(a!, b!);
    case 'sub':
      return T.sub(a!, b!);
    case 'mul':
      return T.mul(a!, b!);
    case 'div':
      return T.div(a!, pos(b!));
    case 'maximum':
      return T.maximum(a!, b!);
    case 'minimum':
      return T.minimum(a!, b!);
    case 'whereGreater':
      return T.where(T.greater(a!, b!), T.mul(a!, 2), b!);
    case 'whereLessEqual':
      return T.where(T.lessEqual(a!, v['r']!), a!, T.neg(b!));
    case 'whereEqual':
      return T.where(T.equal(a!, b!), a!, T.add(a!, b!));
    case 'whereGreaterEqual':
      return T.where(T.greaterEqual(a!, 0.5), T.sqrt(T.add(T.square(b!), 1)), a!);
    case 'whereLess':
      return T.where(T.less(v['s']!, a!), b!, T.mul(a!, b!));
    case 'addRow':
      return T.add(a!, v['r']!);
    case 'mulScalar':
      return T.mul(a!, v['s']!);
    case 'subMean1':
      return T.sub(a!, T.mean(a!, 1));
    case 'mulSum0':
      return T.mul(a!, T.sum(v['B']!, 0));
    case 'addLse':
      return T.add(a!, T.logSumExp(v['A']!));
    case 'addLse1':
      return T.sub(a!, T.logSumExp(a!, 1));
    case 'addPick':
      return T.add(a!, T.pick(a!, T.constant([1, 3, 0], [3, 1])));
    case 'maxRow':
      return T.maximum(v['r']!, a!);
    default:
      return T.div(a!, T.add(T.square(v['s']!), 1));
  }
}

/** A copy outside the gradient tape (TensorFlow.js has no gradient for comparisons). */
const detach = (t: tf.Tensor): tf.Tensor => tf.tensor(t.dataSync(), t.shape);

function theirs(e: E, v: Record<string, tf.Tensor>): tf.Tensor {
  const a = e.args[0] === undefined ? undefined : theirs(e.args[0], v);
  const b = e.args[1] === undefined ? undefined : theirs(e.args[1], v);
  const pos = (x: tf.Tensor) => tf.add(tf.square(x), 0.5);
  const byCols = (f: (x: tf.Tensor) => tf.Tensor, x: tf.Tensor) => tf.transpose(f(tf.transpose(x)));
  switch (e.op) {
    case 'A':
    case 'B':
      return v[e.op]!;
    case 'neg':
      return tf.neg(a!);
    case 'square':
      return tf.square(a!);
    case 'pow2':
      return tf.pow(a!, tf.scalar(2));
    case 'pow3':
      return tf.pow(a!, tf.scalar(3));
    case 'powHalf':
      return tf.pow(pos(a!), tf.scalar(0.5));
    case 'exp':
      return tf.exp(tf.clipByValue(a!, -4, 4));
    case 'log':
      return tf.log(pos(a!));
    case 'log1p':
      return tf.log1p(pos(a!));
    case 'sqrt':
      return tf.sqrt(pos(a!));
    case 'abs':
      return tf.abs(a!);
    case 'tanh':
      return tf.tanh(a!);
    case 'sigmoid':
      return tf.sigmoid(a!);
    case 'relu':
      return tf.relu(a!);
    case 'softplus':
      return tf.softplus(a!);
    case 'cosh':
      return tf.cosh(tf.clipByValue(a!, -4, 4));
    case 'clip':
      return tf.clipByValue(a!, -1, 1.5);
    case 'softmax0':
      return byCols((x) => tf.softmax(x), a!);
    case 'softmax1':
      return tf.softmax(a!);
    case 'logSoftmax0':
      return byCols((x) => tf.logSoftmax(x), a!);
    case 'logSoftmax1':
      return tf.logSoftmax(a!);
    case 'matmulMMt':
      return tf.matMul(tf.matMul(a!, v['M']!), tf.transpose(v['M']!));
    case 'add':
      return tf.add(a!, b!);
    case 'sub':
      return tf.sub(a!, b!);
    case 'mul':
      return tf.mul(a!, b!);
    case 'div':
      return tf.div(a!, pos(b!));
    case 'maximum':
      return tf.maximum(a!, b!);
    case 'minimum':
      return tf.minimum(a!, b!);
    case 'whereGreater':
      return tf.where(tf.greater(detach(a!), detach(b!)), tf.mul(a!, 2), b!);
    case 'whereLessEqual':
      return tf.where(tf.lessEqual(detach(a!), detach(tf.broadcastTo(v['r']!, [3, 4]))), a!, tf.neg(b!));
    case 'whereEqual':
      return tf.where(tf.equal(detach(a!), detach(b!)), a!, tf.add(a!, b!));
    case 'whereGreaterEqual':
      return tf.where(tf.greaterEqual(detach(a!), 0.5), tf.sqrt(tf.add(tf.square(b!), 1)), a!);
    case 'whereLess':
      return tf.where(tf.less(detach(tf.broadcastTo(v['s']!, [3, 4])), detach(a!)), b!, tf.mul(a!, b!));
    case 'addRow':
      return tf.add(a!, v['r']!);
    case 'mulScalar':
      return tf.mul(a!, v['s']!);
    case 'subMean1':
      return tf.sub(a!, tf.mean(a!, 1, true));
    case 'mulSum0':
      return tf.mul(a!, tf.sum(v['B']!, 0, true));
    case 'addLse':
      return tf.add(a!, tf.logSumExp(v['A']!));
    case 'addLse1':
      return tf.sub(a!, tf.logSumExp(a!, 1, true));
    case 'addPick':
      return tf.add(a!, tf.sum(tf.mul(a!, tf.oneHot(tf.tensor1d([1, 3, 0], 'int32'), 4)), 1, true));
    case 'maxRow':
      return tf.maximum(tf.broadcastTo(v['r']!, [3, 4]), a!);
    default:
      return tf.div(a!, tf.add(tf.square(v['s']!), 1));
  }
}

/** Inputs exact in float32 (both sides see the same numbers), none tiny: ±[0.01, 2]. */
const input = fc.tuple(fc.boolean(), fc.double({ min: 0.01, max: 2, noNaN: true })).map(([neg, x]) => Math.fround(neg ? -x : x));
const SHAPES = [
  [3, 4],
  [3, 4],
  [1, 4],
  [1, 1],
  [4, 2],
] as const;
const NAMES = ['A', 'B', 'r', 's', 'M'] as const;
let expressions = 0;
const opsSeen = new Set<string>();
function countOps(e: E): number {
  opsSeen.add(e.op);
  return 1 + e.args.reduce((s, x) => s + countOps(x), 0);
}
let nodes = 0;

describe('autodiff against TensorFlow.js tf.valueAndGrads (random expressions)', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });
  afterAll(() => {
    console.log(
      `autodiff property test: ${expressions} expressions, ${nodes} operations in all, ${opsSeen.size - 2} of ${UNARY.length + BINARY.length + BROADCAST.length} expression forms`,
    );
  });

  it('values and gradients agree to float32 tolerance', () => {
    fc.assert(
      fc.property(program, fc.array(input, { minLength: 39, maxLength: 39 }), ({ body, reduce }, xs) => {
        const inputs = SHAPES.map(([r, c], i) => Float64Array.from(xs.slice([0, 12, 24, 28, 29][i], [0, 12, 24, 28, 29][i]! + r * c)));
        const fin = (T: TensorOps, x: Tensor) =>
          reduce === 'sum' ? x : reduce === 'mean' ? T.mean(x) : reduce === 'sum0' ? T.sum(x, 0) : T.logSumExp(x);
        // every input reaches the result (tf.valueAndGrads refuses an unused one): + 0.01 Σ inputs
        const touch = (T: TensorOps, x: Tensor, ins: readonly Tensor[]) =>
          ins.reduce((acc, t) => T.add(acc, T.sum(T.mul(t, 0.01))), T.sum(x));
        const e = evaluator(
          SHAPES,
          (ins, T) => touch(T, fin(T, ours(body, T, Object.fromEntries(NAMES.map((n, i) => [n, ins[i]!])))), ins),
          (n) => new Float64Array(n).fill(1),
        );
        const value = e.value(inputs);
        const grads = e.grad(inputs);
        const f = (...ts: tf.Tensor[]) => {
          const y = theirs(body, Object.fromEntries(NAMES.map((n, i) => [n, ts[i]!])));
          const r = reduce === 'sum' ? y : reduce === 'mean' ? tf.mean(y) : reduce === 'sum0' ? tf.sum(y, 0, true) : tf.logSumExp(y);
          return ts.reduce((acc, t) => tf.add(acc, tf.sum(tf.mul(t, 0.01))), tf.sum(r)) as tf.Scalar;
        };
        const tfIn = inputs.map((x, i) => tf.tensor2d(Array.from(x), [SHAPES[i]![0], SHAPES[i]![1]]));
        const got = tf.tidy(() => {
          const { value: v, grads: g } = tf.valueAndGrads(f)(tfIn);
          return { v: v.dataSync()[0]!, g: g.map((t) => Array.from(t.dataSync())) };
        });
        tfIn.forEach((t) => t.dispose());
        fc.pre(Number.isFinite(got.v) && got.g.every((g) => g.every(Number.isFinite)));
        expressions++;
        nodes += countOps(body);
        expect(Math.abs(value - got.v)).toBeLessThanOrEqual(2e-5 * Math.max(1, Math.abs(value)));
        let scale = 1;
        for (const g of grads) for (let i = 0; i < g.length; i++) scale = Math.max(scale, Math.abs(g[i]!));
        for (let k = 0; k < grads.length; k++) {
          for (let i = 0; i < grads[k]!.length; i++) {
            const d = Math.abs(grads[k]![i]! - got.g[k]![i]!);
            if (!(d <= 1e-4 * scale))
              expect.fail(
                `∂${NAMES[k]}[${i}]: ours ${grads[k]![i]}, tf ${got.g[k]![i]} (scale ${scale}) in ${JSON.stringify(body)} reduced by ${reduce}`,
              );
          }
        }
      }),
      { numRuns: 300, seed: 23 },
    );
    expect(expressions).toBeGreaterThan(250);
  });
});
