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
import type { StepView, Training } from './training.js';
import { STEP_FIELDS, STOP_REASONS, type ToWorker, type WorkerError, type WorkerRunConfig, type WorkerSide } from './workerProtocol.js';
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
  const worker = new FitWorker(side, extraSinks);
  side.onMessage((msg) => worker.receive(msg));
}

/** One worker's run and the controls that arrived before it started. */
class FitWorker {
  private training: Training | undefined;
  private abort: AbortController | undefined;
  private pendingPause = false;
  private pendingStop = false;
  /** Live hyperparameter values that arrived before the run started. */
  private readonly pendingHyper: Record<string, number> = {};

  constructor(
    private readonly side: WorkerSide,
    private readonly extraSinks: (config: WorkerRunConfig) => FitSink[],
  ) {}

  receive(msg: ToWorker): void {
    if (msg.type === 'start') this.begin(msg);
    else if (msg.type === 'pause') {
      this.pendingPause = msg.paused;
      if (msg.paused) this.training?.pause();
      else this.training?.resume();
    } else if (msg.type === 'stop') {
      this.pendingStop = true;
      void this.training?.stop().catch(() => {});
    } else if (msg.type === 'hyperParam') {
      if (this.training === undefined) this.pendingHyper[msg.name] = msg.value;
      else this.training.set(msg.name, msg.value);
    } else this.abort?.abort();
  }

  private begin(msg: Extract<ToWorker, { type: 'start' }>): void {
    this.abort = new AbortController();
    const signal = this.abort.signal;
    // the same matrix kernels as the main thread (WebAssembly SIMD where available), compiled
    // there: its modules share their optimized code
    if (msg.modules !== undefined) adoptKernelModules(msg.modules);
    void initKernels().then(() => {
      try {
        const training = this.start(msg.config, signal);
        this.training = training;
        if (this.pendingPause) training.pause();
        if (this.pendingStop) void training.stop().catch(() => {});
      } catch (e: unknown) {
        this.side.postMessage({ type: 'error', error: serialise(e) });
      }
    });
  }

  /** Starts `fit` on the config, its steps, checkpoints and end streamed back to the main thread. */
  private start(config: WorkerRunConfig, signal: AbortSignal): Training {
    const { model } = modelFromConfig(config.model);
    // the live cells, rebuilt here from the main thread's values and bounds
    const cells: Record<string, HyperParam> = {};
    for (const [name, c] of Object.entries(config.hyperParams ?? {}))
      cells[name] = hyperParam(this.pendingHyper[name] ?? c.value, {
        ...(c.min === undefined ? {} : { min: c.min }),
        ...(c.max === undefined ? {} : { max: c.max }),
      });
    const { x, y, ...dataOptions } = config.data;
    const sinks: FitSink[] = [];
    if (config.earlyStopping !== undefined) sinks.push(earlyStopping(config.earlyStopping) as FitSink);
    sinks.push(...this.extraSinks(config));
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
    this.report(t, config.flushMs);
    t.start();
    return t;
  }

  /** Streams a run's steps (packed, every `flushMs`), checkpoints, and end or error to the main thread. */
  private report(t: Training, flushMs: number): void {
    const side = this.side;
    const steps = new StepPacker(side, flushMs);
    t.steps$.subscribe({ next: (v) => steps.push(v), error: () => {} });
    t.checkpoints$.subscribe({ next: (info) => side.postMessage({ type: 'checkpoint', info }), error: () => {} });
    t.done().then(
      (r) => {
        steps.flush();
        const params = r.params.data.slice();
        side.postMessage({ type: 'end', stopReason: r.stopReason, step: r.step, loss: r.loss, params }, [params.buffer]);
      },
      (e: unknown) => {
        steps.flush();
        side.postMessage({ type: 'error', error: serialise(e) });
      },
    );
  }
}

/** Steps packed `STEP_FIELDS` numbers each into a growing buffer, posted as one `steps` message every `flushMs`. */
class StepPacker {
  private buf = new Float64Array(STEP_FIELDS * 64);
  private n = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly side: WorkerSide,
    private readonly flushMs: number,
  ) {}

  push(v: StepView): void {
    if ((this.n + 1) * STEP_FIELDS > this.buf.length) {
      const bigger = new Float64Array(this.buf.length * 2);
      bigger.set(this.buf);
      this.buf = bigger;
    }
    const buf = this.buf;
    const o = this.n * STEP_FIELDS;
    buf[o] = v.step;
    buf[o + 1] = v.epoch;
    buf[o + 2] = v.batchIndex;
    buf[o + 3] = v.epochEnd ? 1 : 0;
    buf[o + 4] = v.loss;
    buf[o + 5] = v.valLoss ?? Number.NaN;
    buf[o + 6] = v.lr;
    buf[o + 7] = v.stopReason === undefined ? -1 : STOP_REASONS.indexOf(v.stopReason);
    buf[o + 8] = v.drift ? 1 : 0;
    this.n += 1;
    this.timer ??= setTimeout(() => this.flush(), this.flushMs);
  }

  flush(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.n === 0) return;
    const data = this.buf.slice(0, this.n * STEP_FIELDS);
    this.n = 0;
    this.side.postMessage({ type: 'steps', data }, [data.buffer]);
  }
}

function serialise(e: unknown): WorkerError {
  if (e instanceof GradstreamError)
    return { name: e.name, message: e.message, code: e.code, path: e.path, expected: e.expected, received: e.received };
  if (e instanceof Error) return { name: e.name, message: e.message };
  return { name: 'Error', message: String(e) };
}
