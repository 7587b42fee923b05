// The entry of the Node training worker started by `nodeWorker()` (not part of the public API).
import { parentPort } from 'node:worker_threads';
import { checkpoint } from '../sinks/checkpoint.js';
import type { StepRecord } from '../streams/stepRecord.js';
import { runFitWorker } from './fitWorkerRuntime.js';
import type { FitSink } from './localEngine.js';
import type { ToWorker } from './workerProtocol.js';

const port = parentPort!;
runFitWorker(
  {
    postMessage: (m, transfer) => port.postMessage(m, transfer),
    onMessage: (f) => port.on('message', (m: ToWorker) => f(m)),
  },
  (config) =>
    config.checkpoint === undefined
      ? []
      : [
          checkpoint<StepRecord>({
            path: config.checkpoint.path,
            ...(config.checkpoint.every === undefined ? {} : { every: config.checkpoint.every }),
          }) as FitSink,
        ],
);
