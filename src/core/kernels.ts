/**
 * Row-major `Float64Array` matrix kernels. Each takes `out` first, writes it in place and returns
 * it; inputs are read only. Shapes are passed explicitly; nothing here allocates.
 *
 * The three matrix products dispatch by shape: from {@link WASM_MIN_MACS} multiply-adds on they
 * run on the WebAssembly SIMD kernels (asm/kernels.ts, `f64x2` lanes, packed panels and a 4×4
 * register tile; about 5× the JavaScript kernels on the MLP's shapes), below it (the seed lesson's
 * 4×4, single rows) on the JavaScript kernels, which are also the fallback where WebAssembly SIMD
 * is missing and the reference in tests (`matmulJs`, …). Both sum every entry over the inner index
 * in order with one rounding per multiply and per add (no fused multiply-add), so they agree
 * bit for bit; the documented contract is agreement to float64 round-off (≤ 1e-12 relative to
 * the sum of the absolute terms), which a future FMA build would still meet.
 */
import { GradstreamError } from './errors.js';
import { gemmWasm64 } from './wasm/wasmKernels.js';

/**
 * Products with at least this many multiply-adds (`rows·inner·cols`) use the WebAssembly kernels:
 * a call costs ~0.2 µs more there (copies in and out of the module's memory), which an 8×8×8
 * product already repays (measured: 0.28 µs vs 0.47 µs in JavaScript).
 */
export const WASM_MIN_MACS = 256;

/**
 * Refuses `out` being the same array as an input. Only identity is checked: reading `.buffer` to
 * compare overlapping views costs ~40 ns per access in V8, more than a whole small kernel, so
 * partially overlapping views of one buffer are the caller's responsibility (documented).
 */
function noAlias(out: Float64Array, a: Float64Array, b: Float64Array, kernel: string): void {
  if (out === a || out === b) throwAliased(kernel);
}

// Cold paths live in their own functions: hot functions stay small enough for V8 to inline.
function throwAliased(kernel: string): never {
  throw new GradstreamError({
    code: 'invalid_value',
    path: `${kernel}(out, …)`,
    expected: 'an out buffer distinct from the inputs',
    received: 'an aliased buffer',
  });
}

/**
 * `out[rows×cols] = a[rows×inner] · b[inner×cols]`. `out` must not alias `a` or `b`.
 *
 * Register-blocked: each 4×4 block of `out` is accumulated in 16 locals over the inner dimension
 * (8 loads per 16 multiply-adds); the edges (rows or cols not a multiple of 4) use plain dot
 * products. Every entry is summed in inner-index order, as the naive triple loop does.
 */
export function matmul(
  out: Float64Array,
  a: Readonly<Float64Array>,
  b: Readonly<Float64Array>,
  rows: number,
  inner: number,
  cols: number,
): Float64Array {
  noAlias(out, a, b, 'matmul');
  if (rows * inner * cols >= WASM_MIN_MACS && gemmWasm64(out, a, b, rows, inner, cols, 'n', 'n')) return out;
  if (rows === 1) return rowTimesMatrix(out, a, b, inner, cols);
  return matmulJs(out, a, b, rows, inner, cols);
}

/**
 * {@link matmul} of a single row (one sample, the seed lesson): 1×4 register tiles, the last
 * columns as dot products — the same sums in the same order as {@link matmulJs}. Small enough for
 * V8 to inline.
 */
function rowTimesMatrix(
  out: Float64Array,
  a: Readonly<Float64Array>,
  b: Readonly<Float64Array>,
  inner: number,
  cols: number,
): Float64Array {
  const c4 = cols - (cols % 4);
  let j = 0;
  for (; j < c4; j += 4) {
    let s0 = 0,
      s1 = 0,
      s2 = 0,
      s3 = 0;
    for (let p = 0, bp = j; p < inner; p++, bp += cols) {
      const x = a[p]!;
      s0 += x * b[bp]!;
      s1 += x * b[bp + 1]!;
      s2 += x * b[bp + 2]!;
      s3 += x * b[bp + 3]!;
    }
    out[j] = s0;
    out[j + 1] = s1;
    out[j + 2] = s2;
    out[j + 3] = s3;
  }
  for (; j < cols; j++) {
    let s = 0;
    for (let p = 0, bp = j; p < inner; p++, bp += cols) s += a[p]! * b[bp]!;
    out[j] = s;
  }
  return out;
}

