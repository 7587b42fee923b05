/**
 * Row-major `Float64Array` matrix kernels. Each takes `out` first, writes it in place and returns
 * it; inputs are read only. Shapes are passed explicitly; nothing here allocates.
 */
import { GradstreamError } from './errors.js';

function overlaps(a: Float64Array, b: Float64Array): boolean {
  if (a.buffer !== b.buffer) return false;
  const a0 = a.byteOffset;
  const b0 = b.byteOffset;
  return a0 < b0 + b.byteLength && b0 < a0 + a.byteLength;
}

function noAlias(out: Float64Array, a: Float64Array, b: Float64Array, kernel: string): void {
  if (overlaps(out, a) || overlaps(out, b)) {
    throw new GradstreamError({ code: 'invalid_value', path: `${kernel}(out, …)`, expected: 'an out buffer distinct from the inputs', received: 'an aliased buffer' });
  }
}

/** `out[rows×cols] = a[rows×inner] · b[inner×cols]`. `out` must not alias `a` or `b`. */
export function matmul(out: Float64Array, a: Readonly<Float64Array>, b: Readonly<Float64Array>, rows: number, inner: number, cols: number): Float64Array {
  noAlias(out, a, b, 'matmul');
  out.fill(0, 0, rows * cols);
  for (let i = 0; i < rows; i++) {
    const oi = i * cols;
    const ai = i * inner;
    for (let p = 0; p < inner; p++) {
      const aip = a[ai + p]!;
      if (aip === 0) continue;
      const bp = p * cols;
      for (let j = 0; j < cols; j++) out[oi + j]! += aip * b[bp + j]!;
    }
  }
  return out;
}

/** `out[inner×cols] = a[rows×inner]ᵀ · b[rows×cols]` (e.g. `dW = xᵀ·dY`). No aliasing. */
export function matmulTransA(out: Float64Array, a: Readonly<Float64Array>, b: Readonly<Float64Array>, rows: number, inner: number, cols: number): Float64Array {
  noAlias(out, a, b, 'matmulTransA');
  out.fill(0, 0, inner * cols);
  for (let r = 0; r < rows; r++) {
    const ar = r * inner;
    const br = r * cols;
    for (let p = 0; p < inner; p++) {
      const arp = a[ar + p]!;
      if (arp === 0) continue;
      const op = p * cols;
      for (let j = 0; j < cols; j++) out[op + j]! += arp * b[br + j]!;
    }
  }
  return out;
}

/** `out[rows×inner] = a[rows×cols] · b[inner×cols]ᵀ` (e.g. `dX = dY·Wᵀ`). No aliasing. */
export function matmulTransB(out: Float64Array, a: Readonly<Float64Array>, b: Readonly<Float64Array>, rows: number, cols: number, inner: number): Float64Array {
  noAlias(out, a, b, 'matmulTransB');
  for (let i = 0; i < rows; i++) {
    const ai = i * cols;
    const oi = i * inner;
    for (let p = 0; p < inner; p++) {
      const bp = p * cols;
      let s = 0;
      for (let j = 0; j < cols; j++) s += a[ai + j]! * b[bp + j]!;
      out[oi + p] = s;
    }
  }
  return out;
}

/** `out += alpha · x` element-wise (BLAS axpy). `out` may alias `x`. */
export function axpy(out: Float64Array, alpha: number, x: Readonly<Float64Array>): Float64Array {
  const n = out.length;
  for (let i = 0; i < n; i++) out[i]! += alpha * x[i]!;
  return out;
}

/** `out[r, c] += v[c]` for every row (adds a bias row vector). */
export function addRowVector(out: Float64Array, v: Readonly<Float64Array>, rows: number, cols: number): Float64Array {
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    for (let c = 0; c < cols; c++) out[o + c]! += v[c]!;
  }
  return out;
}

/** `out[c] = Σ_r a[r, c]` (column sums; e.g. the bias gradient). `out` must not alias `a`. */
export function sumRows(out: Float64Array, a: Readonly<Float64Array>, rows: number, cols: number): Float64Array {
  out.fill(0, 0, cols);
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    for (let c = 0; c < cols; c++) out[c]! += a[o + c]!;
  }
  return out;
}
