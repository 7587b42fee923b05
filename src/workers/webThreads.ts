import { errorToData, writeFailure } from './failure.js';
import type { ReplicaThreads, StartThreads } from './replicaThreads.js';

interface WebWorker {
  postMessage(message: unknown): void;
  terminate(): void;
  onerror: ((event: { message?: string }) => void) | null;
}
type WebWorkerConstructor = new (url: URL, options: { type: 'module'; name?: string }) => WebWorker;
// The browser's global (absent from this project's type libraries).
declare const Worker: WebWorkerConstructor;

/**
 * Starts the replica threads in a browser: one module Web Worker per replica (the page must be
 * cross-origin isolated for `SharedArrayBuffer`). A replica's own errors come back through shared
 * memory; a worker that fails to load is reported when the training thread next runs its event
 * loop, or by the start timeout.
 */
export const startWebThreads: StartThreads = (init): ReplicaThreads => {
  if (typeof (globalThis as { Worker?: unknown }).Worker !== 'function') throw new Error('gradstream: Web Workers are not available here');
  const control = new Int32Array(init.control);
  const errors = new Uint8Array(init.errors);
  // replica 0 runs on the training thread; these are replicas 1 … N − 1
  const workers = new Map<number, WebWorker>();
  for (let index = 1; index < init.workers; index++) {
    // written literally as `new Worker(new URL(…, import.meta.url))` so that bundlers (Vite, webpack,
    // esbuild with a plugin) find the replica's entry and emit it beside the bundle
    const w = new Worker(new URL('./webReplica.js', import.meta.url), { type: 'module', name: `gradstream replica ${index}` });
    w.onerror = (event) =>
      void writeFailure(control, errors, errorToData(new Error(`gradstream: worker ${index} failed: ${event.message ?? 'error'}`), index));
    w.postMessage({ type: 'init', init: { ...init, index } });
    workers.set(index, w);
  }
  return {
    heartbeat: false,
    post(message) {
      for (const w of workers.values()) w.postMessage(message);
    },
    kill(index) {
      workers.get(index)?.terminate();
      writeFailure(
        control,
        errors,
        errorToData(new Error(`gradstream: worker ${index} of ${init.workers} was terminated during training`), index),
      );
    },
    terminate() {
      for (const w of workers.values()) w.terminate();
    },
  };
};
