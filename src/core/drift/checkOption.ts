import { GradstreamError, describeValue } from '../errors.js';

/** `value` (or `fallback` when undefined) if it is a number satisfying `ok`, else a `GradstreamError` naming `path`. */
export function driftOption(path: string, value: unknown, fallback: number, ok: (v: number) => boolean, expected: string): number {
  const v = value ?? fallback;
  if (typeof v !== 'number' || !ok(v)) throw new GradstreamError({ code: 'invalid_config', path, expected, received: describeValue(v) });
  return v;
}
