// gradstream/kernels — the dense matrix kernels the layers run on (JavaScript, and WebAssembly SIMD
// where available), for code that wants them directly. Models, layers and optimizers are in `gradstream`.

// --- float64
export { addRowVector, axpy, matmul, matmulTransA, matmulTransB, sumRows } from './core/kernels.js';

// --- float32 (f32x4 lanes)
export { matmulF32, matmulTransAF32, matmulTransBF32 } from './core/kernelsF32.js';
export type { Precision } from './core/kernelsF32.js';

// --- compiling the WebAssembly kernels ahead of first use
export { initKernels } from './core/wasm/wasmKernels.js';
