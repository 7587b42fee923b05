import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GradstreamError, binaryCrossEntropy, createRng, huber, mae, mse, softmaxCrossEntropy, type Loss } from '../../../src/index.js';
import { expectClose } from '../../helpers/expectClose.js';
import { expectGradient } from '../gradcheck.js';

interface Case {
  name: string;
  options: { delta?: number; fromLogits?: boolean };
  rows: number;
  cols: number;
  pred: number[];
  target: number[];
  value: number;
  grad: number[];
}

const make: Record<string, (o: Case['options']) => Loss> = {
  mse: () => mse(),
  mae: () => mae(),
  huber: (o) => huber(o.delta),
  binaryCrossEntropy: (o) => binaryCrossEntropy({ fromLogits: o.fromLogits ?? false }),
  softmaxCrossEntropy: (o) => softmaxCrossEntropy({ fromLogits: o.fromLogits ?? true }),
};

describe('losses: reference values (tests/fixtures/losses, written by scripts/loss-fixtures.py)', () => {
  for (const name of Object.keys(make)) {
    const file = JSON.parse(readFileSync(new URL(`../../fixtures/losses/${name}.json`, import.meta.url), 'utf8')) as { cases: Case[] };
    for (const c of file.cases) {
      it(`${name}: ${c.name}`, () => {
        const l = make[name]!(c.options);
        const pred = Float64Array.from(c.pred);
        const target = Float64Array.from(c.target);
        expect(l.value(pred, target, c.rows, c.cols)).toBeCloseTo(c.value, 13);
        const out = l.grad(new Float64Array(pred.length), pred, target, c.rows, c.cols);
        expectClose(out, c.grad, 1e-13);
        expect(l.name).toBe(name);
      });
    }
  }
});

/** Random predictions and targets suited to each loss, kept away from kinks and clipping. */
const gradCases: readonly [
  string,
  (rng: ReturnType<typeof createRng>, rows: number, cols: number) => { loss: Loss; pred: Float64Array; target: Float64Array },
][] = [
  ['mse', (rng, rows, cols) => ({ loss: mse(), pred: rand(rng, rows * cols, -3, 3), target: rand(rng, rows * cols, -3, 3) })],
  [
    'mae',
    (rng, rows, cols) => {
      const target = rand(rng, rows * cols, -3, 3);
      const pred = target.map((t) => t + (rng.next() < 0.5 ? -1 : 1) * rng.uniform(0.05, 2));
      return { loss: mae(), pred, target };
    },
  ],
  [
    'huber',
    (rng, rows, cols) => {
      const delta = rng.uniform(0.3, 2);
      const target = rand(rng, rows * cols, -3, 3);
      // |d| away from 0 is not needed (smooth there); away from ±delta (the second derivative jumps).
      const pred = target.map((t) => {
        let d = rng.uniform(-3 * delta, 3 * delta);
        if (Math.abs(Math.abs(d) - delta) < 0.05) d += 0.1;
        return t + d;
      });
      return { loss: huber(delta), pred, target };
    },
  ],
  [
    'binaryCrossEntropy (probabilities)',
    (rng, rows, cols) => ({ loss: binaryCrossEntropy(), pred: rand(rng, rows * cols, 0.02, 0.98), target: rand(rng, rows * cols, 0, 1) }),
  ],
  [
    'binaryCrossEntropy (logits)',
    (rng, rows, cols) => ({
      loss: binaryCrossEntropy({ fromLogits: true }),
      pred: rand(rng, rows * cols, -6, 6),
      target: rand(rng, rows * cols, 0, 1),
    }),
  ],
  [
    'softmaxCrossEntropy (logits, labels)',
    (rng, rows, cols) => ({
      loss: softmaxCrossEntropy(),
      pred: rand(rng, rows * cols, -5, 5),
      target: Float64Array.from({ length: rows }, () => rng.int(cols)),
    }),
  ],
  [
    'softmaxCrossEntropy (logits, soft targets)',
    (rng, rows, cols) => ({
      loss: softmaxCrossEntropy({ fromLogits: true }),
      pred: rand(rng, rows * cols, -5, 5),
      target: rand(rng, rows * cols, 0, 1),
    }),
  ],
  [
    'softmaxCrossEntropy (probabilities, one-hot)',
    (rng, rows, cols) => {
      const target = new Float64Array(rows * cols);
      for (let r = 0; r < rows; r++) target[r * cols + rng.int(cols)] = 1;
      return { loss: softmaxCrossEntropy({ fromLogits: false }), pred: rand(rng, rows * cols, 0.02, 0.98), target };
    },
  ],
  [
    'softmaxCrossEntropy (probabilities, labels)',
    (rng, rows, cols) => ({
      loss: softmaxCrossEntropy({ fromLogits: false }),
      pred: rand(rng, rows * cols, 0.02, 0.98),
      target: Float64Array.from({ length: rows }, () => rng.int(cols)),
    }),
  ],
];

