import type { Params } from '../core/params.js';
import type { JsonFloat } from '../schemas/checkpoint.js';
import { decodeFloat, encodeFloat } from '../sinks/checkpointCodec.js';

/** The first line's `format`: a log of another format is refused. */
export const RUN_LOG_FORMAT = 'gradstream-run/1';

/** A number as JSON: itself when finite, else (and `-0`) its name (`"NaN"`, `"-0"`), which `decodeNumber` reads back. */
export function encodeNumber(v: number): number | string {
  return encodeFloat(v);
}

/** Reads {@link encodeNumber}'s output; anything else is NaN. */
export function decodeNumber(v: unknown): number {
  if (typeof v === 'number') return v;
  if (v === 'NaN' || v === 'Infinity' || v === '-Infinity' || v === '-0') return decodeFloat(v as JsonFloat);
  return Number.NaN;
}

/** Numbers as a JSON array, non-finite ones by name (exact: JSON keeps every finite float64). */
export function encodeNumbers(a: ArrayLike<number>): (number | string)[] {
  const out = new Array<number | string>(a.length);
  for (let i = 0; i < a.length; i++) out[i] = encodeNumber(a[i]!);
  return out;
}

/** Reads {@link encodeNumbers}' output into `out` (or a new array). */
export function decodeNumbers(v: unknown, out?: Float64Array): Float64Array {
  const a = Array.isArray(v) ? (v as unknown[]) : [];
  const o = out ?? new Float64Array(a.length);
  for (let i = 0; i < a.length && i < o.length; i++) o[i] = decodeNumber(a[i]);
  return o;
}

/** Parameters by name, as JSON. */
export function encodeParams(p: Params): Record<string, (number | string)[]> {
  const out: Record<string, (number | string)[]> = {};
  for (let i = 0; i < p.layout.names.length; i++) out[p.layout.names[i]!] = encodeNumbers(p.tensors[i]!);
  return out;
}

/**
 * A 32-bit FNV-1a checksum of the parameters' float64 bytes, as 8 hex digits: two runs print the
 * same checksum exactly when their weights are identical bit for bit (up to the checksum's 2^-32
 * chance of a collision).
 *
 * @example
 * import { createRng, dense, paramsChecksum, sequential } from 'gradstream';
 * const model = sequential([dense(2, 1)]);
 * console.log(paramsChecksum(model.init(createRng(1))) === paramsChecksum(model.init(createRng(1)))); // true
 */
export function paramsChecksum(p: Params): string {
  const f = new Float64Array(1);
  const bytes = new Uint8Array(f.buffer);
  let h = 0x811c9dc5;
  const d = p.data;
  for (let i = 0; i < d.length; i++) {
    f[0] = d[i]!;
    for (let b = 0; b < 8; b++) h = Math.imul(h ^ bytes[b]!, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}
