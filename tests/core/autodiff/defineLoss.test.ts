import { describe, expect, it } from 'vitest';
import { createRng, defineLoss, mse, softmaxCrossEntropy } from '../../../src/index.js';
import { expectGradient } from '../gradcheck.js';

const rng = createRng(7);
const rand = (n: number, scale = 1) => Float64Array.from({ length: n }, () => scale * rng.normal());
const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b), 1e-300);
function expectRel(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < actual.length; i++)
    if (!(rel(actual[i]!, expected[i]!) <= tol))
      expect.fail(`[${i}]: ${actual[i]} vs ${expected[i]} (relative ${rel(actual[i]!, expected[i]!)} > ${tol})`);
}

describe('defineLoss', () => {
  it('mean((p − t)²) equals mse() in value and gradient to 1e-15', () => {
    const mine = defineLoss('mse', (p, t, T) => T.mean(T.square(T.sub(p, t))));
    for (const [rows, cols] of [
      [64, 10],
      [1, 4],
      [7, 1],
    ] as const) {
      const p = rand(rows * cols);
      const t = rand(rows * cols);
      expectRel([mine.value(p, t, rows, cols)], [mse().value(p, t, rows, cols)], 1e-15);
      expectRel(
        mine.grad(new Float64Array(rows * cols), p, t, rows, cols),
        mse().grad(new Float64Array(rows * cols), p, t, rows, cols),
        1e-15,
      );
    }
  });

  const sparseCe = defineLoss('ce', (p, t, T) => T.neg(T.mean(T.pick(T.logSoftmax(p), t))));
  const denseCe = defineLoss('ce', (p, t, T) => T.neg(T.mean(T.sum(T.mul(t, T.logSoftmax(p)), 1))));

  it('softmax cross-entropy from logSoftmax equals softmaxCrossEntropy() to 1e-12 (labels and one-hot)', () => {
    const rows = 32;
    const cols = 10;
    const p = rand(rows * cols, 3);
    const labels = Float64Array.from({ length: rows }, () => rng.int(cols));
    const onehot = new Float64Array(rows * cols);
    for (let r = 0; r < rows; r++) onehot[r * cols + labels[r]!] = 1;
    const ce = softmaxCrossEntropy();
    for (const [mine, t] of [
      [sparseCe, labels],
      [denseCe, onehot],
    ] as const) {
      expectRel([mine.value(p, t, rows, cols)], [ce.value(p, t, rows, cols)], 1e-12);
      const g = mine.grad(new Float64Array(rows * cols), p, t, rows, cols);
      const ref = ce.grad(new Float64Array(rows * cols), p, t, rows, cols);
      for (let i = 0; i < g.length; i++) expect(Math.abs(g[i]! - ref[i]!)).toBeLessThanOrEqual(1e-12 * Math.max(Math.abs(ref[i]!), 1e-3));
    }
  });

  it('softmax cross-entropy stays finite for logits of ±1000', () => {
    const p = new Float64Array([1000, -1000, 0, -1000, 1000, -1000]);
    const t = new Float64Array([1, 2]);
    const ce = softmaxCrossEntropy();
    expect(sparseCe.value(p, t, 2, 3)).toBe(ce.value(p, t, 2, 3));
    expect(Number.isFinite(sparseCe.value(p, t, 2, 3))).toBe(true);
    expectRel(sparseCe.grad(new Float64Array(6), p, t, 2, 3), ce.grad(new Float64Array(6), p, t, 2, 3), 1e-12);
  });

  it('log-cosh and pinball losses match their formulas and finite differences', () => {
    const logcosh = defineLoss('logcosh', (p, t, T) => T.mean(T.log(T.cosh(T.sub(p, t)))));
    const q = 0.3;
    const pinball = defineLoss('pinball', (p, t, T) => {
      const e = T.sub(t, p);
      return T.mean(T.maximum(T.mul(q, e), T.mul(q - 1, e)));
    });
    const p = rand(12);
    const t = rand(12);
    let lc = 0;
    let pb = 0;
    for (let i = 0; i < 12; i++) {
      lc += Math.log(Math.cosh(p[i]! - t[i]!));
      const e = t[i]! - p[i]!;
      pb += Math.max(q * e, (q - 1) * e);
    }
    expect(logcosh.value(p, t, 3, 4)).toBeCloseTo(lc / 12, 14);
    expect(pinball.value(p, t, 3, 4)).toBeCloseTo(pb / 12, 14);
    for (const l of [logcosh, pinball]) {
      const g = Float64Array.from(l.grad(new Float64Array(12), p, t, 3, 4));
      expectGradient(l.name, () => l.value(p, t, 3, 4), p, g, 1e-7);
    }
  });

  it('records once per shape and reuses its buffers: the gradient lands in `out`', () => {
    let records = 0;
    const l = defineLoss('count', (p, t, T) => {
      records++;
      return T.sum(T.mul(p, t));
    });
    const out = new Float64Array(4);
    for (let i = 0; i < 3; i++) expect(l.grad(out, new Float64Array(4), new Float64Array([1, 2, 3, 4]), 2, 2)).toBe(out);
    l.value(new Float64Array(6), new Float64Array(6), 3, 2);
    l.value(new Float64Array(4), new Float64Array(4), 2, 2);
    expect(records).toBe(2);
    expect(Array.from(out)).toEqual([1, 2, 3, 4]);
  });

  it('computes in float32 on float32 buffers', () => {
    const l = defineLoss('mse', (p, t, T) => T.mean(T.square(T.sub(p, t))));
    const p = new Float32Array([1, 2, 3]) as unknown as Float64Array;
    const t = new Float32Array([0, 0, 0]) as unknown as Float64Array;
    const out = new Float32Array(3) as unknown as Float64Array;
    expect(l.value(p, t, 1, 3)).toBeCloseTo(14 / 3, 6);
    expect(Array.from(l.grad(out, p, t, 1, 3))).toEqual([2 / 3, 4 / 3, 2].map(Math.fround));
  });

  it('names itself in toConfig when told its module', () => {
    expect(defineLoss('a', (p, _t, T) => T.sum(p)).toConfig).toBeUndefined();
    const l = defineLoss('logcosh', (p, _t, T) => T.sum(p), { module: new URL('file:///x/losses.js') });
    expect(l.toConfig?.()).toEqual({ type: 'module', module: 'file:///x/losses.js', export: 'logcosh' });
  });

  it('errors name the loss, the field and the shapes', () => {
    expect(() => defineLoss('', (p) => p)).toThrow('defineLoss(name): expected a non-empty string, received ""');
    const notScalar = defineLoss('rows', (p, t, T) => T.mean(T.sub(p, t), 1));
    expect(() => notScalar.value(new Float64Array(4), new Float64Array(4), 2, 2)).toThrow(
      'defineLoss("rows"): the expression\'s result: expected a scalar [1, 1] (reduce with T.mean or T.sum), received [2, 1]',
    );
    const l = defineLoss('mse', (p, t, T) => T.mean(T.square(T.sub(p, t))));
    expect(() => l.value(new Float64Array(4), new Float64Array(3), 2, 2)).toThrow(
      'defineLoss("mse")(target): expected 4 values (2 rows × 2 columns) or 2 labels (one per row), received 3',
    );
    expect(() => sparseCe.value(new Float64Array(4), new Float64Array([0, 5]), 2, 2)).toThrow(
      'defineLoss("ce"): T.pick(labels)[1]: expected a class label, an integer in [0, 2), received 5',
    );
    const foreign = defineLoss('x', (p) => p);
    expect(() => defineLoss('y', (_p, _t, T) => T.sum(T.constant(1))).value(new Float64Array(1), new Float64Array(1), 1, 1)).toThrow(
      /expected a value that depends on pred/,
    );
    expect(() => foreign.value(new Float64Array(2), new Float64Array(2), 1, 2)).toThrow(/expected a scalar/);
  });
});
