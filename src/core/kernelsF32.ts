/**
 * Row-major `Float32Array` matrix products for the opt-in float32 precision: the same contracts
 * as {@link matmul}, {@link matmulTransA} and {@link matmulTransB} in ./kernels.ts, computed with
 * `f32x4` lanes on the WebAssembly SIMD kernels (4×8 register tile; about twice the float64
 * kernels' speed) and with plain JavaScript loops where WebAssembly SIMD is missing or the
 * product is small. Every product and sum is rounded to float32 on the WebAssembly path; the
 * JavaScript path sums in float64 and rounds once, so the two agree to float32 round-off
 * (≈ 1e-6 relative to the sum of the absolute terms), not bit for bit.
 */
import { GradstreamError } from './errors.js';
import { WASM_MIN_MACS } from './kernels.js';
import { gemmWasm32 } from './wasm/wasmKernels.js';

/** The number type of parameters and kernels: `'float64'` (the default) or `'float32'`. */
export type Precision = 'float64' | 'float32';

function noAlias32(out: Float32Array, a: Float32Array, b: Float32Array, kernel: string): void {
  if (out === a || out === b) throwAliased(kernel);
}

function throwAliased(kernel: string): never {
  throw new GradstreamError({
    code: 'invalid_value',
    path: `${kernel}(out, …)`,
    expected: 'an out buffer distinct from the inputs',
    received: 'an aliased buffer',
  });
}

/**
 * `out[rows×cols] = a[rows×inner] · b[inner×cols]` in float32. `out` must not alias `a` or `b`.
 *
 * @example
 * import { matmulF32 } from 'gradstream/kernels';
 * const out = matmulF32(new Float32Array(4), Float32Array.of(1, 2, 3, 4), Float32Array.of(1, 0, 0, 1), 2, 2, 2);
 * // out = [1, 2, 3, 4]
 */
export function matmulF32(
  out: Float32Array,
  a: Readonly<Float32Array>,
  b: Readonly<Float32Array>,
  rows: number,
  inner: number,
  cols: number,
): Float32Array {
  noAlias32(out, a, b, 'matmulF32');
  if (rows * inner * cols >= WASM_MIN_MACS && gemmWasm32(out, a, b, rows, inner, cols, 'n', 'n')) return out;
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      let s = 0;
      for (let p = 0; p < inner; p++) s += a[i * inner + p]! * b[p * cols + j]!;
      out[i * cols + j] = s;
    }
  }
  return out;
}

/**
 * `out[inner×cols] = a[rows×inner]ᵀ · b[rows×cols]` in float32 (e.g. `dW = xᵀ·dY`). No aliasing.
 *
 * @example
 * import { matmulTransAF32 } from 'gradstream/kernels';
 * const dW = matmulTransAF32(new Float32Array(2), Float32Array.of(1, 2), Float32Array.of(3), 1, 2, 1); // [3, 6]
 */
export function matmulTransAF32(
  out: Float32Array,
  a: Readonly<Float32Array>,
  b: Readonly<Float32Array>,
  rows: number,
  inner: number,
  cols: number,
): Float32Array {
  noAlias32(out, a, b, 'matmulTransAF32');
  if (rows * inner * cols >= WASM_MIN_MACS && gemmWasm32(out, a, b, inner, rows, cols, 't', 'n')) return out;
  for (let i = 0; i < inner; i++) {
    for (let j = 0; j < cols; j++) {
      let s = 0;
      for (let r = 0; r < rows; r++) s += a[r * inner + i]! * b[r * cols + j]!;
      out[i * cols + j] = s;
    }
  }
  return out;
}

/**
 * `out[rows×inner] = a[rows×cols] · b[inner×cols]ᵀ` in float32 (e.g. `dX = dY·Wᵀ`). No aliasing.
 *
 * @example
 * import { matmulTransBF32 } from 'gradstream/kernels';
 * const dX = matmulTransBF32(new Float32Array(2), Float32Array.of(3), Float32Array.of(1, 2), 1, 1, 2); // [3, 6]
 */
export function matmulTransBF32(
  out: Float32Array,
  a: Readonly<Float32Array>,
  b: Readonly<Float32Array>,
  rows: number,
  cols: number,
  inner: number,
): Float32Array {
  noAlias32(out, a, b, 'matmulTransBF32');
  if (rows * inner * cols >= WASM_MIN_MACS && gemmWasm32(out, a, b, rows, cols, inner, 'n', 't')) return out;
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < inner; j++) {
      let s = 0;
      for (let p = 0; p < cols; p++) s += a[i * cols + p]! * b[j * cols + p]!;
      out[i * inner + j] = s;
    }
  }
  return out;
}
