import { afterEach, describe, expect, it, vi } from 'vitest';

// Fresh module instances with no WebAssembly: every kernel must take the JavaScript path.
afterEach(() => {
  vi.unstubAllGlobals();
  vi.resetModules();
});

const rand = (n: number): Float64Array => Float64Array.from({ length: n }, (_, i) => Math.sin(i * 1.3 + 0.1));

describe('without WebAssembly the JavaScript kernels run', () => {
  it('initKernels resolves false and the products still compute', async () => {
    vi.stubGlobal('WebAssembly', undefined);
    vi.resetModules();
    const { initKernels, matmul, matmulF32, matmulTransAF32, matmulTransBF32 } = await import('../../src/kernels.js');
    const { matmulJs } = await import('../../src/core/kernels.js');
    const { wasmKernels } = await import('../../src/core/wasm/wasmKernels.js');
    expect(wasmKernels()).toBeNull();
    expect(await initKernels()).toBe(false);
    const a = rand(30 * 20);
    const b = rand(20 * 10);
    expect(Array.from(matmul(new Float64Array(300), a, b, 30, 20, 10))).toEqual(
      Array.from(matmulJs(new Float64Array(300), a, b, 30, 20, 10)),
    );
    const a32 = Float32Array.from(a);
    const b32 = Float32Array.from(b);
    const ref = matmulJs(new Float64Array(300), Float64Array.from(a32), Float64Array.from(b32), 30, 20, 10);
    const out = matmulF32(new Float32Array(300), a32, b32, 30, 20, 10);
    for (let i = 0; i < 300; i++) expect(out[i]).toBeCloseTo(ref[i]!, 5);
    // aᵀ·a and a·aᵀ: their first entries are sums of squares of a's first column and row.
    const col0 = Array.from({ length: 30 }, (_, r) => a32[r * 20]! ** 2).reduce((s, v) => s + v, 0);
    const row0 = Array.from(a32.subarray(0, 20), (v) => v * v).reduce((s, v) => s + v, 0);
    expect(matmulTransAF32(new Float32Array(400), a32, a32.slice(), 30, 20, 20)[0]).toBeCloseTo(col0, 4);
    expect(matmulTransBF32(new Float32Array(900), a32, a32.slice(), 30, 20, 30)[0]).toBeCloseTo(row0, 4);
  });

  it('initKernels compiles asynchronously when nothing has loaded yet', async () => {
    vi.resetModules();
    const { initKernels } = await import('../../src/kernels.js');
    const { wasmKernels } = await import('../../src/core/wasm/wasmKernels.js');
    expect(await initKernels()).toBe(true);
    expect(await initKernels()).toBe(true);
    expect(wasmKernels()).not.toBeNull();
  });

  it('a module that fails to compile leaves the JavaScript kernels in place', async () => {
    vi.stubGlobal('WebAssembly', {
      Module: () => {
        throw new Error('compile refused');
      },
      Instance: () => {},
      compile: () => Promise.reject(new Error('no')),
    });
    vi.resetModules();
    const { wasmKernels, initKernels } = await import('../../src/core/wasm/wasmKernels.js');
    expect(await initKernels()).toBe(false);
    expect(wasmKernels()).toBeNull();
    vi.resetModules();
    const fresh = await import('../../src/core/wasm/wasmKernels.js');
    expect(fresh.wasmKernels()).toBeNull();
  });
});
