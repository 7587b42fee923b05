/** What an asynchronous reader's `next()` would do now. */
export type ReadyState = 'ready' | 'wait' | 'failed';

/** The promise behind a reader's `whenReady()`: made when the loop waits, settled by `notify()`. */
export interface ReadySignal {
  /** Resolves once `state()` is `'ready'`; rejects with `failure()` once it is `'failed'`. */
  readonly wait: () => Promise<void>;
  /** Re-reads the state and settles a pending wait if it changed (call after every event). */
  readonly notify: () => void;
}

/**
 * A one-waiter signal for asynchronous readers: no timers, no polling — the source's events call
 * `notify`, which settles the pending promise when `state()` says the reader can go on.
 */
export function createReadySignal(state: () => ReadyState, failure: () => unknown): ReadySignal {
  let pending: Promise<void> | null = null;
  let resolve: (() => void) | null = null;
  let reject: ((e: unknown) => void) | null = null;
  return {
    wait() {
      const s = state();
      if (s === 'ready') return Promise.resolve();
      if (s === 'failed') return Promise.reject(failure());
      pending ??= new Promise<void>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      return pending;
    },
    notify() {
      if (pending === null) return;
      const s = state();
      if (s === 'wait') return;
      const res = resolve!;
      const rej = reject!;
      pending = resolve = reject = null;
      if (s === 'ready') res();
      else rej(failure());
    },
  };
}
