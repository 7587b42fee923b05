/**
 * Structured errors: every error gradstream raises about bad input or bad shapes is a
 * `GradstreamError` carrying `code`, `path`, `expected` and `received`, formatted in one place.
 */

/** What went wrong, as a stable machine-readable code. */
export type GradstreamErrorCode =
  | 'invalid_shape'
  | 'invalid_value'
  | 'invalid_config'
  | 'invalid_checkpoint'
  | 'invalid_dataset'
  | 'invalid_state';

/** The structured fields of a {@link GradstreamError}. */
export interface GradstreamErrorData {
  readonly code: GradstreamErrorCode;
  /** Where the problem is, e.g. `dataset.inputs[3]` or `params["0.W"]`. */
  readonly path: string;
  /** What was expected, e.g. `4 numbers`. */
  readonly expected: string;
  /** What was received, e.g. `3`. */
  readonly received: string;
}

/** Formats the fields as `path: expected X, received Y`. */
export function formatError(data: GradstreamErrorData): string {
  const where = data.path === '' ? '' : `${data.path}: `;
  return `${where}expected ${data.expected}, received ${data.received}`;
}

/** The one error class gradstream throws for bad input, bad shapes and bad state. */
export class GradstreamError extends Error implements GradstreamErrorData {
  readonly code: GradstreamErrorCode;
  readonly path: string;
  readonly expected: string;
  readonly received: string;

  constructor(data: GradstreamErrorData) {
    super(formatError(data));
    this.name = 'GradstreamError';
    this.code = data.code;
    this.path = data.path;
    this.expected = data.expected;
    this.received = data.received;
  }
}

/** Describes a value for the `received` field of an error, briefly. */
export function describeValue(value: unknown): string {
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (ArrayBuffer.isView(value) && 'length' in value) return `a ${value.constructor.name} of length ${String(value.length)}`;
  return typeof value;
}

/** Like {@link describeValue}, but says the type where the description hides it (`"10" (a string)`). */
export function describeTyped(value: unknown): string {
  const d = describeValue(value);
  if (typeof value === 'string') return `${d} (a string)`;
  if (typeof value === 'boolean') return `${String(value)} (a boolean)`;
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'object' && value !== null && !Array.isArray(value) && !ArrayBuffer.isView(value)) return 'an object';
  return d;
}
