import { GradstreamError, type GradstreamErrorCode } from '../core/errors.js';
import type { HyperParam } from '../core/hyperParam.js';
import { createParams, type ParamLayout } from '../core/params.js';
import { kernelModules } from '../core/wasm/wasmKernels.js';
import { createStepState, type EngineCallbacks, type TrainingEngine } from './trainingEngine.js';
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
  return new WorkerEngine(spawn, config, layout, signal, cells);
}

/** The engine `workerEngine` makes: the worker's port, the controls sent to it, the step state it reports. */
class WorkerEngine implements TrainingEngine {
  private readonly names: string[];
  /** The value each cell had when last sent (or at start). */
  private readonly sent: Record<string, number> = {};
  private port: WorkerPort | undefined;
  private paused = false;
  private stopped = false;
  private finished = false;
  private readonly s = createStepState(0);
  private readonly onAbort = (): void => this.port?.postMessage({ type: 'abort' });

  constructor(
    private readonly spawn: WorkerSpawner,
    private readonly config: WorkerRunConfig,
    private readonly layout: ParamLayout,
    private readonly signal: AbortSignal | undefined,
    private readonly cells: Readonly<Record<string, HyperParam>>,
  ) {
    this.names = Object.keys(cells);
    for (const name of this.names) this.sent[name] = cells[name]!.value;
  }

  start(cb: EngineCallbacks): void {
    let port: WorkerPort;
    try {
      port = this.spawn();
      this.port = port;
    } catch (e: unknown) {
      this.finished = true;
      cb.error(e);
      return;
    }
    port.onError((e) => {
      if (this.finished) return;
      this.finished = true;
      cb.error(e);
    });
    port.onMessage((msg: FromWorker) => this.receive(msg, cb));
    port.postMessage({ type: 'start', config: this.startConfig(), modules: kernelModules() });
    if (this.paused) port.postMessage({ type: 'pause', paused: true });
    if (this.stopped) port.postMessage({ type: 'stop' });
    const signal = this.signal;
    if (signal !== undefined) {
      if (signal.aborted) this.onAbort();
      else signal.addEventListener('abort', this.onAbort, { once: true });
    }
  }

  setPaused(p: boolean): void {
    this.paused = p;
    if (!p && this.names.length > 0) this.sendChanged(); // cells written while paused apply from the first step after
    this.port?.postMessage({ type: 'pause', paused: p });
  }

  stop(): void {
    this.stopped = true;
    this.port?.postMessage({ type: 'stop' });
  }

  setHyperParam(name: string, value: number): void {
    const cell = this.cells[name];
    if (cell === undefined) return;
    cell.value = value;
    this.send(name, value);
  }

  dispose(): void {
    this.signal?.removeEventListener('abort', this.onAbort);
    this.port?.terminate();
    this.port = undefined;
  }

  /** The config with the cells' values now (they may have changed since fit was called). */
  private startConfig(): WorkerRunConfig {
    const { sent, config } = this;
    for (const name of this.names) sent[name] = this.cells[name]!.value;
    const hyper = config.hyperParams;
    if (hyper === undefined) return config;
    return {
      ...config,
      hyperParams: Object.fromEntries(Object.keys(hyper).map((n) => [n, { ...hyper[n]!, value: sent[n] ?? hyper[n]!.value }])),
    };
  }

  private receive(msg: FromWorker, cb: EngineCallbacks): void {
    if (this.finished) return;
    if (msg.type === 'steps') this.steps(msg.data, cb);
    else if (msg.type === 'checkpoint') cb.checkpoint(msg.info);
    else if (msg.type === 'end') {
      this.finished = true;
      cb.end(Object.freeze({ stopReason: msg.stopReason, step: msg.step, loss: msg.loss, params: createParams(this.layout, msg.params) }));
    } else {
      this.finished = true;
      cb.error(revive(msg.error));
    }
  }

  /** Unpacks a batch of steps into the one reused state, reporting each. */
  private steps(d: Float64Array, cb: EngineCallbacks): void {
    if (this.names.length > 0) this.sendChanged();
    const s = this.s;
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
  }

  private send(name: string, value: number): void {
    this.sent[name] = value;
    this.port?.postMessage({ type: 'hyperParam', name, value });
  }

  /** Sends the cells written directly since they were last sent. */
  private sendChanged(): void {
    const names = this.names;
    for (let i = 0; i < names.length; i++) {
      const name = names[i]!;
      const v = this.cells[name]!.value;
      if (!Object.is(v, this.sent[name])) this.send(name, v);
    }
  }
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
