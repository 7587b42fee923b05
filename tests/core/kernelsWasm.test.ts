import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { createRng } from '../../src/index.js';
import { initKernels, matmul, matmulTransA, matmulTransB } from '../../src/kernels.js';
import { WASM_MIN_MACS, matmulJs, matmulTransAJs, matmulTransBJs } from '../../src/core/kernels.js';
import { adamApplyWasm64, adamWasm64, gemmWasm64, reserve, wasmKernels, type WasmKernels } from '../../src/core/wasm/wasmKernels.js';
import { adam } from '../../src/core/optimizers/adam.js';
import { applyUpdates } from '../../src/core/optimizer.js';
import { scaleByAdam } from '../../src/core/optimizers/scaleByAdam.js';
import { createParams, paramLayout } from '../../src/core/params.js';

const rand = (n: number, seed: number): Float64Array => {
  const rng = createRng(seed);
  return Float64Array.from({ length: n }, () => rng.uniform(-1, 1));
};

/**
 * The tolerance of the contract: float64 round-off, |wasm − js| ≤ 1e-12 · Σ|terms| per entry.
 * Both kernels sum in the same order without FMA, so today they agree bit for bit; the test
 * asserts both (the exact check documents the current build, the bound the promise).
 */
function expectRoundOff(actual: Float64Array, expected: Float64Array, absTerms: Float64Array): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const err = Math.abs(actual[i]! - expected[i]!);
    if (!(err <= 1e-12 * Math.max(absTerms[i]!, 1e-300))) expect.fail(`index ${i}: expected ${expected[i]}, received ${actual[i]}`);
  }
  expect(Array.from(actual)).toEqual(Array.from(expected));
}

const abs = (x: Float64Array): Float64Array => x.map(Math.abs);

// Odd sizes, sizes around the 4×4 tile, the 256-deep K blocks and the 96-row M blocks.
const size = fc.oneof(fc.integer({ min: 1, max: 19 }), fc.constantFrom(95, 96, 97, 255, 256, 257, 300));
const shapes = fc
  .record({ rows: size, inner: size, cols: fc.integer({ min: 1, max: 37 }), seed: fc.integer({ min: 0, max: 1e9 }) })
  .filter((s) => s.rows * s.inner * s.cols <= 3e5);

