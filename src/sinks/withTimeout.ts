import { GradstreamError } from '../core/errors.js';

/**
 * `work`, or a rejection with a `GradstreamError` (`invalid_state`) naming `what` and `target`
 * when it has not settled after `ms` milliseconds — so a storage that hangs (a path under
 * `/proc`, a dead network mount) ends the run with a clear error instead of blocking it forever.
 * The timer does not keep a Node process alive.
 */
export function withTimeout<T>(work: Promise<T>, ms: number, what: string, target: string): Promise<T> {
  if (ms === Infinity) return work;
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(
        new GradstreamError({
          code: 'invalid_state',
          path: target,
          expected: `${what} to finish within ${ms} ms`,
          received: 'no answer (the storage hangs)',
        }),
      );
    }, ms);
    (timer as { unref?: () => void }).unref?.();
    work.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e);
      },
    );
  });
}
