import { Worker } from 'node:worker_threads';
import { builtModule } from '../workers/builtModule.js';
import type { FromWorker, WorkerSpawner } from './workerProtocol.js';

/**
 * The worker spawner for Node: `fit({ scheduler: 'worker', worker: nodeWorker(), … })` runs the
 * loop in a `worker_threads` Worker, so the main thread's event loop stays free however long one
 * step takes. The worker runs the package's built module `nodeFitWorker.js`.
 *
 * @example
 * import { fit, nodeWorker } from 'gradstream/node';
 * // const training = fit({ scheduler: 'worker', worker: nodeWorker(), model: modelConfig, loss: 'softmaxCrossEntropy', optimizer: { type: 'adam', lr: 1e-3 }, data: { x, y, batchSize: 256 }, seed: 1 });
 */
export function nodeWorker(): WorkerSpawner {
  return () => {
    const w = new Worker(builtModule('./nodeFitWorker.js', import.meta.url), { execArgv: [] });
    let ended = false;
    const errorListeners: ((e: unknown) => void)[] = [];
    w.on('error', (e) => {
      for (const f of errorListeners) f(e);
    });
    w.on('exit', (code) => {
      if (!ended) for (const f of errorListeners) f(new Error(`the training worker exited (code ${code}) before the run ended`));
    });
    return {
      postMessage: (m) => w.postMessage(m),
      onMessage: (f) =>
        w.on('message', (m: FromWorker) => {
          if (m.type === 'end' || m.type === 'error') ended = true;
          f(m);
        }),
      onError: (f) => errorListeners.push(f),
      terminate: () => {
        ended = true;
        void w.terminate();
      },
    };
  };
}
