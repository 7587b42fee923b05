import { GradstreamError } from '../core/errors.js';
import type { ScalerJson } from '../core/config/scalerJson.js';

/**
 * A fitted input scaling, `x′ = (x − shift) · factor` per input column: made by
 * `standardize().fit(…)` or `minMax().fit(…)` on the training part only, then applied unchanged to
 * validation data and at prediction time (`withScaler` puts it in front of a model). Plain data
 * through `toJSON()` / `scalerFromJSON`, so a checkpoint can carry it.
 */
export interface Scaler {
  readonly type: 'standardize' | 'minMax';
  /** Input columns. */
  readonly inputs: number;
  /**
   * Scales `rows × inputs` values (row major) into `out` (default: a new array; may be `x`
   * itself) and returns it. Allocates nothing when `out` is given.
   */
  transform(x: Readonly<Float64Array>, out?: Float64Array): Float64Array;
  /** The fitted statistics as plain data. */
  toJSON(): ScalerJson;
}

/** A scaler from per-column `shift` and `factor` (validated by the caller). */
export function affineScaler(type: Scaler['type'], shift: Float64Array, factor: Float64Array, json: () => ScalerJson): Scaler {
  const inputs = shift.length;
  return {
    type,
    inputs,
    transform(x, out = new Float64Array(x.length)) {
      if (x.length % inputs !== 0 || out.length < x.length) {
        throw new GradstreamError({
          code: 'invalid_shape',
          path: `${type}.transform`,
          expected: `rows of ${inputs} inputs (and an out buffer as long)`,
          received: `${x.length} values, out of ${out.length}`,
        });
      }
      for (let i = 0; i < x.length; i += inputs) {
        for (let c = 0; c < inputs; c++) out[i + c] = (x[i + c]! - shift[c]!) * factor[c]!;
      }
      return out;
    },
    toJSON: json,
  };
}
