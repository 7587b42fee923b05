/**
 * Weight initializers: each fills a tensor of shape `[fanIn, fanOut]` (or a bias of length
 * `fanOut`) in place from a seeded {@link Rng}, with Keras' formulas. The `*Normal` ones are
 * truncated normals as in Keras: deviates beyond 2 standard deviations are redrawn, and the
 * standard deviation is divided by 0.87962566103423978 (the stddev of a unit normal truncated at
 * ±2) so the variance is the one the formula asks for.
 */
import type { InitializerName } from './config/modelConfig.js';
import { GradstreamError, describeTyped } from './errors.js';
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
 * Explicit values: nested rows (`[[…], […]]`, rows = inputs) or a flat row-major list (an array or
 * a typed array) of finite numbers. Errors with a `GradstreamError` naming `path` when a value is
 * not a finite number, and when the number of values does not fit the tensor: at once when `size`
 * (the tensor's number of values) is given, else when the initializer is applied.
 *
 * @example
 * import { dense, fromValues } from 'gradstream';
 * const layer = dense(2, 1, { init: fromValues([[0.5], [-0.25]]), biasInit: fromValues([0.1]) });
 */
export function fromValues(values: ArrayLike<number> | readonly (readonly number[])[], path = 'fromValues', size?: number): Initializer {
  if (typeof path !== 'string') {
    throw new GradstreamError({
      code: 'invalid_config',
      path: 'fromValues(path)',
      expected: 'a string (where errors say the values came from)',
      received: describeTyped(path),
    });
  }
  if (size !== undefined && !(typeof size === 'number' && Number.isSafeInteger(size) && size >= 0)) {
    throw new GradstreamError({
      code: 'invalid_config',
      path: 'fromValues(size)',
      expected: 'an integer ≥ 0 (the number of values), or nothing',
      received: describeTyped(size),
    });
  }
  const flat = flattenValues(values, path);
  if (size !== undefined && flat.length !== size) throwCount(path, size, flat.length);
  return (out) => {
    if (out.length !== flat.length) throwCount(path, out.length, flat.length);
    out.set(flat);
  };
}

function throwCount(path: string, expected: number, received: number): never {
  throw new GradstreamError({ code: 'invalid_shape', path, expected: `${expected} values`, received: String(received) });
}

/** The values of nested rows or of a flat list, checked to be finite numbers. */
function flattenValues(values: unknown, path: string): number[] {
  const isList = (v: unknown): v is ArrayLike<unknown> => Array.isArray(v) || (ArrayBuffer.isView(v) && !(v instanceof DataView));
  if (!isList(values)) {
    throw new GradstreamError({
      code: 'invalid_value',
      path,
      expected: 'an array of numbers (or of rows of numbers)',
      received: describeTyped(values),
    });
  }
  const flat: number[] = [];
  const nested = Array.isArray(values[0]);
  for (let r = 0; r < values.length; r++) {
    const row = values[r];
    if (!nested) {
      flat.push(finite(row, `${path}[${r}]`));
      continue;
    }
    if (!Array.isArray(row)) {
      throw new GradstreamError({
        code: 'invalid_value',
        path: `${path}[${r}]`,
        expected: 'a row of numbers (as row 0)',
        received: describeTyped(row),
      });
    }
    for (let c = 0; c < row.length; c++) flat.push(finite(row[c], `${path}[${flat.length}]`));
  }
  return flat;
}

function finite(v: unknown, path: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    throw new GradstreamError({ code: 'invalid_value', path, expected: 'a finite number', received: describeTyped(v) });
  }
  return v;
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
