import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GradstreamError, createRng } from '../../src/index.js';
import { addRowVector, axpy, matmul, matmulTransA, matmulTransB, sumRows } from '../../src/kernels.js';
import { WASM_MIN_MACS, matmulJs, matmulTransAJs } from '../../src/core/kernels.js';
import { expectClose } from '../helpers/expectClose.js';

/** The naive triple loop: out[i, j] = Σ_p A(i, p) · B(p, j). */
function naive(m: number, n: number, k: number, A: (i: number, p: number) => number, B: (p: number, j: number) => number): Float64Array {
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += A(i, p) * B(p, j);
      out[i * n + j] = s;
    }
  }
  return out;
}

const dims = fc.record({
  rows: fc.integer({ min: 1, max: 13 }),
  inner: fc.integer({ min: 1, max: 13 }),
  cols: fc.integer({ min: 1, max: 13 }),
  seed: fc.integer({ min: 0, max: 1e9 }),
});
const rand = (n: number, seed: number): Float64Array => {
  const rng = createRng(seed);
  return Float64Array.from({ length: n }, () => rng.uniform(-1, 1));
};

describe('matrix kernels agree with the naive loop (all edge shapes)', () => {
  it('matmul', () => {
    fc.assert(
      fc.property(dims, ({ rows, inner, cols, seed }) => {
        const a = rand(rows * inner, seed);
        const b = rand(inner * cols, seed + 1);
        const out = new Float64Array(rows * cols).fill(Number.NaN);
        expect(matmul(out, a, b, rows, inner, cols)).toBe(out);
        expectClose(
          out,
          naive(
            rows,
            cols,
            inner,
            (i, p) => a[i * inner + p]!,
            (p, j) => b[p * cols + j]!,
          ),
          1e-12,
        );
      }),
      { numRuns: 200 },
    );
  });

  it('matmulTransA', () => {
    fc.assert(
      fc.property(dims, ({ rows, inner, cols, seed }) => {
        const a = rand(rows * inner, seed);
        const b = rand(rows * cols, seed + 1);
        const out = new Float64Array(inner * cols).fill(Number.NaN);
        matmulTransA(out, a, b, rows, inner, cols);
        expectClose(
          out,
          naive(
            inner,
            cols,
            rows,
            (i, r) => a[r * inner + i]!,
            (r, j) => b[r * cols + j]!,
          ),
          1e-12,
        );
      }),
      { numRuns: 200 },
    );
  });

  it('matmulTransB', () => {
    fc.assert(
      fc.property(dims, ({ rows, inner, cols, seed }) => {
        const a = rand(rows * cols, seed);
        const b = rand(inner * cols, seed + 1);
        const out = new Float64Array(rows * inner).fill(Number.NaN);
        matmulTransB(out, a, b, rows, cols, inner);
        expectClose(
          out,
          naive(
            rows,
            inner,
            cols,
            (i, p) => a[i * cols + p]!,
            (p, j) => b[j * cols + p]!,
          ),
          1e-12,
        );
      }),
      { numRuns: 200 },
    );
  });

  it('W3 shapes to 1e-12', () => {
    const a = rand(64 * 784, 1);
    const b = rand(784 * 128, 2);
    const out = matmul(new Float64Array(64 * 128), a, b, 64, 784, 128);
    expectClose(
      out,
      naive(
        64,
        128,
        784,
        (i, p) => a[i * 784 + p]!,
        (p, j) => b[p * 128 + j]!,
      ),
      1e-12,
    );
  });

  it('refuse an out buffer that is one of the inputs', () => {
    const buf = new Float64Array(8);
    const a = buf.subarray(0, 4);
    const other = new Float64Array(4);
    expect(() => matmul(a, a, other, 2, 2, 2)).toThrowErrorMatchingInlineSnapshot(
      `[GradstreamError: matmul(out, …): expected an out buffer distinct from the inputs, received an aliased buffer]`,
    );
    expect(() => matmulTransA(other, other, a, 2, 2, 2)).toThrow(GradstreamError);
    expect(() => matmulTransB(a, a, other, 2, 2, 2)).toThrow(GradstreamError);
    // Disjoint views of one buffer are fine.
    expect(() => matmul(buf.subarray(4, 8), buf.subarray(0, 4), other, 2, 2, 2)).not.toThrow();
  });
});