function rand(rng: ReturnType<typeof createRng>, n: number, lo: number, hi: number): Float64Array {
  return Float64Array.from({ length: n }, () => rng.uniform(lo, hi));
}

describe('losses: finite-difference gradient checks at random shapes', () => {
  for (const [name, gen] of gradCases) {
    it(name, () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 1, max: 8 }),
          fc.integer({ min: 2, max: 6 }),
          fc.integer({ min: 0, max: 1e9 }),
          (rows, cols, seed) => {
            const { loss, pred, target } = gen(createRng(seed), rows, cols);
            const g = loss.grad(new Float64Array(pred.length).fill(Number.NaN), pred, target, rows, cols);
            expectGradient(name, () => loss.value(pred, target, rows, cols), pred, g);
          },
        ),
        { numRuns: 40 },
      );
    });
  }
});

describe('losses: stability', () => {
  it('binary cross-entropy from logits of ±1000 is finite and exact', () => {
    const l = binaryCrossEntropy({ fromLogits: true });
    const z = new Float64Array([1000, -1000, 1000, -1000, 40, -40]);
    const t = new Float64Array([1, 0, 0, 1, 1, 1]);
    const v = l.value(z, t, 6, 1);
    // right with certainty: 0; wrong by 1000: 1000 each; 40 → 1 costs log1p(e^-40); −40 → 1 costs 40 + log1p(e^-40)
    expect(v).toBeCloseTo((2000 + 40 + 2 * Math.log1p(Math.exp(-40))) / 6, 12);
    const g = l.grad(new Float64Array(6), z, t, 6, 1);
    expect(g.every(Number.isFinite)).toBe(true);
    expectClose(g, [0, 0, 1 / 6, -1 / 6, 0, -1 / 6], 1e-15);
  });

  it('binary cross-entropy from probabilities 0 and 1 is finite (clipped as in Keras)', () => {
    const l = binaryCrossEntropy();
    const p = new Float64Array([0, 1, 1, 0]);
    const t = new Float64Array([0, 1, 0, 1]);
    const v = l.value(p, t, 2, 2);
    expect(v).toBeCloseTo(-Math.log(1e-7) / 2, 6);
    expect(Array.from(l.grad(new Float64Array(4), p, t, 2, 2))).toEqual([0, 0, 0, 0]);
  });

  it('softmax cross-entropy from logits of ±1000 is finite, with labels and one-hot', () => {
    const l = softmaxCrossEntropy();
    const z = new Float64Array([1000, -1000, 0, -1000, 1000, 999]);
    const labels = new Float64Array([0, 0]);
    expect(l.value(z, labels, 2, 3)).toBeCloseTo((0 + 2000 + Math.log1p(Math.exp(-1))) / 2, 9);
    const g = l.grad(new Float64Array(6), z, labels, 2, 3);
    expect(g.every(Number.isFinite)).toBe(true);
    expectClose(g, [0, 0, 0, -0.5, 0.5 / (1 + Math.exp(-1)), 0.5 / (1 + Math.exp(1))], 1e-15);
    const onehot = new Float64Array([1, 0, 0, 1, 0, 0]);
    expect(l.value(z, onehot, 2, 3)).toBe(l.value(z, labels, 2, 3));
    expectClose(l.grad(new Float64Array(6), z, onehot, 2, 3), g, 1e-15);
  });

  it('softmax cross-entropy from probabilities survives zeros', () => {
    const l = softmaxCrossEntropy({ fromLogits: false });
    const p = new Float64Array([0, 1, 0]);
    expect(l.value(p, new Float64Array([0]), 1, 3)).toBeCloseTo(-Math.log(1e-7), 9);
    expect(Array.from(l.grad(new Float64Array(3), p, new Float64Array([0]), 1, 3))).toEqual([0, 0, 0]);
  });
});

