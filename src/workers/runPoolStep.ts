import type { StepRecord } from '../streams/stepRecord.js';
import type { ReplicaPool } from './replicaPool.js';

/**
 * Runs the pool's data-parallel step on record `r` without blocking the loop's thread for long
 * (`pool.run`): calls `pass` with the batch's output at once when the replicas answer within a
 * few milliseconds, else holds the record (`r.hold`) until the step settles, so the loop's
 * thread serves its event loop (timers, I/O, Ctrl-C) meanwhile. A failure — a replica's error,
 * or one that stalls past `stallTimeoutMs` — goes to `fail` instead. Returns the held promise, if
 * any (settled once the record has been passed on), so that an operator can delay its completion.
 */
export function runPoolStep(
  pool: ReplicaPool,
  r: StepRecord,
  pass: (out: Float64Array) => void,
  fail: (e: unknown) => void,
): Promise<void> | undefined {
  let out: Float64Array | Promise<Float64Array>;
  try {
    out = pool.run(r.params, r.batch, r.step);
  } catch (e: unknown) {
    fail(e);
    return undefined;
  }
  // (a float32 model's output is a Float32Array: test for the promise, not the array type)
  if (!isPromise(out)) {
    pass(out);
    return undefined;
  }
  const held = out.then(pass, fail);
  r.hold(held);
  return held;
}

function isPromise<T>(v: T | Promise<T>): v is Promise<T> {
  return typeof (v as { then?: unknown }).then === 'function';
}
