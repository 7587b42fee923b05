import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GradstreamError, createRng } from '../../src/index.js';
import { matmulF32, matmulTransAF32, matmulTransBF32 } from '../../src/kernels.js';
import { matmulJs, matmulTransAJs, matmulTransBJs } from '../../src/core/kernels.js';

const rand = (n: number, seed: number): Float32Array => {
  const rng = createRng(seed);
  return Float32Array.from({ length: n }, () => rng.uniform(-1, 1));
};
const f64 = (x: Float32Array): Float64Array => Float64Array.from(x);
const abs = (x: Float32Array): Float64Array => Float64Array.from(x, Math.abs);

/** float32 round-off: |f32 − f64 reference| ≤ 1e-6 · (Σ|terms|) · √inner, per entry. */
function expectF32(actual: Float32Array, ref: Float64Array, terms: Float64Array, inner: number): void {
  for (let i = 0; i < ref.length; i++) {
    const tol = 1e-6 * Math.sqrt(inner) * terms[i]! + 1e-30;
    if (!(Math.abs(actual[i]! - ref[i]!) <= tol)) expect.fail(`index ${i}: expected ${ref[i]}, received ${actual[i]}`);
  }
}

const size = fc.oneof(fc.integer({ min: 1, max: 19 }), fc.constantFrom(96, 97, 511, 512, 513));
const shapes = fc
  .record({ rows: size, inner: size, cols: fc.integer({ min: 1, max: 37 }), seed: fc.integer({ min: 0, max: 1e9 }) })
  .filter((s) => s.rows * s.inner * s.cols <= 3e5);

describe('float32 kernels agree with float64 to float32 round-off', () => {
  it('matmulF32', () => {
    fc.assert(
      fc.property(shapes, ({ rows, inner, cols, seed }) => {
        const a = rand(rows * inner, seed);
        const b = rand(inner * cols, seed + 1);
        const out = new Float32Array(rows * cols).fill(Number.NaN);
        expect(matmulF32(out, a, b, rows, inner, cols)).toBe(out);
        expectF32(
          out,
          matmulJs(new Float64Array(rows * cols), f64(a), f64(b), rows, inner, cols),
          matmulJs(new Float64Array(rows * cols), abs(a), abs(b), rows, inner, cols),
          inner,
        );
      }),
      { numRuns: 50 },
    );
  });

  it('matmulTransAF32', () => {
    fc.assert(
      fc.property(shapes, ({ rows, inner, cols, seed }) => {
        const a = rand(rows * inner, seed);
        const b = rand(rows * cols, seed + 1);
        const out = new Float32Array(inner * cols).fill(Number.NaN);
        expect(matmulTransAF32(out, a, b, rows, inner, cols)).toBe(out);
        expectF32(
          out,
          matmulTransAJs(new Float64Array(inner * cols), f64(a), f64(b), rows, inner, cols),
          matmulTransAJs(new Float64Array(inner * cols), abs(a), abs(b), rows, inner, cols),
          rows,
        );
      }),
      { numRuns: 50 },
    );
  });

  it('matmulTransBF32', () => {
    fc.assert(
      fc.property(shapes, ({ rows, inner, cols, seed }) => {
        const a = rand(rows * cols, seed);
        const b = rand(inner * cols, seed + 1);
        const out = new Float32Array(rows * inner).fill(Number.NaN);
        expect(matmulTransBF32(out, a, b, rows, cols, inner)).toBe(out);
        expectF32(
          out,
          matmulTransBJs(new Float64Array(rows * inner), f64(a), f64(b), rows, cols, inner),
          matmulTransBJs(new Float64Array(rows * inner), abs(a), abs(b), rows, cols, inner),
          cols,
        );
      }),
      { numRuns: 50 },
    );
  });

  it('the documented examples', () => {
    expect(Array.from(matmulF32(new Float32Array(4), Float32Array.of(1, 2, 3, 4), Float32Array.of(1, 0, 0, 1), 2, 2, 2))).toEqual([
      1, 2, 3, 4,
    ]);
    expect(Array.from(matmulTransAF32(new Float32Array(2), Float32Array.of(1, 2), Float32Array.of(3), 1, 2, 1))).toEqual([3, 6]);
    expect(Array.from(matmulTransBF32(new Float32Array(2), Float32Array.of(3), Float32Array.of(1, 2), 1, 1, 2))).toEqual([3, 6]);
  });

  it('refuse an out buffer that is one of the inputs', () => {
    const a = new Float32Array(4);
    expect(() => matmulF32(a, a, new Float32Array(4), 2, 2, 2)).toThrow(GradstreamError);
    expect(() => matmulTransAF32(a, new Float32Array(4), a, 2, 2, 2)).toThrow(/matmulTransAF32/);
    expect(() => matmulTransBF32(a, a, new Float32Array(4), 2, 2, 2)).toThrow(/an out buffer distinct/);
  });
});

