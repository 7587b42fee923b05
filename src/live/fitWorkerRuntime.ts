import { GradstreamError } from '../core/errors.js';
import { adoptKernelModules, initKernels } from '../core/wasm/wasmKernels.js';
import { hyperParam, type HyperParam } from '../core/hyperParam.js';
import { createParams } from '../core/params.js';
import { createRng } from '../core/rng.js';
import { lossFromConfig } from '../schemas/lossFromConfig.js';
import { modelFromConfig } from '../schemas/modelFromConfig.js';
import { earlyStopping } from '../sinks/earlyStopping.js';
import { fromArrays } from '../streams/fromArrays.js';
import { fit } from './fit.js';
import type { FitSink } from './localEngine.js';
import type { Training } from './training.js';
import { STEP_FIELDS, STOP_REASONS, type WorkerError, type WorkerRunConfig, type WorkerSide } from './workerProtocol.js';
import { workerOptimizer } from './workerOptimizer.js';

/**
 * The worker side of `fit({ scheduler: 'worker' })`: waits for a `start` message, trains with
 * `fit` (sliced, so pause / stop / abort messages are read between slices) and streams the steps
 * back packed in `Float64Array`s every `flushMs`, then the checkpoints, the end or the error.
 * `extraSinks` adds platform sinks (the Node worker adds `checkpoint`). Use it as the entry of
 * your own bundled Web Worker, then pass `webWorker(urlOfThatBundle)` to `fit`.
 *
 * @example
 * // fitWorker.ts, bundled on its own and loaded with webWorker(new URL('./fitWorker.js', import.meta.url))
 * import { runFitWorker } from 'gradstream';
 * const scope = globalThis as unknown as { postMessage(m: unknown, t?: ArrayBuffer[]): void; onmessage: ((e: { data: never }) => void) | null };
 * runFitWorker({ postMessage: (m, t) => scope.postMessage(m, t ?? []), onMessage: (f) => (scope.onmessage = (e) => f(e.data)) });
 */
export function runFitWorker(side: WorkerSide, extraSinks: (config: WorkerRunConfig) => FitSink[] = () => []): void {
  let training: Training | undefined;
  let abort: AbortController | undefined;
  let pendingPause = false;
  let pendingStop = false;
  /** Live hyperparameter values that arrived before the run started. */
  const pendingHyper: Record<string, number> = {};
  side.onMessage((msg) => {
    if (msg.type === 'start') {
      abort = new AbortController();
      const signal = abort.signal;
      // the same matrix kernels as the main thread (WebAssembly SIMD where available), compiled
      // there: its modules share their optimized code
      if (msg.modules !== undefined) adoptKernelModules(msg.modules);
      void initKernels().then(() => {
        try {
          training = start(msg.config, signal, pendingHyper);
          if (pendingPause) training.pause();
          if (pendingStop) void training.stop().catch(() => {});
        } catch (e: unknown) {
          side.postMessage({ type: 'error', error: serialise(e) });
        }
      });
    } else if (msg.type === 'pause') {
      pendingPause = msg.paused;
      if (msg.paused) training?.pause();
      else training?.resume();
    } else if (msg.type === 'stop') {
      pendingStop = true;
      void training?.stop().catch(() => {});
    } else if (msg.type === 'hyperParam') {
      if (training === undefined) pendingHyper[msg.name] = msg.value;
      else training.set(msg.name, msg.value);
    } else abort?.abort();
  });

  function start(config: WorkerRunConfig, signal: AbortSignal, early: Readonly<Record<string, number>>): Training {
    const { model } = modelFromConfig(config.model);
    // the live cells, rebuilt here from the main thread's values and bounds
    const cells: Record<string, HyperParam> = {};
    for (const [name, c] of Object.entries(config.hyperParams ?? {}))
      cells[name] = hyperParam(early[name] ?? c.value, {
        ...(c.min === undefined ? {} : { min: c.min }),
        ...(c.max === undefined ? {} : { max: c.max }),
      });
    const { x, y, ...dataOptions } = config.data;
    const sinks: FitSink[] = [];
    if (config.earlyStopping !== undefined) sinks.push(earlyStopping(config.earlyStopping) as FitSink);
    sinks.push(...extraSinks(config));
    const t = fit({
      model,
      loss: lossFromConfig(config.loss),
      optimizer: workerOptimizer(config.optimizer, cells),
      hyperParams: cells,
      data: fromArrays(x, y, dataOptions),
      params: createParams(model.layout, config.params),
      rng: createRng(config.seed),
      sinks,
      scheduler: 'sliced',
      sliceMs: config.sliceMs,
      signal,
      ...(config.maxSteps === undefined ? {} : { maxSteps: config.maxSteps }),
    });
    let buf = new Float64Array(STEP_FIELDS * 64);
    let n = 0;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const flush = (): void => {
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      if (n === 0) return;
      const data = buf.slice(0, n * STEP_FIELDS);
      n = 0;
      side.postMessage({ type: 'steps', data }, [data.buffer]);
    };
    t.steps$.subscribe({
      next(v) {
        if ((n + 1) * STEP_FIELDS > buf.length) {
          const bigger = new Float64Array(buf.length * 2);
          bigger.set(buf);
          buf = bigger;
        }
        const o = n * STEP_FIELDS;
        buf[o] = v.step;
        buf[o + 1] = v.epoch;
        buf[o + 2] = v.batchIndex;
        buf[o + 3] = v.epochEnd ? 1 : 0;
        buf[o + 4] = v.loss;
        buf[o + 5] = v.valLoss ?? Number.NaN;
        buf[o + 6] = v.lr;
        buf[o + 7] = v.stopReason === undefined ? -1 : STOP_REASONS.indexOf(v.stopReason);
        buf[o + 8] = v.drift ? 1 : 0;
        n += 1;
        timer ??= setTimeout(flush, config.flushMs);
      },
      error: () => {},
    });
    t.checkpoints$.subscribe({ next: (info) => side.postMessage({ type: 'checkpoint', info }), error: () => {} });
    t.done().then(
      (r) => {
        flush();
        const params = r.params.data.slice();
        side.postMessage({ type: 'end', stopReason: r.stopReason, step: r.step, loss: r.loss, params }, [params.buffer]);
      },
      (e: unknown) => {
        flush();
        side.postMessage({ type: 'error', error: serialise(e) });
      },
    );
    t.start();
    return t;
  }
}

function serialise(e: unknown): WorkerError {
  if (e instanceof GradstreamError)
    return { name: e.name, message: e.message, code: e.code, path: e.path, expected: e.expected, received: e.received };
  if (e instanceof Error) return { name: e.name, message: e.message };
  return { name: 'Error', message: String(e) };
}