/** {@link matmul} on the JavaScript kernels only (the fallback and the reference in tests). */
export function matmulJs(
  out: Float64Array,
  a: Readonly<Float64Array>,
  b: Readonly<Float64Array>,
  rows: number,
  inner: number,
  cols: number,
): Float64Array {
  noAlias(out, a, b, 'matmul');
  const r4 = rows - (rows % 4);
  const c4 = cols - (cols % 4);
  // Small shapes (a single input row, the seed lesson) skip the blocked code entirely.
  if (r4 > 0 && c4 > 0) matmulBlocked(out, a, b, r4, inner, cols, c4);
  matmulEdges(out, a, b, rows, inner, cols, r4, c4);
  return out;
}

/** The 4×4 register-blocked part of {@link matmul}: rows `[0, r4)`, columns `[0, c4)`. */
function matmulBlocked(
  out: Float64Array,
  a: Readonly<Float64Array>,
  b: Readonly<Float64Array>,
  r4: number,
  inner: number,
  cols: number,
  c4: number,
): void {
  for (let i = 0; i < r4; i += 4) {
    const a0 = i * inner;
    const a1 = a0 + inner;
    const a2 = a1 + inner;
    const a3 = a2 + inner;
    for (let j = 0; j < c4; j += 4) {
      let s00 = 0,
        s01 = 0,
        s02 = 0,
        s03 = 0,
        s10 = 0,
        s11 = 0,
        s12 = 0,
        s13 = 0;
      let s20 = 0,
        s21 = 0,
        s22 = 0,
        s23 = 0,
        s30 = 0,
        s31 = 0,
        s32 = 0,
        s33 = 0;
      for (let p = 0, bp = j; p < inner; p++, bp += cols) {
        const b0 = b[bp]!,
          b1 = b[bp + 1]!,
          b2 = b[bp + 2]!,
          b3 = b[bp + 3]!;
        let x = a[a0 + p]!;
        s00 += x * b0;
        s01 += x * b1;
        s02 += x * b2;
        s03 += x * b3;
        x = a[a1 + p]!;
        s10 += x * b0;
        s11 += x * b1;
        s12 += x * b2;
        s13 += x * b3;
        x = a[a2 + p]!;
        s20 += x * b0;
        s21 += x * b1;
        s22 += x * b2;
        s23 += x * b3;
        x = a[a3 + p]!;
        s30 += x * b0;
        s31 += x * b1;
        s32 += x * b2;
        s33 += x * b3;
      }
      let o = i * cols + j;
      out[o] = s00;
      out[o + 1] = s01;
      out[o + 2] = s02;
      out[o + 3] = s03;
      o += cols;
      out[o] = s10;
      out[o + 1] = s11;
      out[o + 2] = s12;
      out[o + 3] = s13;
      o += cols;
      out[o] = s20;
      out[o + 1] = s21;
      out[o + 2] = s22;
      out[o + 3] = s23;
      o += cols;
      out[o] = s30;
      out[o + 1] = s31;
      out[o + 2] = s32;
      out[o + 3] = s33;
    }
  }
}

/**
 * The rest of {@link matmul}: the right columns of the blocked rows, then the bottom rows — in
 * 1×4 register tiles (a single input row, the seed lesson's 1×4·4×4: half the time of four dot
 * products), their last columns as dot products.
 */
function matmulEdges(
  out: Float64Array,
  a: Readonly<Float64Array>,
  b: Readonly<Float64Array>,
  rows: number,
  inner: number,
  cols: number,
  r4: number,
  c4: number,
): void {
  for (let i = r4; i < rows; i++) {
    const ai = i * inner;
    const oi = i * cols;
    for (let j = 0; j < c4; j += 4) {
      let s0 = 0,
        s1 = 0,
        s2 = 0,
        s3 = 0;
      for (let p = 0, bp = j; p < inner; p++, bp += cols) {
        const x = a[ai + p]!;
        s0 += x * b[bp]!;
        s1 += x * b[bp + 1]!;
        s2 += x * b[bp + 2]!;
        s3 += x * b[bp + 3]!;
      }
      out[oi + j] = s0;
      out[oi + j + 1] = s1;
      out[oi + j + 2] = s2;
      out[oi + j + 3] = s3;
    }
  }
  for (let i = 0; i < rows; i++) {
    const ai = i * inner;
    for (let j = c4; j < cols; j++) {
      let s = 0;
      for (let p = 0, bp = j; p < inner; p++, bp += cols) s += a[ai + p]! * b[bp]!;
      out[i * cols + j] = s;
    }
  }
}

