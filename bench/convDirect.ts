/**
 * A direct 2-D convolution (no im2col: each output row of `filters` numbers accumulated from the
 * window's inputs times the kernel rows), float64, for the im2col-versus-direct measurement of
 * `npm run bench:convnet`. NHWC, kernel `[kh, kw, c, f]`, 'same' or 'valid' padding through the
 * library's geometry; forward, and backward with `dW`, `db` and (optionally) `dX`.
 */
import type { ConvGeometry } from '../src/core/layers/convGeometry.js';

export function directForward(
  y: Float64Array,
  x: Float64Array,
  W: Float64Array,
  b: Float64Array,
  g: ConvGeometry,
  f: number,
  batch: number,
): void {
  const { h, w, c, kh, kw, sh, sw, oh, ow, top, left } = g;
  let o = 0;
  for (let n = 0; n < batch; n++) {
    const xb = n * h * w * c;
    for (let i = 0; i < oh; i++) {
      for (let j = 0; j < ow; j++, o += f) {
        for (let q = 0; q < f; q++) y[o + q] = b[q]!;
        for (let ki = 0; ki < kh; ki++) {
          const ih = i * sh - top + ki;
          if (ih < 0 || ih >= h) continue;
          for (let kj = 0; kj < kw; kj++) {
            const iw = j * sw - left + kj;
            if (iw < 0 || iw >= w) continue;
            const src = xb + (ih * w + iw) * c;
            let wr = (ki * kw + kj) * c * f;
            for (let ch = 0; ch < c; ch++, wr += f) {
              const xv = x[src + ch]!;
              for (let q = 0; q < f; q++) y[o + q]! += xv * W[wr + q]!;
            }
          }
        }
      }
    }
  }
}

export function directBackward(
  dW: Float64Array,
  db: Float64Array,
  dX: Float64Array | null,
  x: Float64Array,
  W: Float64Array,
  dY: Float64Array,
  g: ConvGeometry,
  f: number,
  batch: number,
): void {
  const { h, w, c, kh, kw, sh, sw, oh, ow, top, left } = g;
  dW.fill(0);
  db.fill(0);
  if (dX !== null) dX.fill(0);
  let o = 0;
  for (let n = 0; n < batch; n++) {
    const xb = n * h * w * c;
    for (let i = 0; i < oh; i++) {
      for (let j = 0; j < ow; j++, o += f) {
        for (let q = 0; q < f; q++) db[q]! += dY[o + q]!;
        for (let ki = 0; ki < kh; ki++) {
          const ih = i * sh - top + ki;
          if (ih < 0 || ih >= h) continue;
          for (let kj = 0; kj < kw; kj++) {
            const iw = j * sw - left + kj;
            if (iw < 0 || iw >= w) continue;
            const src = xb + (ih * w + iw) * c;
            let wr = (ki * kw + kj) * c * f;
            for (let ch = 0; ch < c; ch++, wr += f) {
              const xv = x[src + ch]!;
              let s = 0;
              for (let q = 0; q < f; q++) {
                const d = dY[o + q]!;
                dW[wr + q]! += xv * d;
                s += W[wr + q]! * d;
              }
              if (dX !== null) dX[src + ch]! += s;
            }
          }
        }
      }
    }
  }
}