describe('WebAssembly SIMD kernels equal the JavaScript kernels', () => {
  it('are available in Node', async () => {
    expect(await initKernels()).toBe(true);
    expect(wasmKernels()).not.toBeNull();
  });

  it('matmul on random shapes, odd sizes included', () => {
    fc.assert(
      fc.property(shapes, ({ rows, inner, cols, seed }) => {
        const a = rand(rows * inner, seed);
        const b = rand(inner * cols, seed + 1);
        const out = new Float64Array(rows * cols).fill(Number.NaN);
        const ref = matmulJs(new Float64Array(rows * cols), a, b, rows, inner, cols);
        expect(matmul(out, a, b, rows, inner, cols)).toBe(out);
        expectRoundOff(out, ref, matmulJs(new Float64Array(rows * cols), abs(a), abs(b), rows, inner, cols));
      }),
      { numRuns: 60 },
    );
  });

  it('matmulTransA on random shapes', () => {
    fc.assert(
      fc.property(shapes, ({ rows, inner, cols, seed }) => {
        const a = rand(rows * inner, seed);
        const b = rand(rows * cols, seed + 1);
        const out = new Float64Array(inner * cols).fill(Number.NaN);
        const ref = matmulTransAJs(new Float64Array(inner * cols), a, b, rows, inner, cols);
        expect(matmulTransA(out, a, b, rows, inner, cols)).toBe(out);
        expectRoundOff(out, ref, matmulTransAJs(new Float64Array(inner * cols), abs(a), abs(b), rows, inner, cols));
      }),
      { numRuns: 60 },
    );
  });

  it('matmulTransB on random shapes', () => {
    fc.assert(
      fc.property(shapes, ({ rows, inner, cols, seed }) => {
        const a = rand(rows * cols, seed);
        const b = rand(inner * cols, seed + 1);
        const out = new Float64Array(rows * inner).fill(Number.NaN);
        const ref = matmulTransBJs(new Float64Array(rows * inner), a, b, rows, cols, inner);
        expect(matmulTransB(out, a, b, rows, cols, inner)).toBe(out);
        expectRoundOff(out, ref, matmulTransBJs(new Float64Array(rows * inner), abs(a), abs(b), rows, cols, inner));
      }),
      { numRuns: 60 },
    );
  });

  it('the MLP (W3) shapes, after the memory grew for a larger product', () => {
    const big = rand(300 * 600, 1);
    matmul(new Float64Array(300 * 300), big, rand(600 * 300, 2), 300, 600, 300);
    const x = rand(64 * 784, 3);
    const w = rand(784 * 128, 4);
    const h = matmul(new Float64Array(64 * 128), x, w, 64, 784, 128);
    expect(Array.from(h)).toEqual(Array.from(matmulJs(new Float64Array(64 * 128), x, w, 64, 784, 128)));
    const dW = matmulTransA(new Float64Array(784 * 128), x, h, 64, 784, 128);
    expect(Array.from(dW)).toEqual(Array.from(matmulTransAJs(new Float64Array(784 * 128), x, h, 64, 784, 128)));
    const dX = matmulTransB(new Float64Array(64 * 784), h, w, 64, 128, 784);
    expect(Array.from(dX)).toEqual(Array.from(matmulTransBJs(new Float64Array(64 * 784), h, w, 64, 128, 784)));
  });

  it('reads only the shape from longer operands (views into a larger buffer)', () => {
    const a = rand(40 * 9 + 5, 5);
    const b = rand(9 * 11 + 3, 6);
    const out = new Float64Array(40 * 11 + 2).fill(7);
    matmul(out, a, b, 40, 9, 11);
    const ref = matmulJs(new Float64Array(40 * 11), a.subarray(0, 360), b.subarray(0, 99), 40, 9, 11);
    expect(Array.from(out.subarray(0, 440))).toEqual(Array.from(ref));
    expect(Array.from(out.subarray(440))).toEqual([7, 7]);
  });

  it('an empty inner dimension gives zeros; short operands are refused to the JavaScript path', () => {
    const out = new Float64Array(20 * 30).fill(1);
    expect(gemmWasm64(out, new Float64Array(0), new Float64Array(0), 20, 0, 30, 'n', 'n')).toBe(true);
    expect(out.every((v) => v === 0)).toBe(true);
    expect(gemmWasm64(out, new Float64Array(5), new Float64Array(600), 20, 1, 30, 'n', 'n')).toBe(false);
  });

  it('memory that cannot grow refuses the product (the caller computes in JavaScript)', () => {
    const fake = (grow: (pages: number) => number): WasmKernels => {
      const memory = { buffer: new ArrayBuffer(65536), grow };
      return {
        module: {},
        exports: { memory } as unknown as WasmKernels['exports'],
        base: 16,
        l64: { heap: new Float64Array(0), out: new Map(), scratch: new Map(), chunks: new WeakMap() },
        l32: { heap: new Float32Array(0), out: new Map(), scratch: new Map(), chunks: new WeakMap() },
      };
    };
    const refuse = (): number => {
      throw new RangeError('WebAssembly.Memory.grow(): Maximum memory size exceeded');
    };
    expect(reserve(fake(refuse), 1 << 20)).toBe(false);
    expect(reserve(fake(refuse), 100)).toBe(true); // already large enough
    const asked: number[] = [];
    const growOnce = fake((pages) => {
      asked.push(pages);
      if (asked.length === 1) return refuse();
      return 1;
    });
    expect(reserve(growOnce, 3 * 65536)).toBe(true); // the generous size failed, the exact one did not
    expect(asked).toEqual([2, 2]);
  });

  it('dispatch by shape: the seed lesson (1×4·4×4) stays below the threshold', () => {
    expect(1 * 4 * 4).toBeLessThan(WASM_MIN_MACS);
    expect(64 * 128 * 10).toBeGreaterThanOrEqual(WASM_MIN_MACS);
  });
});

/** scaleByAdam's JavaScript loop, the reference. */
function adamRef(u: Float64Array, mu: Float64Array, nu: Float64Array, t: number): void {
  const b1 = 0.9,
    b2 = 0.999,
    eps = 1e-7;
  const c1 = 1 - b1 ** t;
  const c2 = 1 - b2 ** t;
  for (let i = 0; i < u.length; i++) {
    const g = u[i]!;
    const m = mu[i]! * b1 + g * (1 - b1);
    const v = nu[i]! * b2 + g * g * (1 - b2);
    mu[i] = m;
    nu[i] = v;
    u[i] = m / c1 / (Math.sqrt(v / c2) + eps);
  }
}

