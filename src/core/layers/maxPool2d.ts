import type { Layer } from '../layer.js';
import type { ConvGeometry } from './convGeometry.js';
import { pool2d, type Pool2dOptions } from './pool2d.js';

/**
 * Max pooling over NHWC samples (Keras' `MaxPooling2D`): each output is the largest input of its
 * window, per channel; the gradient flows to that input only (the first one on ties). Defaults:
 * 2×2 windows, strides equal to the window, `'valid'` padding. Without `inputShape` it takes the
 * output shape of the layer before it in `sequential`.
 *
 * @example
 * import { conv2d, maxPool2d, relu, sequential } from 'gradstream';
 * const model = sequential([conv2d({ inputShape: [8, 8, 1], filters: 8, kernelSize: 3, padding: 'same' }), relu(), maxPool2d()]);
 * // output per sample: [4, 4, 8]
 */
export function maxPool2d(options: Pool2dOptions = {}): Layer {
  return pool2d('maxPool2d', options, { forward: maxForward, backward: maxBackward });
}

function maxForward(x: Readonly<Float64Array>, y: Float64Array, g: ConvGeometry, batch: number, arg: Float64Array): void {
  const { h, w, c, kh, kw, sh, sw, oh, ow, top, left } = g;
  let o = 0;
  for (let n = 0; n < batch; n++) {
    const xb = n * h * w * c;
    for (let i = 0; i < oh; i++) {
      const i0 = Math.max(0, i * sh - top);
      const i1 = Math.min(h, i * sh - top + kh);
      for (let j = 0; j < ow; j++) {
        const j0 = Math.max(0, j * sw - left);
        const j1 = Math.min(w, j * sw - left + kw);
        for (let q = 0; q < c; q++, o++) {
          let best = -Infinity;
          let at = xb + (i0 * w + j0) * c + q;
          for (let ii = i0; ii < i1; ii++) {
            for (let jj = j0; jj < j1; jj++) {
              const k = xb + (ii * w + jj) * c + q;
              const v = x[k]!;
              if (v > best) {
                best = v;
                at = k;
              }
            }
          }
          y[o] = x[at]!;
          arg[o] = at;
        }
      }
    }
  }
}

function maxBackward(dY: Readonly<Float64Array>, dX: Float64Array, g: ConvGeometry, batch: number, arg: Readonly<Float64Array>): void {
  const n = batch * g.oh * g.ow * g.c;
  dX.fill(0, 0, batch * g.h * g.w * g.c);
  for (let o = 0; o < n; o++) dX[arg[o]!]! += dY[o]!;
}
