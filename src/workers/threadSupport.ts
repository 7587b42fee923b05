import { nodeBuiltins, startNodeThreads } from './nodeThreads.js';
import type { StartThreads } from './replicaThreads.js';
import { startWebThreads } from './webThreads.js';

/** Replica threads are available (`start`), or why not (`reason`, for the one-time warning). */
export type ThreadSupport =
  | { readonly start: StartThreads; readonly reason?: undefined }
  | { readonly start?: undefined; readonly reason: string };

/** The headers a page needs for `SharedArrayBuffer` (cross-origin isolation). */
export const ISOLATION_HEADERS = 'Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp';

/**
 * Whether this environment can run replica threads: `SharedArrayBuffer` (in browsers: a
 * cross-origin isolated page), a thread that may block in `Atomics.wait` (not a browser's main
 * thread: run the loop in a Web Worker there), and Node's `worker_threads` or Web Workers.
 */
export function threadSupport(): ThreadSupport {
  const g = globalThis as { SharedArrayBuffer?: unknown; crossOriginIsolated?: boolean; Worker?: unknown };
  if (typeof g.SharedArrayBuffer !== 'function' || g.crossOriginIsolated === false) {
    return { reason: `SharedArrayBuffer is unavailable (a page needs the headers ${ISOLATION_HEADERS})` };
  }
  if (!canBlock())
    return { reason: 'this thread may not block in Atomics.wait (a browser main thread): run the training loop in a Web Worker' };
  if (nodeBuiltins() !== undefined) return { start: startNodeThreads };
  if (typeof g.Worker === 'function') return { start: startWebThreads };
  return { reason: 'no worker threads in this environment' };
}

/**
 * Hardware threads this process may use: `navigator.hardwareConcurrency` (browsers, Node ≥ 21),
 * else Node's `os.availableParallelism()`, else unknown (Infinity).
 */
export function availableCores(): number {
  const n = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency;
  if (typeof n === 'number' && n > 0) return n;
  const os = nodeBuiltins()?.('node:os') as { availableParallelism?: () => number } | undefined;
  return os?.availableParallelism?.() ?? Number.POSITIVE_INFINITY;
}

function canBlock(): boolean {
  try {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0);
    return true;
  } catch {
    return false;
  }
}