describe('the float32 Adam kernel (fused with the update)', () => {
  it('matches the float64 formula to float32 round-off, over chunk edges and odd tails', async () => {
    const { adamApplyWasm32 } = await import('../../src/core/wasm/wasmKernels.js');
    for (const n of [3, 257, 4097, 9001]) {
      const p = rand(n, n);
      const p64 = Float64Array.from(p);
      const m = new Float32Array(n);
      const v = new Float32Array(n);
      const m64 = new Float64Array(n);
      const v64 = new Float64Array(n);
      for (let t = 1; t <= 3; t++) {
        const g = rand(n, 10 * n + t);
        const c1 = 1 - 0.9 ** t;
        const c2 = 1 - 0.999 ** t;
        expect(adamApplyWasm32(p, g, m, v, 0.9, 0.999, c1, c2, 1e-7, 0.01)).toBe(true);
        for (let i = 0; i < n; i++) {
          m64[i] = m64[i]! * 0.9 + g[i]! * 0.1;
          v64[i] = v64[i]! * 0.999 + g[i]! * g[i]! * 0.001;
          p64[i]! -= 0.01 * (m64[i]! / c1 / (Math.sqrt(v64[i]! / c2) + 1e-7));
        }
      }
      for (let i = 0; i < n; i++)
        if (!(Math.abs(p[i]! - p64[i]!) <= 1e-6 * (1 + Math.abs(p64[i]!)))) expect.fail(`n ${n}, index ${i}: ${p[i]} vs ${p64[i]}`);
    }
    expect(
      adamApplyWasm32(
        new Float32Array(4),
        new Float32Array(3),
        new Float32Array(4),
        new Float32Array(4),
        0.9,
        0.999,
        0.1,
        0.001,
        1e-7,
        0.01,
      ),
    ).toBe(false);
  });
});

describe("the float32 reduction kernels (a float32 model's data-parallel gradient sum)", () => {
  it('round w0·s0 + w1·s1, then g + w·s, once to float32 from float64 arithmetic, as the JavaScript loops on float32 arrays', async () => {
    const { kernelsOn, sharedKernelMemory } = await import('../../src/core/wasm/wasmKernels.js');
    const memory = sharedKernelMemory(1 << 20)!;
    const k = kernelsOn(memory)!;
    const at = 4096;
    for (const n of [1, 3, 4, 7, 1001]) {
      const [g, s0, s1, s2] = [0, 1, 2, 3].map((j) => new Float32Array(memory.buffer, at + j * 4 * 1024, n));
      // magnitudes over several decades: the float64 sum then differs from float32 arithmetic
      const rng = createRng(n);
      for (const s of [s0!, s1!, s2!]) for (let i = 0; i < n; i++) s[i] = rng.uniform(-1, 1) * 10 ** ((i % 7) - 3);
      const [w0, w1, w2] = [5 / 11, 4 / 11, 2 / 11];
      const want = new Float32Array(n);
      for (let i = 0; i < n; i++) want[i] = w0 * s0![i]! + w1 * s1![i]!;
      for (let i = 0; i < n; i++) want[i] = want[i]! + w2 * s2![i]!;
      k.exports.sum2_32(g!.byteOffset, s0!.byteOffset, w0, s1!.byteOffset, w1, n);
      k.exports.addScaled32(g!.byteOffset, s2!.byteOffset, w2, n);
      expect(Array.from(g!)).toEqual(Array.from(want));
    }
  });
});