describe('losses: formulas and errors', () => {
  it('huber is ½d² inside delta and linear outside', () => {
    const l = huber(1);
    expect(l.value(new Float64Array([0.5, 3]), new Float64Array([0, 0]), 1, 2)).toBe((0.125 + 2.5) / 2);
    expect(() => huber(0)).toThrowErrorMatchingInlineSnapshot(`[GradstreamError: huber(delta): expected a finite number > 0, received 0]`);
    expect(huber().value(new Float64Array([2]), new Float64Array([0]), 1, 1)).toBe(1.5);
    expect(() => huber('1' as never)).toThrow('huber(delta): expected a finite number > 0, received "1" (a string)');
    expect(() => binaryCrossEntropy(null as never)).toThrow(
      'binaryCrossEntropy: expected an options object ({ fromLogits }), received null',
    );
    expect(() => binaryCrossEntropy({ fromLogits: 1 } as never)).toThrow('binaryCrossEntropy.fromLogits: expected a boolean, received 1');
    expect(() => softmaxCrossEntropy({ logits: true } as never)).toThrow(
      'softmaxCrossEntropy.logits: expected a known option (fromLogits), received an unknown option',
    );
    expect(() => softmaxCrossEntropy([] as never)).toThrow(
      'softmaxCrossEntropy: expected an options object ({ fromLogits }), received an array of length 0',
    );
  });

  it('mae has a zero gradient where prediction equals target', () => {
    expect(Array.from(mae().grad(new Float64Array(2), new Float64Array([1, 2]), new Float64Array([1, 0]), 1, 2))).toEqual([0, 0.5]);
  });

  it('checks target shapes and labels', () => {
    const p = new Float64Array(6);
    for (const l of [mae(), huber(), binaryCrossEntropy(), binaryCrossEntropy({ fromLogits: true })]) {
      expect(() => l.value(p, new Float64Array(5), 2, 3)).toThrow(GradstreamError);
      expect(() => l.grad(new Float64Array(6), p, new Float64Array(5), 2, 3)).toThrow(GradstreamError);
    }
    expect(() => mse().value(p, new Float64Array(5), 2, 3)).toThrowErrorMatchingInlineSnapshot(
      `[GradstreamError: mse(target): expected 6 values (2 rows × 3 outputs), received 5]`,
    );
    expect(() => mse().grad(new Float64Array(6), p, new Float64Array(7), 2, 3)).toThrowErrorMatchingInlineSnapshot(
      `[GradstreamError: mse(target): expected 6 values (2 rows × 3 outputs), received 7]`,
    );
    const ce = softmaxCrossEntropy();
    expect(() => ce.value(p, new Float64Array(4), 2, 3)).toThrowErrorMatchingInlineSnapshot(
      `[GradstreamError: softmaxCrossEntropy(target): expected 2 class labels (one per row) or 6 values (2 rows × 3 classes), received 4]`,
    );
    expect(() => ce.value(p, new Float64Array([0, 3]), 2, 3)).toThrowErrorMatchingInlineSnapshot(
      `[GradstreamError: softmaxCrossEntropy(target)[1]: expected a class label, an integer in [0, 3), received 3]`,
    );
    expect(() => ce.grad(new Float64Array(6), p, new Float64Array([0.5, 1]), 2, 3)).toThrow(/target\)\[0\]/);
    expect(() => softmaxCrossEntropy({ fromLogits: false }).grad(new Float64Array(6), p, new Float64Array([-1, 1]), 2, 3)).toThrow(
      GradstreamError,
    );
  });
});
