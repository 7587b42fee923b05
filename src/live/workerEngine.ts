import { GradstreamError, type GradstreamErrorCode } from '../core/errors.js';
import type { HyperParam } from '../core/hyperParam.js';
import { createParams, type ParamLayout } from '../core/params.js';
import { kernelModules } from '../core/wasm/wasmKernels.js';
import { createStepState, type TrainingEngine } from './trainingEngine.js';
import {
  STEP_FIELDS,
  STOP_REASONS,
  type FromWorker,
  type WorkerError,
  type WorkerPort,
  type WorkerRunConfig,
  type WorkerSpawner,
} from './workerProtocol.js';

/**
 * Runs a `fit` loop in a worker and replays what it reports into the handle: steps (unpacked into
 * one reused state), checkpoints, the end (with the final weights) or the error. Controls become
 * messages; `dispose` terminates the worker. The live hyperparameters' cells stay on this thread:
 * a value the handle accepted is written to its cell and sent; a cell written directly is sent
 * when the next batch of steps arrives (the worker applies both from its next step).
 */
export function workerEngine(
  spawn: WorkerSpawner,
  config: WorkerRunConfig,
  layout: ParamLayout,
  signal?: AbortSignal,
  cells: Readonly<Record<string, HyperParam>> = {},
): TrainingEngine {
  const names = Object.keys(cells);
  /** The value each cell had when last sent (or at start). */
  const sent: Record<string, number> = {};
  for (const name of names) sent[name] = cells[name]!.value;
  const send = (name: string, value: number): void => {
    sent[name] = value;
    port?.postMessage({ type: 'hyperParam', name, value });
  };
  const sendChanged = (): void => {
    for (let i = 0; i < names.length; i++) {
      const name = names[i]!;
      const v = cells[name]!.value;
      if (!Object.is(v, sent[name])) send(name, v);
    }
  };
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
          if (names.length > 0) sendChanged();
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
      // the cells' values now (they may have changed since fit was called)
      for (const name of names) sent[name] = cells[name]!.value;
      const hyper = config.hyperParams;
      const startConfig: WorkerRunConfig =
        hyper === undefined
          ? config
          : {
              ...config,
              hyperParams: Object.fromEntries(Object.keys(hyper).map((n) => [n, { ...hyper[n]!, value: sent[n] ?? hyper[n]!.value }])),
            };
      port.postMessage({ type: 'start', config: startConfig, modules: kernelModules() });
      if (paused) port.postMessage({ type: 'pause', paused: true });
      if (stopped) port.postMessage({ type: 'stop' });
      if (signal !== undefined) {
        if (signal.aborted) onAbort();
        else signal.addEventListener('abort', onAbort, { once: true });
      }
    },
    setPaused(p) {
      paused = p;
      if (!p && names.length > 0) sendChanged(); // cells written while paused apply from the first step after
      port?.postMessage({ type: 'pause', paused: p });
    },
    stop() {
      stopped = true;
      port?.postMessage({ type: 'stop' });
    },
    setHyperParam(name, value) {
      const cell = cells[name];
      if (cell === undefined) return;
      cell.value = value;
      send(name, value);
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
    return new GradstreamError({
      code: e.code as GradstreamErrorCode,
      path: e.path ?? '',
      expected: e.expected ?? '',
      received: e.received ?? '',
    });
  }
  const err = new Error(e.message);
  err.name = e.name;
  return err;
}
