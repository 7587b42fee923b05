import { GradstreamError, describeTyped } from '../core/errors.js';
import type { GradientTransformation, OptState } from '../core/optimizer.js';
import type { Params } from '../core/params.js';

/**
 * Checks a resumed optimizer state against the state `optimizer.init(params)` would make: the same
 * structure (arrays, objects and their keys) and buffers of the same lengths. Throws a
 * `GradstreamError` (`invalid_state`) naming the first place that differs — a state saved with
 * another optimizer or another model's layout would otherwise give NaN losses or a raw TypeError.
 */
export function checkOptState(optimizer: GradientTransformation<OptState>, params: Params, state: OptState): void {
  compare(optimizer.init(params), state, 'optState');
}

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

function compare(expected: OptState, received: OptState, path: string): void {
  const fail = (): never => {
    throw new GradstreamError({ code: 'invalid_state', path, expected: describeExpected(expected), received: isBuffer(received) || Array.isArray(received) ? describeExpected(received) : describeTyped(received) });
  };
  if (isBuffer(expected)) {
    if (!isBuffer(received) || received.constructor !== expected.constructor || received.length !== expected.length) fail();
    return;
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(received) || received.length !== expected.length) fail();
    for (let i = 0; i < expected.length; i++) compare(expected[i]!, (received as OptState[])[i]!, `${path}[${i}]`);
    return;
  }
  if (expected === null || typeof expected !== 'object') {
    if (typeof received !== typeof expected || (expected === null) !== (received === null)) fail();
    return;
  }
  if (received === null || typeof received !== 'object' || Array.isArray(received) || isBuffer(received)) fail();
  const r = received as { [key: string]: OptState };
  for (const key of Object.keys(expected)) {
    if (!(key in r)) throw new GradstreamError({ code: 'invalid_state', path: `${path}.${key}`, expected: describeExpected(expected[key]!), received: 'nothing (missing)' });
    compare(expected[key]!, r[key]!, `${path}.${key}`);
  }
}
