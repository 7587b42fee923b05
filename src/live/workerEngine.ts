import { GradstreamError, type GradstreamErrorCode } from '../core/errors.js';
import { createParams, type ParamLayout } from '../core/params.js';
import { createStepState, type TrainingEngine } from './trainingEngine.js';
import { STEP_FIELDS, STOP_REASONS, type FromWorker, type WorkerError, type WorkerPort, type WorkerRunConfig, type WorkerSpawner } from './workerProtocol.js';

/**
 * Runs a `fit` loop in a worker and replays what it reports into the handle: steps (unpacked into
 * one reused state), checkpoints, the end (with the final weights) or the error. Controls become
 * messages; `dispose` terminates the worker.
 */
export function workerEngine(spawn: WorkerSpawner, config: WorkerRunConfig, layout: ParamLayout, signal?: AbortSignal): TrainingEngine {
  let port: WorkerPort | undefined;
  let paused = false;
  let stopped = false;
  let finished = false;
  const s = createStepState(0);
  const onAbort = (): void => port?.postMessage({ type: 'abort' });
  return {
    start(cb) {
      try {
        port = spawn();
      } catch (e: unknown) {
        finished = true;
        cb.error(e);
        return;
      }
      port.onError((e) => {
        if (finished) return;
        finished = true;
        cb.error(e);
      });
      port.onMessage((msg: FromWorker) => {
        if (finished) return;
        if (msg.type === 'steps') {
          const d = msg.data;
          for (let o = 0; o < d.length; o += STEP_FIELDS) {
            s.step = d[o]!;
            s.epoch = d[o + 1]!;
            s.batchIndex = d[o + 2]!;
            s.epochEnd = d[o + 3] === 1;
            s.loss = d[o + 4]!;
            s.valLoss = Number.isNaN(d[o + 5]!) ? undefined : d[o + 5]!;
            s.lr = d[o + 6]!;
            s.stopReason = d[o + 7]! < 0 ? undefined : STOP_REASONS[d[o + 7]!];
            s.drift = d[o + 8] === 1;
            cb.step(s);
          }
        } else if (msg.type === 'checkpoint') cb.checkpoint(msg.info);
        else if (msg.type === 'end') {
          finished = true;
          cb.end(Object.freeze({ stopReason: msg.stopReason, step: msg.step, loss: msg.loss, params: createParams(layout, msg.params) }));
        } else {
          finished = true;
          cb.error(revive(msg.error));
        }
      });
      port.postMessage({ type: 'start', config });
      if (paused) port.postMessage({ type: 'pause', paused: true });
      if (stopped) port.postMessage({ type: 'stop' });
      if (signal !== undefined) {
        if (signal.aborted) onAbort();
        else signal.addEventListener('abort', onAbort, { once: true });
      }
    },
    setPaused(p) {
      paused = p;
      port?.postMessage({ type: 'pause', paused: p });
    },
    stop() {
      stopped = true;
      port?.postMessage({ type: 'stop' });
    },
    setHyperParam() {
      // no live hyperparameters in worker runs (the handle has none to accept)
    },
    dispose() {
      signal?.removeEventListener('abort', onAbort);
      port?.terminate();
      port = undefined;
    },
  };
}

function revive(e: WorkerError): Error {
  if (e.code !== undefined) {
    return new GradstreamError({ code: e.code as GradstreamErrorCode, path: e.path ?? '', expected: e.expected ?? '', received: e.received ?? '' });
  }
  const err = new Error(e.message);
  err.name = e.name;
  return err;
}