/**
 * `out[inner×cols] = a[rows×inner]ᵀ · b[rows×cols]` (e.g. `dW = xᵀ·dY`). No aliasing.
 * Register-blocked like {@link matmul}; sums run over `rows` in order.
 */
export function matmulTransA(
  out: Float64Array,
  a: Readonly<Float64Array>,
  b: Readonly<Float64Array>,
  rows: number,
  inner: number,
  cols: number,
): Float64Array {
  noAlias(out, a, b, 'matmulTransA');
  if (rows * inner * cols >= WASM_MIN_MACS && gemmWasm64(out, a, b, inner, rows, cols, 't', 'n')) return out;
  if (rows === 1) return outerProduct(out, a, b, inner, cols);
  return matmulTransAJs(out, a, b, rows, inner, cols);
}

/**
 * {@link matmulTransA} of a single row (`dW = xᵀ·dY` for one sample, the seed lesson): the outer
 * product `out[i, j] = 0 + a[i]·b[j]` — the `0 +` is the naive sum's first addition, so the bits
 * are the same, −0 included. Column blocks of four outside, rows inside: each block's four `b`
 * values are read once. Small enough for V8 to inline; no tiles.
 */
function outerProduct(out: Float64Array, a: Readonly<Float64Array>, b: Readonly<Float64Array>, inner: number, cols: number): Float64Array {
  const c4 = cols - (cols % 4);
  let j = 0;
  for (; j < c4; j += 4) {
    const b0 = b[j]!;
    const b1 = b[j + 1]!;
    const b2 = b[j + 2]!;
    const b3 = b[j + 3]!;
    for (let i = 0, o = j; i < inner; i++, o += cols) {
      const x = a[i]!;
      out[o] = 0 + x * b0;
      out[o + 1] = 0 + x * b1;
      out[o + 2] = 0 + x * b2;
      out[o + 3] = 0 + x * b3;
    }
  }
  for (; j < cols; j++) {
    const bj = b[j]!;
    for (let i = 0, o = j; i < inner; i++, o += cols) out[o] = 0 + a[i]! * bj;
  }
  return out;
}

/** {@link matmulTransA} on the JavaScript kernels only (the fallback and the reference in tests). */
export function matmulTransAJs(
  out: Float64Array,
  a: Readonly<Float64Array>,
  b: Readonly<Float64Array>,
  rows: number,
  inner: number,
  cols: number,
): Float64Array {
  noAlias(out, a, b, 'matmulTransA');
  const i4 = inner - (inner % 4);
  const c4 = cols - (cols % 4);
  for (let i = 0; i < i4; i += 4) {
    for (let j = 0; j < c4; j += 4) {
      let s00 = 0,
        s01 = 0,
        s02 = 0,
        s03 = 0,
        s10 = 0,
        s11 = 0,
        s12 = 0,
        s13 = 0;
      let s20 = 0,
        s21 = 0,
        s22 = 0,
        s23 = 0,
        s30 = 0,
        s31 = 0,
        s32 = 0,
        s33 = 0;
      for (let r = 0, ap = i, bp = j; r < rows; r++, ap += inner, bp += cols) {
        const b0 = b[bp]!,
          b1 = b[bp + 1]!,
          b2 = b[bp + 2]!,
          b3 = b[bp + 3]!;
        let x = a[ap]!;
        s00 += x * b0;
        s01 += x * b1;
        s02 += x * b2;
        s03 += x * b3;
        x = a[ap + 1]!;
        s10 += x * b0;
        s11 += x * b1;
        s12 += x * b2;
        s13 += x * b3;
        x = a[ap + 2]!;
        s20 += x * b0;
        s21 += x * b1;
        s22 += x * b2;
        s23 += x * b3;
        x = a[ap + 3]!;
        s30 += x * b0;
        s31 += x * b1;
        s32 += x * b2;
        s33 += x * b3;
      }
      let o = i * cols + j;
      out[o] = s00;
      out[o + 1] = s01;
      out[o + 2] = s02;
      out[o + 3] = s03;
      o += cols;
      out[o] = s10;
      out[o + 1] = s11;
      out[o + 2] = s12;
      out[o + 3] = s13;
      o += cols;
      out[o] = s20;
      out[o + 1] = s21;
      out[o + 2] = s22;
      out[o + 3] = s23;
      o += cols;
      out[o] = s30;
      out[o + 1] = s31;
      out[o + 2] = s32;
      out[o + 3] = s33;
    }
  }
  for (let i = 0; i < inner; i++) {
    for (let j = i < i4 ? c4 : 0; j < cols; j++) {
      let s = 0;
      for (let r = 0, ap = i, bp = j; r < rows; r++, ap += inner, bp += cols) s += a[ap]! * b[bp]!;
      out[i * cols + j] = s;
    }
  }
  return out;
}