describe('the JavaScript matmul sums in the naive order', () => {
  it("equals the naive loop bit for bit on small shapes (1×4 register tiles below the 4×4 blocks, the lesson's 1×4·4×4)", () => {
    for (const [rows, inner, cols] of [
      [1, 4, 4],
      [1, 3, 9],
      [3, 5, 8],
      [6, 2, 7],
      [2, 1, 4],
    ] as const) {
      const a = rand(rows * inner, rows * 100 + inner);
      const b = rand(inner * cols, cols);
      const out = matmul(new Float64Array(rows * cols), a, b, rows, inner, cols);
      expect(Array.from(out)).toEqual(
        Array.from(
          naive(
            rows,
            cols,
            inner,
            (i, p) => a[i * inner + p]!,
            (p, j) => b[p * cols + j]!,
          ),
        ),
      );
    }
  });

  it('matmulTransA of a single row (the outer product) equals the naive loop bit for bit, −0 included', () => {
    for (const [inner, cols] of [
      [4, 4],
      [3, 9],
      [5, 2],
      [1, 1],
    ] as const) {
      const a = rand(inner, inner);
      const b = rand(cols, cols + 7);
      b[0] = -0; // the naive sum 0 + x·(−0) is +0
      const out = matmulTransA(new Float64Array(inner * cols).fill(Number.NaN), a, b, 1, inner, cols);
      const ref = naive(
        inner,
        cols,
        1,
        (i) => a[i]!,
        (_, j) => b[j]!,
      );
      expect(Array.from(out)).toEqual(Array.from(ref));
      expect(Object.is(out[0], 0)).toBe(true);
    }
  });
});

describe('the single-row paths equal the general JavaScript kernels bit for bit', () => {
  // one input row below the WebAssembly switch-over: matmul runs its 1×4 row tiles, matmulTransA
  // its column-blocked outer product; both must give the bits of the general kernels
  const row = fc
    .record({ inner: fc.integer({ min: 1, max: 40 }), cols: fc.integer({ min: 1, max: 40 }), seed: fc.integer({ min: 0, max: 1e9 }) })
    .filter(({ inner, cols }) => inner * cols < WASM_MIN_MACS);
  const same = (got: Float64Array, ref: Float64Array): void => {
    expect(got.length).toBe(ref.length);
    for (let i = 0; i < ref.length; i++) if (!Object.is(got[i], ref[i])) expect({ i, got: got[i] }).toEqual({ i, got: ref[i] });
  };

  it('matmul of one row', () => {
    fc.assert(
      fc.property(row, ({ inner, cols, seed }) => {
        const a = rand(inner, seed);
        const b = rand(inner * cols, seed + 1);
        same(matmul(new Float64Array(cols), a, b, 1, inner, cols), matmulJs(new Float64Array(cols), a, b, 1, inner, cols));
      }),
      { numRuns: 300 },
    );
  });

  it('matmulTransA of one row (the outer product), −0 and ±0 products included', () => {
    fc.assert(
      fc.property(row, ({ inner, cols, seed }) => {
        const a = rand(inner, seed);
        const b = rand(cols, seed + 1);
        a[0] = -0;
        b[cols - 1] = -0;
        const got = matmulTransA(new Float64Array(inner * cols).fill(Number.NaN), a, b, 1, inner, cols);
        same(got, matmulTransAJs(new Float64Array(inner * cols), a, b, 1, inner, cols));
      }),
      { numRuns: 300 },
    );
  });
});

describe('vector kernels', () => {
  it('axpy, addRowVector, sumRows', () => {
    const out = new Float64Array([1, 2, 3]);
    expect(Array.from(axpy(out, 2, new Float64Array([1, 1, 1])))).toEqual([3, 4, 5]);
    expect(Array.from(axpy(out, -1, out))).toEqual([0, 0, 0]);
    expect(Array.from(addRowVector(new Float64Array([1, 2, 3, 4]), new Float64Array([10, 20]), 2, 2))).toEqual([11, 22, 13, 24]);
    expect(Array.from(sumRows(new Float64Array(2).fill(9), new Float64Array([1, 2, 3, 4]), 2, 2))).toEqual([4, 6]);
  });
});
