import { GradstreamError, type GradstreamErrorCode } from '../core/errors.js';
import { Ctl, ERROR_BYTES, type ErrorData } from './protocol.js';

/** Added to the counters on failure (far above any replica count). */
const WAKE = 1 << 24;

/**
 * The first failure of a run, passed through shared memory: the thread that fails first claims
 * `FAILED` (0 → 1), writes its error as JSON into the error area, publishes it (`FAILED` = 2) and
 * wakes every waiter. Later failures are dropped: the run errors with the first one.
 */
export function writeFailure(control: Int32Array, errors: Uint8Array, data: ErrorData): boolean {
  if (Atomics.compareExchange(control, Ctl.FAILED, 0, 1) !== 0) return false;
  const encoder = new TextEncoder();
  let bytes = encoder.encode(JSON.stringify(data));
  if (bytes.length > ERROR_BYTES)
    bytes = encoder.encode(JSON.stringify({ ...data, stack: undefined, message: data.message.slice(0, 2000) }));
  const n = Math.min(bytes.length, ERROR_BYTES);
  errors.set(bytes.subarray(0, n), 0);
  Atomics.store(control, Ctl.ERROR_LENGTH, n);
  Atomics.store(control, Ctl.FAILED, 2);
  // change the words waiters block on, so a waiter that checked FAILED just before cannot sleep on
  for (const word of [Ctl.DONE, Ctl.READY, Ctl.ARRIVE]) {
    Atomics.add(control, word, WAKE);
    Atomics.notify(control, word);
  }
  return true;
}

/** The published failure rebuilt as an error (a `GradstreamError` keeps its fields), or null. */
export function readFailure(control: Int32Array, errors: Uint8Array): Error | null {
  if (Atomics.load(control, Ctl.FAILED) !== 2) return null;
  const n = Atomics.load(control, Ctl.ERROR_LENGTH);
  const data = JSON.parse(new TextDecoder().decode(errors.slice(0, n))) as ErrorData;
  return errorFromData(data);
}

/** Plain data of any thrown value. */
export function errorToData(e: unknown, worker?: number): ErrorData {
  if (e instanceof Error) {
    const g = e as Partial<GradstreamError>;
    return {
      name: e.name,
      message: e.message,
      ...(e.stack === undefined ? {} : { stack: e.stack }),
      ...(typeof g.code === 'string' ? { code: g.code, path: g.path, expected: g.expected, received: g.received } : {}),
      ...(worker === undefined ? {} : { worker }),
    };
  }
  return { name: 'Error', message: String(e), ...(worker === undefined ? {} : { worker }) };
}

/** Rebuilds an error from {@link ErrorData}: same class (GradstreamError or Error), name, message and stack. */
export function errorFromData(data: ErrorData): Error {
  let e: Error;
  if (data.code !== undefined && data.name === 'GradstreamError') {
    e = new GradstreamError({
      code: data.code as GradstreamErrorCode,
      path: data.path ?? '',
      expected: data.expected ?? '',
      received: data.received ?? '',
    });
  } else {
    e = new Error(data.message);
    e.name = data.name;
  }
  if (data.stack !== undefined) e.stack = data.stack;
  if (data.worker !== undefined) (e as Error & { worker?: number }).worker = data.worker;
  return e;
}
