/**
 * Weight initializers: each fills a tensor of shape `[fanIn, fanOut]` (or a bias of length
 * `fanOut`) in place from a seeded {@link Rng}, with Keras' formulas. The `*Normal` ones are
 * truncated normals as in Keras: deviates beyond 2 standard deviations are redrawn, and the
 * standard deviation is divided by 0.87962566103423978 (the stddev of a unit normal truncated at
 * ±2) so the variance is the one the formula asks for.
 */
import type { InitializerName } from '../schemas/modelConfig.js';
import { GradstreamError, describeValue } from './errors.js';
import type { Rng } from './rng.js';

/** Fills `out` for a weight of `fanIn` inputs and `fanOut` outputs. */
export type Initializer = (out: Float64Array, fanIn: number, fanOut: number, rng: Rng) => void;

/** The standard deviation of a unit normal truncated to [−2, 2] (Keras' correction factor). */
export const TRUNCATED_NORMAL_STDDEV = 0.87962566103423978;

/** All zeros. */
export const zeros: Initializer = (out) => {
  out.fill(0);
};

/** All ones. */
export const ones: Initializer = (out) => {
  out.fill(1);
};

function uniform(out: Float64Array, limit: number, rng: Rng): void {
  for (let i = 0; i < out.length; i++) out[i] = rng.uniform(-limit, limit);
}

/** Fills `out` with a normal of standard deviation `stddev` truncated at ±2 `stddev` (redrawn). */
export function truncatedNormal(out: Float64Array, stddev: number, rng: Rng): void {
  for (let i = 0; i < out.length; i++) {
    let z = rng.normal();
    while (z < -2 || z > 2) z = rng.normal();
    out[i] = z * stddev;
  }
}

/** Glorot (Xavier) uniform: U(−l, l) with `l = sqrt(6 / (fanIn + fanOut))` (the Keras default). */
export const glorotUniform: Initializer = (out, fanIn, fanOut, rng) => {
  uniform(out, Math.sqrt(6 / (fanIn + fanOut)), rng);
};

/** Glorot (Xavier) normal: truncated normal, stddev `sqrt(2 / (fanIn + fanOut)) / 0.8796…`. */
export const glorotNormal: Initializer = (out, fanIn, fanOut, rng) => {
  truncatedNormal(out, Math.sqrt(2 / (fanIn + fanOut)) / TRUNCATED_NORMAL_STDDEV, rng);
};

/** He uniform: U(−l, l) with `l = sqrt(6 / fanIn)` (for ReLU layers). */
export const heUniform: Initializer = (out, fanIn, _fanOut, rng) => {
  uniform(out, Math.sqrt(6 / fanIn), rng);
};

/** He normal: truncated normal, stddev `sqrt(2 / fanIn) / 0.8796…` (for ReLU layers). */
export const heNormal: Initializer = (out, fanIn, _fanOut, rng) => {
  truncatedNormal(out, Math.sqrt(2 / fanIn) / TRUNCATED_NORMAL_STDDEV, rng);
};

/** LeCun uniform: U(−l, l) with `l = sqrt(3 / fanIn)`. */
export const lecunUniform: Initializer = (out, fanIn, _fanOut, rng) => {
  uniform(out, Math.sqrt(3 / fanIn), rng);
};

/** LeCun normal: truncated normal, stddev `sqrt(1 / fanIn) / 0.8796…` (for SELU / ELU layers). */
export const lecunNormal: Initializer = (out, fanIn, _fanOut, rng) => {
  truncatedNormal(out, Math.sqrt(1 / fanIn) / TRUNCATED_NORMAL_STDDEV, rng);
};

/**
 * Explicit values: nested rows (`[[…], […]]`, rows = inputs) or a flat row-major list. Errors with
 * a `GradstreamError` naming `path` when the number of values does not fit the tensor.
 *
 * @example
 * import { dense, fromValues } from 'gradstream';
 * const layer = dense(2, 1, { init: fromValues([[0.5], [-0.25]]), biasInit: fromValues([0.1]) });
 */
export function fromValues(values: ArrayLike<number> | readonly (readonly number[])[], path = 'fromValues'): Initializer {
  const flat: number[] = [];
  const first = (values as ArrayLike<unknown>)[0];
  if (Array.isArray(first)) {
    for (const row of values as readonly (readonly number[])[]) for (const v of row) flat.push(v);
  } else {
    for (let i = 0; i < values.length; i++) flat.push((values as ArrayLike<number>)[i]!);
  }
  for (let i = 0; i < flat.length; i++) {
    if (typeof flat[i] !== 'number' || !Number.isFinite(flat[i])) {
      throw new GradstreamError({ code: 'invalid_value', path: `${path}[${i}]`, expected: 'a finite number', received: describeValue(flat[i]) });
    }
  }
  return (out) => {
    if (out.length !== flat.length) {
      throw new GradstreamError({ code: 'invalid_shape', path, expected: `${out.length} values`, received: String(flat.length) });
    }
    out.set(flat);
  };
}

/** The built-in initializers by name (the names a config file uses). */
export const INITIALIZERS: Readonly<Record<InitializerName, Initializer>> = Object.freeze({
  zeros,
  ones,
  glorotUniform,
  glorotNormal,
  heUniform,
  heNormal,
  lecunUniform,
  lecunNormal,
});

/** The name of a built-in initializer, or undefined for any other function. */
export function initializerName(init: Initializer): InitializerName | undefined {
  for (const [name, fn] of Object.entries(INITIALIZERS)) if (fn === init) return name as InitializerName;
  return undefined;
}
