import type { Gemm } from './gemmFor.js';

/*
 * The per-step arithmetic shared by the recurrent layers (gru, lstm). Internal: not exported
 * from the package.
 */

/** `xw = x·W + b` over all (batch, step) rows; `b`'s first `G` numbers are the input bias. */
export function projectInputs(
  gemm: Gemm,
  xw: Float64Array,
  x: Readonly<Float64Array>,
  W: Readonly<Float64Array>,
  b: Readonly<Float64Array>,
  rows: number,
  F: number,
  G: number,
): void {
  gemm.mm(xw, x, W, rows, F, G);
  for (let r = 0, o = 0; r < rows; r++, o += G) {
    for (let j = 0; j < G; j++) xw[o + j]! += b[j]!;
  }
}

/** The logistic function (Keras' `sigmoid`). */
export const sigmoid = (v: number): number => 1 / (1 + Math.exp(-v));

/** The gradient reaching step `t`'s output: the carried `dh` plus `dY`'s share at `t`. */
export function dOut(
  dh: Readonly<Float64Array>,
  dY: Readonly<Float64Array>,
  n: number,
  j: number,
  t: number,
  T: number,
  U: number,
  returnSequences: boolean,
): number {
  const d = dh[n * U + j]!;
  if (returnSequences) return d + dY[(n * T + t) * U + j]!;
  return t === T - 1 ? d + dY[n * U + j]! : d;
}

/** `out[offset + j] = Σ_rows a[row, j]` for the `G` columns of `a`. */
export function columnSums(out: Float64Array, a: Readonly<Float64Array>, rows: number, G: number, offset: number): void {
  for (let j = 0; j < G; j++) out[offset + j] = 0;
  for (let r = 0, o = 0; r < rows; r++, o += G) {
    for (let j = 0; j < G; j++) out[offset + j]! += a[o + j]!;
  }
}

/** The layer's output from the hidden states: the last one, or every step's (`returnSequences`). */
export function writeOutput(
  y: Float64Array,
  hs: Readonly<Float64Array>,
  batch: number,
  T: number,
  U: number,
  returnSequences: boolean,
): void {
  const BU = batch * U;
  if (!returnSequences) {
    for (let i = 0; i < BU; i++) y[i] = hs[T * BU + i]!;
    return;
  }
  for (let n = 0; n < batch; n++) {
    for (let t = 0; t < T; t++) {
      const src = (t + 1) * BU + n * U;
      const dst = (n * T + t) * U;
      for (let j = 0; j < U; j++) y[dst + j] = hs[src + j]!;
    }
  }
}