/**
 * `out[rows×inner] = a[rows×cols] · b[inner×cols]ᵀ` (e.g. `dX = dY·Wᵀ`). No aliasing.
 * Register-blocked like {@link matmul}; sums run over `cols` in order.
 */
export function matmulTransB(
  out: Float64Array,
  a: Readonly<Float64Array>,
  b: Readonly<Float64Array>,
  rows: number,
  cols: number,
  inner: number,
): Float64Array {
  noAlias(out, a, b, 'matmulTransB');
  if (rows * inner * cols >= WASM_MIN_MACS && gemmWasm64(out, a, b, rows, cols, inner, 'n', 't')) return out;
  return matmulTransBJs(out, a, b, rows, cols, inner);
}

/** {@link matmulTransB} on the JavaScript kernels only (the fallback and the reference in tests). */
export function matmulTransBJs(
  out: Float64Array,
  a: Readonly<Float64Array>,
  b: Readonly<Float64Array>,
  rows: number,
  cols: number,
  inner: number,
): Float64Array {
  noAlias(out, a, b, 'matmulTransB');
  const r4 = rows - (rows % 4);
  const n4 = inner - (inner % 4);
  for (let i = 0; i < r4; i += 4) {
    const a0 = i * cols;
    const a1 = a0 + cols;
    const a2 = a1 + cols;
    const a3 = a2 + cols;
    for (let j = 0; j < n4; j += 4) {
      const b0 = j * cols;
      const b1 = b0 + cols;
      const b2 = b1 + cols;
      const b3 = b2 + cols;
      let s00 = 0,
        s01 = 0,
        s02 = 0,
        s03 = 0,
        s10 = 0,
        s11 = 0,
        s12 = 0,
        s13 = 0;
      let s20 = 0,
        s21 = 0,
        s22 = 0,
        s23 = 0,
        s30 = 0,
        s31 = 0,
        s32 = 0,
        s33 = 0;
      for (let p = 0; p < cols; p++) {
        const y0 = b[b0 + p]!,
          y1 = b[b1 + p]!,
          y2 = b[b2 + p]!,
          y3 = b[b3 + p]!;
        let x = a[a0 + p]!;
        s00 += x * y0;
        s01 += x * y1;
        s02 += x * y2;
        s03 += x * y3;
        x = a[a1 + p]!;
        s10 += x * y0;
        s11 += x * y1;
        s12 += x * y2;
        s13 += x * y3;
        x = a[a2 + p]!;
        s20 += x * y0;
        s21 += x * y1;
        s22 += x * y2;
        s23 += x * y3;
        x = a[a3 + p]!;
        s30 += x * y0;
        s31 += x * y1;
        s32 += x * y2;
        s33 += x * y3;
      }
      let o = i * inner + j;
      out[o] = s00;
      out[o + 1] = s01;
      out[o + 2] = s02;
      out[o + 3] = s03;
      o += inner;
      out[o] = s10;
      out[o + 1] = s11;
      out[o + 2] = s12;
      out[o + 3] = s13;
      o += inner;
      out[o] = s20;
      out[o + 1] = s21;
      out[o + 2] = s22;
      out[o + 3] = s23;
      o += inner;
      out[o] = s30;
      out[o + 1] = s31;
      out[o + 2] = s32;
      out[o + 3] = s33;
    }
  }
  for (let i = 0; i < rows; i++) {
    const ai = i * cols;
    for (let j = i < r4 ? n4 : 0; j < inner; j++) {
      const bj = j * cols;
      let s = 0;
      for (let p = 0; p < cols; p++) s += a[ai + p]! * b[bj + p]!;
      out[i * inner + j] = s;
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
