import { Worker } from 'node:worker_threads';
import type { FromWorker, WorkerSpawner } from './workerProtocol.js';

/**
 * The worker spawner for Node: `fit({ scheduler: 'worker', worker: nodeWorker(), … })` runs the
 * loop in a `worker_threads` Worker, so the main thread's event loop stays free however long one
 * step takes. (Running from TypeScript sources, the worker loads them through `tsx`.)
 *
 * @example
 * import { fit, nodeWorker } from 'gradstream/node';
 * // const training = fit({ scheduler: 'worker', worker: nodeWorker(), model: modelConfig, loss: 'softmaxCrossEntropy', optimizer: { type: 'adam', lr: 1e-3 }, data: { x, y, batchSize: 256 }, seed: 1 });
 */
export function nodeWorker(): WorkerSpawner {
  return () => {
    const here = import.meta.url;
    const fromSource = here.endsWith('.ts');
    const url = new URL(fromSource ? './nodeFitWorker.ts' : './nodeFitWorker.js', here);
    // from TypeScript sources (tests, tsx): register tsx's loader in the worker, then load the entry
    const w = fromSource
      ? new Worker(`import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(url.href)}); })`, { eval: true })
      : new Worker(url);
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
