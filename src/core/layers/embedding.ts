import { GradstreamError } from '../errors.js';
import type { Layer } from '../layer.js';
import { checkInteger, checkOptions } from '../optimizers/checkOption.js';
import type { EmbeddingLayerConfig } from '../config/modelConfig.js';

/** Options of {@link embedding}. */
export interface EmbeddingOptions {
  /** Ids per input row (default 1): the layer outputs `inputLength × outputDim` numbers per row. */
  readonly inputLength?: number;
}

/**
 * An embedding layer (Keras' `Embedding`): each input number is an integer id in `[0, inputDim)`
 * and becomes that row of the table `"<i>.embeddings"` `[inputDim, outputDim]` (initialized
 * uniform in [−0.05, 0.05], as Keras). A row of `inputLength` ids gives `inputLength ×
 * outputDim` numbers, id after id — the input of a recurrent layer with `timesteps: inputLength,
 * features: outputDim`.
 *
 * The backward pass adds each output's gradient to its id's row (ids repeated in a batch add up);
 * ids have no gradient (zeros). Errors with a `GradstreamError` (`invalid_value`) naming the row
 * and column when an input is not an integer in range. Training and inference compute the same.
 *
 * @example
 * import { dense, embedding, gru, sequential } from 'gradstream';
 * // rows of 20 token ids from a vocabulary of 1000 → 2 classes
 * const model = sequential([embedding(1000, 16, { inputLength: 20 }), gru(32, { timesteps: 20, features: 16 }), dense(32, 2)]);
 */
export function embedding(inputDim: number, outputDim: number, options: EmbeddingOptions = {}): Layer {
  checkInteger('embedding.inputDim', inputDim, 1, 'invalid_shape');
  checkInteger('embedding.outputDim', outputDim, 1, 'invalid_shape');
  const o = checkOptions('embedding', options, ['inputLength']);
  const L = (o.inputLength ?? 1) as number;
  checkInteger('embedding.inputLength', L, 1, 'invalid_shape');
  const D = outputDim;
  const config: EmbeddingLayerConfig = { type: 'embedding', inputDim, outputDim, ...(L === 1 ? {} : { inputLength: L }) };
  const idAt = (x: Readonly<Float64Array>, k: number): number => {
    const id = x[k]!;
    if (!(Number.isInteger(id) && id >= 0 && id < inputDim)) throwId(x, k, L, inputDim);
    return id;
  };
  return {
    kind: 'embedding',
    inputs: L,
    outputs: L * D,
    params: [{ name: 'embeddings', shape: [inputDim, D] }],
    init(rng, p) {
      const e = p[0]!;
      for (let i = 0; i < e.length; i++) e[i] = rng.uniform(-0.05, 0.05);
    },
    forward(p, x, y, batch) {
      const e = p[0]!;
      const n = batch * L;
      for (let k = 0; k < n; k++) {
        const src = idAt(x, k) * D;
        const dst = k * D;
        for (let j = 0; j < D; j++) y[dst + j] = e[src + j]!;
      }
    },
    backward(_p, x, _y, dY, dX, g, batch) {
      const ge = g[0]!;
      ge.fill(0);
      const n = batch * L;
      for (let k = 0; k < n; k++) {
        const dst = idAt(x, k) * D;
        const src = k * D;
        for (let j = 0; j < D; j++) ge[dst + j]! += dY[src + j]!;
      }
      if (dX !== null) dX.fill(0, 0, n);
    },
    toConfig: () => ({ ...config }),
    // A table lookup computes the same on either array type: the float32 form is the layer itself.
    float32() {
      return this;
    },
  };
}

// Kept out of `forward` so that the hot path stays small.
function throwId(x: Readonly<Float64Array>, k: number, L: number, inputDim: number): never {
  throw new GradstreamError({
    code: 'invalid_value',
    path: `embedding input[${Math.floor(k / L)}][${k % L}]`,
    expected: `an integer id in [0, ${inputDim})`,
    received: String(x[k]),
  });
}
