import { GradstreamError, describeTyped, describeValue } from '../core/errors.js';
import type { GradientTransformation, OptState } from '../core/optimizer.js';
import type { Params } from '../core/params.js';

/**
 * Checks a resumed optimizer state against the state `optimizer.init(params)` would make: the same
 * structure (arrays, objects and their keys), buffers of the same lengths, and values the built-in
 * transformations can have made: update counts (`count`) that are integers ≥ 0, finite moments,
 * traces and sums of squares (`mu`, `nu`, `nuMax`, `trace`, `sumOfSquares`), the second moments
 * and sums of squares ≥ 0. Other state (a custom transformation's) is checked for its structure
 * only: it may hold anything. Throws a `GradstreamError` (`invalid_state`) naming the first place
 * that differs (`optState[0].mu[3]`) — a state saved with another optimizer or another model's
 * layout, or a corrupt one, would otherwise give NaN losses, a silently different run or a raw
 * TypeError.
 */
export function checkOptState(optimizer: GradientTransformation<OptState>, params: Params, state: OptState): void {
  compare(optimizer.init(params), state, 'optState', '');
}

/** Buffers of the built-in transformations (moments, traces, sums of squares): finite. */
const FINITE = new Set(['mu', 'nu', 'nuMax', 'trace', 'sumOfSquares']);
/** Of these, the ones never negative (second moments, their maximum, sums of squares). */
const NON_NEGATIVE = new Set(['nu', 'nuMax', 'sumOfSquares']);

/** A buffer of optimizer state: a Float64Array, or a Float32Array for a float32 model's optimizer. */
function isBuffer(v: unknown): v is Float64Array | Float32Array {
  return v instanceof Float64Array || v instanceof Float32Array;
}

function describeExpected(v: OptState): string {
  if (isBuffer(v)) return `a ${v instanceof Float32Array ? 'Float32Array' : 'Float64Array'} of ${v.length} values`;
  if (Array.isArray(v)) return `an array of ${v.length} states`;
  if (v === null) return 'null';
  if (typeof v === 'object') return `an object with keys ${Object.keys(v).join(', ')}`;
  return `a ${typeof v}`;
}

function compare(expected: OptState, received: OptState, path: string, key: string): void {
  const fail = (): never => {
    throw new GradstreamError({
      code: 'invalid_state',
      path,
      expected: describeExpected(expected),
      received: isBuffer(received) || Array.isArray(received) ? describeExpected(received) : describeTyped(received),
    });
  };
  if (isBuffer(expected)) {
    if (!isBuffer(received) || received.constructor !== expected.constructor || received.length !== expected.length) fail();
    if (FINITE.has(key)) checkValues(received as Float64Array, path, NON_NEGATIVE.has(key));
    return;
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(received) || received.length !== expected.length) fail();
    for (let i = 0; i < expected.length; i++) compare(expected[i]!, (received as OptState[])[i]!, `${path}[${i}]`, '');
    return;
  }
  if (expected === null || typeof expected !== 'object') {
    if (typeof received !== typeof expected || (expected === null) !== (received === null)) fail();
    if (typeof received === 'number' && key === 'count') checkCount(received, path);
    return;
  }
  if (received === null || typeof received !== 'object' || Array.isArray(received) || isBuffer(received)) fail();
  const r = received as { [key: string]: OptState };
  for (const k of Object.keys(expected)) {
    if (!(k in r))
      throw new GradstreamError({
        code: 'invalid_state',
        path: `${path}.${k}`,
        expected: describeExpected(expected[k]!),
        received: 'nothing (missing)',
      });
    compare(expected[k]!, r[k]!, `${path}.${k}`, k);
  }
}

/** An update count: an integer ≥ 0. */
function checkCount(v: number, path: string): void {
  if (!(Number.isSafeInteger(v) && v >= 0))
    throw new GradstreamError({ code: 'invalid_state', path, expected: 'an update count (an integer ≥ 0)', received: describeValue(v) });
}

/** A buffer's values: finite (and ≥ 0 where the key says so). */
function checkValues(a: Float64Array | Float32Array, path: string, nonNegative: boolean): void {
  for (let i = 0; i < a.length; i++) {
    const v = a[i]!;
    if (!Number.isFinite(v) || (nonNegative && v < 0)) {
      throw new GradstreamError({
        code: 'invalid_state',
        path: `${path}[${i}]`,
        expected: nonNegative ? 'a finite number ≥ 0' : 'a finite number',
        received: describeValue(v),
      });
    }
  }
}
