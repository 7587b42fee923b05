import type { ConvGeometry } from './convGeometry.js';

/**
 * Writes the patches of `batch` NHWC samples `x` as the rows of `cols`: one row per output
 * position (sample, row, column), `kh·kw·c` numbers in kernel order (kernel row, kernel column,
 * channel), zeros where the window reaches into the padding. Works on float64 and float32 arrays.
 */
export function im2col(cols: Float64Array, x: Readonly<Float64Array>, g: ConvGeometry, batch: number): void {
  const { h, w, c, kh, kw, sh, sw, oh, ow, top, left } = g;
  const rowSpan = kw * c;
  let o = 0;
  for (let n = 0; n < batch; n++) {
    const xb = n * h * w * c;
    for (let i = 0; i < oh; i++) {
      for (let j = 0; j < ow; j++) {
        for (let ki = 0; ki < kh; ki++) {
          const ih = i * sh - top + ki;
          if (ih < 0 || ih >= h) {
            cols.fill(0, o, o + rowSpan);
            o += rowSpan;
            continue;
          }
          const xr = xb + ih * w * c;
          for (let kj = 0; kj < kw; kj++) {
            const iw = j * sw - left + kj;
            if (iw < 0 || iw >= w) {
              for (let q = 0; q < c; q++) cols[o + q] = 0;
            } else {
              const src = xr + iw * c;
              for (let q = 0; q < c; q++) cols[o + q] = x[src + q]!;
            }
            o += c;
          }
        }
      }
    }
  }
}

/**
 * The adjoint of {@link im2col}: sums each row entry of `cols` back into the input position it
 * was copied from (`dX = 0`, then one add per patch entry; padding entries are dropped).
 */
export function col2im(dX: Float64Array, cols: Readonly<Float64Array>, g: ConvGeometry, batch: number): void {
  const { h, w, c, kh, kw, sh, sw, oh, ow, top, left } = g;
  dX.fill(0, 0, batch * h * w * c);
  let o = 0;
  for (let n = 0; n < batch; n++) {
    const xb = n * h * w * c;
    for (let i = 0; i < oh; i++) {
      for (let j = 0; j < ow; j++) {
        for (let ki = 0; ki < kh; ki++) {
          const ih = i * sh - top + ki;
          if (ih < 0 || ih >= h) {
            o += kw * c;
            continue;
          }
          const xr = xb + ih * w * c;
          for (let kj = 0; kj < kw; kj++) {
            const iw = j * sw - left + kj;
            if (iw >= 0 && iw < w) {
              const dst = xr + iw * c;
              for (let q = 0; q < c; q++) dX[dst + q]! += cols[o + q]!;
            }
            o += c;
          }
        }
      }
    }
  }
}