describe('the WebAssembly Adam kernel', () => {
  it('scaleByAdam equals its JavaScript loop bit for bit (odd lengths, chunk edges, small vectors)', () => {
    for (const n of [5, 255, 256, 1023, 1024, 2049, 5001]) {
      const layout = paramLayout([['w', [n]]]);
      const params = createParams(layout);
      const t = scaleByAdam();
      const state = t.init(params);
      const mu = new Float64Array(n);
      const nu = new Float64Array(n);
      for (let step = 1; step <= 3; step++) {
        const g = rand(n, 100 * n + step);
        const ref = g.slice();
        adamRef(ref, mu, nu, step);
        t.update(g, state, params);
        expect(Array.from(g)).toEqual(Array.from(ref));
        expect(Array.from(state.mu)).toEqual(Array.from(mu));
        expect(Array.from(state.nu)).toEqual(Array.from(nu));
      }
      expect(state.count).toBe(3);
    }
  });

  it('fused with the learning rate and the update, it equals adam() + applyUpdates bit for bit', () => {
    for (const n of [7, 4096, 4099]) {
      const layout = paramLayout([['w', [n]]]);
      const params = createParams(layout, rand(n, n));
      const fused = params.data.slice();
      const opt = adam({ lr: 0.003 });
      const state = opt.init(params);
      const mu = new Float64Array(n);
      const nu = new Float64Array(n);
      for (let t = 1; t <= 3; t++) {
        const g = rand(n, 7 * n + t);
        expect(adamApplyWasm64(fused, g, mu, nu, 0.9, 0.999, 1 - 0.9 ** t, 1 - 0.999 ** t, 1e-7, -0.003)).toBe(true);
        opt.update(g, state, params);
        applyUpdates(params, g);
        expect(Array.from(fused)).toEqual(Array.from(params.data));
      }
    }
    expect(
      adamApplyWasm64(
        new Float64Array(4),
        new Float64Array(4),
        new Float64Array(3),
        new Float64Array(4),
        0.9,
        0.999,
        0.1,
        0.001,
        1e-7,
        -0.01,
      ),
    ).toBe(false);
  });

  it('refuses moments of another length', () => {
    expect(adamWasm64(new Float64Array(4), new Float64Array(3), new Float64Array(4), 0.9, 0.999, 0.1, 0.001, 1e-7)).toBe(false);
  });
});

describe('compiled modules handed to another realm (worker threads)', () => {
  it('a fresh realm adopts the given modules instead of compiling its own, and runs the kernels on a shared memory', async () => {
    const { kernelModules } = await import('../../src/core/wasm/wasmKernels.js');
    const given = kernelModules();
    expect(given.kernels).not.toBeNull();
    expect(given.shared).not.toBeNull();
    vi.resetModules();
    const fresh = await import('../../src/core/wasm/wasmKernels.js');
    fresh.adoptKernelModules(given);
    expect(fresh.wasmKernels()!.module).toBe(given.kernels);
    expect(fresh.kernelModules().shared).toBe(given.shared);
    // already loaded: a second hand-over changes nothing
    fresh.adoptKernelModules({ kernels: null, shared: null });
    expect(fresh.wasmKernels()!.module).toBe(given.kernels);
    // the shared-memory kernels update in place: Adam on 3 values at byte 4096, as the JavaScript formula
    const memory = fresh.sharedKernelMemory(8192)!;
    const k = fresh.kernelsOn(memory)!;
    expect(k.base).toBeLessThanOrEqual(4096);
    const f = new Float64Array(memory.buffer, 4096, 12);
    f.set([1, 2, 3, 0.5, -0.25, 2, 0, 0, 0, 0, 0, 0]); // p, g, m, v
    k.exports.adamApply64(4096, 4096 + 24, 4096 + 48, 4096 + 72, 3, 0.9, 0.999, 0.1, 0.001, 1e-8, -0.01);
    const g = [0.5, -0.25, 2];
    for (let i = 0; i < 3; i++) {
      const m = 0 * 0.9 + g[i]! * (1 - 0.9);
      const v = 0 * 0.999 + g[i]! * g[i]! * (1 - 0.999);
      expect(f[i]).toBe(i + 1 + (m / 0.1 / (Math.sqrt(v / 0.001) + 1e-8)) * -0.01);
    }
  });
});
