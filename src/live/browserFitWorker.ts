// The entry of the browser training worker started by `webWorker()` (not part of the public API).
import { runFitWorker } from './fitWorkerRuntime.js';
import type { FromWorker, ToWorker } from './workerProtocol.js';

interface WorkerScope {
  postMessage(message: FromWorker, transfer?: ArrayBuffer[]): void;
  addEventListener(type: 'message', listener: (e: { data: ToWorker }) => void): void;
}

const scope = globalThis as unknown as WorkerScope;
runFitWorker({
  postMessage: (m, transfer) => scope.postMessage(m, transfer ?? []),
  onMessage: (f) => scope.addEventListener('message', (e) => f(e.data)),
});
