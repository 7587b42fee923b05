import { GradstreamError, describeTyped, type GradstreamErrorCode } from '../errors.js';
import { isHyperParam } from '../isHyperParam.js';
import type { Hyper, LearningRate } from '../optimizer.js';

/**
 * The ranges a hyperparameter can be checked against, written as they read in error messages.
 * `'finite'`: any finite number.
 */
export type OptionRange = 'finite' | '≥ 0' | '> 0' | '[0, 1)' | '[0, 1]';

const EXPECTED: Readonly<Record<OptionRange, string>> = {
  finite: 'a finite number',
  '≥ 0': 'a finite number ≥ 0',
  '> 0': 'a finite number > 0',
  '[0, 1)': 'a number in [0, 1)',
  '[0, 1]': 'a number in [0, 1]',
};

function inRange(v: number, range: OptionRange): boolean {
  switch (range) {
    case 'finite':
      return Number.isFinite(v);
    case '≥ 0':
      return v >= 0 && v < Infinity;
    case '> 0':
      return v > 0 && v < Infinity;
    case '[0, 1)':
      return v >= 0 && v < 1;
    case '[0, 1]':
      return v >= 0 && v <= 1;
  }
}

function fail(path: string, expected: string, value: unknown, code: GradstreamErrorCode = 'invalid_config'): never {
  throw new GradstreamError({ code, path, expected, received: describeTyped(value) });
}

/**
 * The shared validation of optimizer and schedule options: returns `value` if it is a number in
 * `range`, else throws a {@link GradstreamError} (`code`, by default `invalid_config`) naming
 * `path`, e.g.
 * `adam.beta1: expected a number in [0, 1), received 1.5`.
 */
export function checkNumber(path: string, value: unknown, range: OptionRange, code?: GradstreamErrorCode): number {
  if (typeof value !== 'number' || !inRange(value, range)) fail(path, EXPECTED[range], value, code);
  return value;
}

/**
 * Returns `value` if it is a safe integer ≥ `min`, else throws naming `path`
 * (`dense.units: expected an integer ≥ 1, received "3" (a string)`).
 */
export function checkInteger(path: string, value: unknown, min: number, code?: GradstreamErrorCode): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) fail(path, `an integer ≥ ${min}`, value, code);
  return value;
}

/** Returns `value` if it is a boolean, else throws naming `path`. */
export function checkBoolean(path: string, value: unknown): boolean {
  if (typeof value !== 'boolean') fail(path, 'a boolean', value);
  return value;
}

/** Returns `value` if it is a function, else throws naming `path` and what the function is (`expected`). */
export function checkFunction<F>(path: string, value: unknown, expected: string): F {
  if (typeof value !== 'function') fail(path, expected, value);
  return value as F;
}

/** Whether `value` is an object that can hold options: not null, not an array, not a function. */
export function isOptionsObject(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !ArrayBuffer.isView(value);
}

/**
 * Checks the options object of a factory at construction: an object (objects without a prototype
 * included) whose keys are all in `keys`, or nothing when `required` is false (then `{}` is
 * returned). Throws a `GradstreamError` naming `name` (`batchNorm: expected an options object
 * ({ momentum, epsilon }), received null`) or the unknown option (`batchNorm.momentom: expected a known option (momentum,
 * epsilon), received an unknown option`).
 */
export function checkOptions(name: string, options: unknown, keys: readonly string[], required = false): Readonly<Record<string, unknown>> {
  if (options === undefined && !required) return {};
  if (!isOptionsObject(options)) fail(name, `an options object${keys.length > 0 ? ` ({ ${keys.join(', ')} })` : ''}`, options);
  for (const key of Object.keys(options)) {
    if (!keys.includes(key)) {
      throw new GradstreamError({
        code: 'invalid_config',
        path: `${name}.${key}`,
        expected: `a known option (${keys.join(', ')})`,
        received: 'an unknown option',
      });
    }
  }
  return options;
}

/**
 * Checks a {@link Hyper} (a number or a live cell) at construction: a number, or the cell's
 * current value, must be in `range`.
 */
export function checkHyper(path: string, value: unknown, range: OptionRange): Hyper {
  if (isHyperParam(value)) {
    checkNumber(path, value.value, range);
    return value;
  }
  if (typeof value !== 'number') fail(path, `${EXPECTED[range]} or a hyperParam cell`, value);
  return checkNumber(path, value, range);
}

/** Checks a {@link LearningRate} at construction: a number ≥ 0, a schedule, or a cell holding a number ≥ 0. */
export function checkRate(path: string, value: unknown): LearningRate {
  if (typeof value === 'function') return value as LearningRate;
  if (typeof value !== 'number' && !isHyperParam(value)) fail(path, 'a finite number ≥ 0, a schedule or a hyperParam cell', value);
  return checkHyper(path, value, '≥ 0');
}

/** The value of a {@link Hyper} now, checked against `range` (cells may have been set to anything). */
export function hyperValue(path: string, h: Hyper, range: OptionRange): number {
  return typeof h === 'number' ? h : checkNumber(path, h.value, range);
}

/** The learning rate for update number `step`, checked (≥ 0 and finite). */
export function rateAt(path: string, lr: LearningRate, step: number): number {
  if (typeof lr === 'number') return lr;
  return checkNumber(path, typeof lr === 'function' ? lr(step) : lr.value, '≥ 0');
}

const CLIP_KEYS = ['clipNorm', 'clipValue'] as const;

/**
 * Checks a named optimizer's options object: an object (or nothing) whose keys are all known —
 * a misspelt option (`adam({ betta1: 0.5 })`) is an error, not a silent default. Throws a
 * `GradstreamError` naming the option and the known ones.
 */
export function checkKnownOptions(name: string, options: unknown, keys: readonly string[]): void {
  if (options === undefined) return;
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new GradstreamError({ code: 'invalid_config', path: name, expected: 'an options object', received: describeTyped(options) });
  }
  const known = [...keys, ...CLIP_KEYS];
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) {
      throw new GradstreamError({
        code: 'invalid_config',
        path: `${name}.${key}`,
        expected: `a known option (${known.join(', ')})`,
        received: 'an unknown option',
      });
    }
  }
}
