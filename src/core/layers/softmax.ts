import { activationLayer, type ActivationLayer } from './activation.js';

/**
 * Row-wise softmax of `rows × cols` logits into `out` (may alias `logits`): `eˣ / Σ eˣ`, with the
 * row maximum subtracted first so large logits do not overflow. Returns `out`.
 */
export function softmaxRows(out: Float64Array, logits: Readonly<Float64Array>, rows: number, cols: number): Float64Array {
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    let max = -Infinity;
    for (let c = 0; c < cols; c++) if (logits[o + c]! > max) max = logits[o + c]!;
    let sum = 0;
    for (let c = 0; c < cols; c++) {
      const e = Math.exp(logits[o + c]! - max);
      out[o + c] = e;
      sum += e;
    }
    const inv = 1 / sum;
    for (let c = 0; c < cols; c++) out[o + c]! *= inv;
  }
  return out;
}

/**
 * Softmax over each row: turns logits into class probabilities. Its backward pass is the full
 * Jacobian product `dX = y ⊙ (dY − Σ dY ⊙ y)`.
 *
 * **Training a classifier:** leave the softmax out of the trained model and use
 * `softmaxCrossEntropy()` (logits by default, `fromLogits: true`): the loss applies the softmax
 * itself, with the log-sum-exp trick, and its gradient is the fused `(softmax(z) − target) / rows`,
 * finite for any logits. A softmax layer followed by `softmaxCrossEntropy({ fromLogits: false })`
 * computes the same thing in exact arithmetic but loses precision once probabilities underflow
 * (they are clipped to [1e-7, 1 − 1e-7], as in Keras). A softmax layer has no parameters, so
 * `sequential([...layers, softmax()])` has the same parameter layout as `sequential(layers)` and
 * can predict probabilities with the weights trained on logits.
 *
 * @example
 * import { dense, relu, sequential, softmax } from 'gradstream';
 * const logits = [dense(2, 16), relu(), dense(16, 3)];
 * const train = sequential(logits);                // trained with softmaxCrossEntropy()
 * const probs = sequential([...logits, softmax()]); // same params, outputs probabilities
 */
export function softmax(size?: number): ActivationLayer {
  return activationLayer(
    'softmax',
    size,
    {
      forward(x, y, n, cols) {
        softmaxRows(y, x, n / cols, cols);
      },
      backward(_x, y, dY, dX, n, cols) {
        for (let o = 0; o < n; o += cols) {
          let dot = 0;
          for (let c = 0; c < cols; c++) dot += dY[o + c]! * y[o + c]!;
          for (let c = 0; c < cols; c++) dX[o + c] = y[o + c]! * (dY[o + c]! - dot);
        }
      },
    },
    { type: 'softmax' },
  );
}
