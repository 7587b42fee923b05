import { matmul, matmulTransA, matmulTransB } from '../kernels.js';
import { matmulF32, matmulTransAF32, matmulTransBF32 } from '../kernelsF32.js';
import type { Precision } from '../kernelsF32.js';

/** The three matrix products of a layer in one precision (argument orders as in ./kernels.ts). */
export interface Gemm {
  /** `out[rows×cols] = a[rows×inner] · b[inner×cols]`. */
  readonly mm: (out: Float64Array, a: Readonly<Float64Array>, b: Readonly<Float64Array>, rows: number, inner: number, cols: number) => void;
  /** `out[inner×cols] = a[rows×inner]ᵀ · b[rows×cols]`. */
  readonly mmTA: (
    out: Float64Array,
    a: Readonly<Float64Array>,
    b: Readonly<Float64Array>,
    rows: number,
    inner: number,
    cols: number,
  ) => void;
  /** `out[rows×inner] = a[rows×cols] · b[inner×cols]ᵀ`. */
  readonly mmTB: (
    out: Float64Array,
    a: Readonly<Float64Array>,
    b: Readonly<Float64Array>,
    rows: number,
    cols: number,
    inner: number,
  ) => void;
}

const GEMM64: Gemm = { mm: matmul, mmTA: matmulTransA, mmTB: matmulTransB };

// Float32 buffers travel typed as Float64Array (see Layer.float32); the casts only restate that.
const GEMM32: Gemm = {
  mm: (out, a, b, rows, inner, cols) =>
    void matmulF32(out as unknown as Float32Array, a as unknown as Float32Array, b as unknown as Float32Array, rows, inner, cols),
  mmTA: (out, a, b, rows, inner, cols) =>
    void matmulTransAF32(out as unknown as Float32Array, a as unknown as Float32Array, b as unknown as Float32Array, rows, inner, cols),
  mmTB: (out, a, b, rows, cols, inner) =>
    void matmulTransBF32(out as unknown as Float32Array, a as unknown as Float32Array, b as unknown as Float32Array, rows, cols, inner),
};

/** The matrix products of `precision`: the float64 kernels or the `f32x4` ones. */
export function gemmFor(precision: Precision): Gemm {
  return precision === 'float32' ? GEMM32 : GEMM64;
}
