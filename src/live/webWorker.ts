import { GradstreamError } from '../core/errors.js';
import type { FromWorker, ToWorker, WorkerSpawner } from './workerProtocol.js';

interface BrowserWorker {
  postMessage(message: ToWorker): void;
  addEventListener(type: 'message', listener: (e: { data: FromWorker }) => void): void;
  addEventListener(type: 'error', listener: (e: { message?: string }) => void): void;
  terminate(): void;
}
type WorkerConstructor = new (url: URL | string, options: { type: 'module' }) => BrowserWorker;

/**
 * The worker spawner for browsers: `fit({ scheduler: 'worker', worker: webWorker(), … })` runs the
 * loop in a module Web Worker loaded from `url` (default: `browserFitWorker.js` next to this
 * module; give the URL of your bundled worker entry when you bundle). Throws a `GradstreamError`
 * where there is no `Worker` (Node: use `nodeWorker()` from `gradstream/node`).
 *
 * @example
 * import { fit, webWorker } from 'gradstream';
 * // fit({ scheduler: 'worker', worker: webWorker(new URL('./fitWorker.js', import.meta.url)), … })
 */
export function webWorker(url?: URL | string): WorkerSpawner {
  const W = (globalThis as { Worker?: WorkerConstructor }).Worker;
  if (W === undefined) {
    throw new GradstreamError({
      code: 'invalid_config',
      path: 'worker',
      expected: 'a Web Worker (browsers), or nodeWorker() from gradstream/node',
      received: 'no Worker in this environment',
    });
  }
  return () => {
    const w = new W(url ?? new URL('./browserFitWorker.js', import.meta.url), { type: 'module' });
    return {
      postMessage: (m) => w.postMessage(m),
      onMessage: (f) => w.addEventListener('message', (e) => f(e.data)),
      onError: (f) => w.addEventListener('error', (e) => f(new Error(e.message ?? 'the training worker failed'))),
      terminate: () => w.terminate(),
    };
  };
}
