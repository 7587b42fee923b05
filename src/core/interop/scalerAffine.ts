import { GradstreamError, describeTyped } from '../errors.js';
import type { ScalerJson } from '../config/scalerJson.js';

/** A fitted input scaling to put in front of an exported model: a scaler, or its `toJSON()`. */
export type ExportScaler = ScalerJson | { toJSON(): ScalerJson };

/** A scaling `x′ = (x − shift) · factor` per input column. */
export interface Affine {
  readonly shift: Float64Array;
  readonly factor: Float64Array;
}

/**
 * The per-column `shift` and `factor` of a standardize or min-max scaler (or its JSON), computed
 * as the scaler computes them; a `GradstreamError` naming `path` when it is not one of those or
 * has other than `inputs` columns.
 */
export function scalerAffine(scaler: ExportScaler, inputs: number, path: string): Affine {
  const s: unknown = typeof (scaler as { toJSON?: unknown }).toJSON === 'function' ? (scaler as { toJSON(): ScalerJson }).toJSON() : scaler;
  const j = s as Partial<Record<string, unknown>> | null;
  const type = typeof j === 'object' && j !== null ? j.type : undefined;
  if (type !== 'standardize' && type !== 'minMax') {
    throw new GradstreamError({
      code: 'invalid_config',
      path,
      expected: 'a fitted scaler (standardize().fit(…), minMax().fit(…)) or its toJSON()',
      received: describeTyped(s),
    });
  }
  const [aKey, bKey] = type === 'standardize' ? ['mean', 'std'] : ['min', 'max'];
  const a = column(j![aKey!], `${path}.${aKey!}`, inputs);
  const b = column(j![bKey!], `${path}.${bKey!}`, inputs);
  const factor = new Float64Array(inputs);
  for (let c = 0; c < inputs; c++) {
    if (type === 'standardize') factor[c] = 1 / b[c]!;
    else factor[c] = b[c]! > a[c]! ? 1 / (b[c]! - a[c]!) : 1;
  }
  return { shift: a, factor };
}

function column(v: unknown, path: string, inputs: number): Float64Array {
  if (!Array.isArray(v) && !ArrayBuffer.isView(v))
    throw new GradstreamError({
      code: 'invalid_config',
      path,
      expected: `${inputs} numbers (one per model input)`,
      received: describeTyped(v),
    });
  const values = Float64Array.from(v as ArrayLike<number>);
  if (values.length !== inputs)
    throw new GradstreamError({
      code: 'invalid_shape',
      path,
      expected: `${inputs} numbers (one per model input)`,
      received: String(values.length),
    });
  for (let i = 0; i < inputs; i++) {
    if (!Number.isFinite(values[i]))
      throw new GradstreamError({
        code: 'invalid_config',
        path: `${path}[${i}]`,
        expected: 'a finite number',
        received: describeTyped((v as ArrayLike<unknown>)[i]),
      });
  }
  return values;
}
