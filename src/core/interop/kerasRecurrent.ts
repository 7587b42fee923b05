import { GradstreamError, describeTyped } from '../errors.js';
import type { TfjsLayerJson } from './layerCodec.js';

/** What {@link kerasRecurrent} reads of a Keras recurrent layer. */
export interface KerasRecurrent {
  readonly units: number;
  readonly timesteps: number;
  readonly features: number;
  readonly returnSequences: boolean;
  /** The layer's weight `suffix` (`kernel`, `recurrent_kernel`, `bias`). */
  weight(suffix: string, shape: readonly number[]): Float32Array;
}

/** Options gradstream's recurrent layers do not have, and the value they must keep. */
const FIXED: readonly (readonly [string, unknown, string])[] = [
  ['activation', 'tanh', '"tanh" (gradstream\'s recurrent layers use tanh)'],
  ['recurrent_activation', 'sigmoid', '"sigmoid" (gradstream\'s gates use the logistic sigmoid)'],
  ['use_bias', true, "true (gradstream's recurrent layers have a bias)"],
  ['go_backwards', false, 'false (gradstream reads sequences forwards)'],
  ['stateful', false, 'false (gradstream starts each sequence from zeros)'],
  ['return_state', false, 'false (one output per layer)'],
  ['time_major', false, 'false (samples of [timesteps, features])'],
  ['dropout', 0, "0 (gradstream's recurrent layers have no dropout)"],
  ['recurrent_dropout', 0, "0 (gradstream's recurrent layers have no dropout)"],
];

/**
 * The sizes of a Keras `LSTM` or `GRU` on samples of `shape`
 * `[timesteps, features]`, after checking that it computes as gradstream's layer: options it does
 * not have are refused with a `GradstreamError` naming the field (absent options take Keras'
 * defaults; `unroll` and `implementation` change nothing).
 */
export function kerasRecurrent(json: TfjsLayerJson, shape: readonly number[]): KerasRecurrent {
  const c = json.config;
  const at = (key: string): string => `${json.path}.config.${key}`;
  if (shape.length !== 2) {
    throw new GradstreamError({
      code: 'invalid_shape',
      path: json.path,
      expected: `samples of [timesteps, features] (batch_input_shape [null, T, F], an Embedding, a Reshape or a recurrent layer returning sequences) before ${json.className}`,
      received: `[${shape.join(', ')}]`,
    });
  }
  for (const [key, value, expected] of FIXED) {
    const v = c[key] ?? (key === 'recurrent_activation' ? c.recurrentActivation : undefined);
    if (v !== undefined && v !== null && v !== value)
      throw new GradstreamError({ code: 'invalid_config', path: at(key), expected, received: describeTyped(v) });
  }
  const units = c.units;
  if (typeof units !== 'number' || !Number.isSafeInteger(units) || units < 1)
    throw new GradstreamError({ code: 'invalid_config', path: at('units'), expected: 'an integer ≥ 1', received: describeTyped(units) });
  const returnSequences = c.return_sequences ?? false;
  if (typeof returnSequences !== 'boolean')
    throw new GradstreamError({
      code: 'invalid_config',
      path: at('return_sequences'),
      expected: 'true or false',
      received: describeTyped(returnSequences),
    });
  return {
    units,
    timesteps: shape[0]!,
    features: shape[1]!,
    returnSequences,
    weight: (suffix, s) => json.weight(suffix, s)!,
  };
}
