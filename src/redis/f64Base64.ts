import { Buffer } from 'node:buffer';
import { GradstreamError } from '../core/errors.js';

/** The bytes of a `Float64Array` (little endian) as base64: exact, NaN and ±Infinity included. */
export function encodeF64(values: Readonly<Float64Array>): string {
  return Buffer.from(values.buffer, values.byteOffset, values.byteLength).toString('base64');
}

/** Decodes {@link encodeF64}'s text into `out` (which must have the right length); returns `out`. */
export function decodeF64(text: string, out: Float64Array, path: string): Float64Array {
  const bytes = Buffer.from(text, 'base64');
  if (bytes.length !== out.byteLength) {
    throw new GradstreamError({
      code: 'invalid_value',
      path,
      expected: `${out.length} float64 values (base64)`,
      received: `${bytes.length} bytes`,
    });
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat64(i * 8, true);
  return out;
}
