import { pipe, type Observable, type OperatorFunction } from 'rxjs';
import { forward } from '../ops/forward.js';
import { loss } from '../ops/loss.js';
import type { OptState } from '../core/optimizer.js';
import type { Params } from '../core/params.js';
import type { Rng } from '../core/rng.js';
import { fit } from '../live/fit.js';
import type { FitSink } from '../live/localEngine.js';
import type { RunRecorder } from '../live/runRecorder.js';
import { serveLive, type LiveServer } from '../live/serveLive.js';
import { gradient } from '../ops/gradient.js';
import { dataParallel } from '../workers/dataParallel.js';
import { update } from '../ops/update.js';
import type { BatchSource, DataCursor } from '../streams/batchSource.js';
import type { StepRecord, StopReason, WithGrads } from '../streams/stepRecord.js';
import { train } from '../streams/train.js';
import { portError } from './checkPortFree.js';
import type { PreparedRun } from './prepareRun.js';

/**
 * The slice length (ms) of the command's `'sync'` mode: the loop yields to the event loop this
 * rarely, so that a signal handler can run, at no measurable cost in speed.
 */
const SYNC_SLICE_MS = 100;

/** How a run goes: its data, weights, sinks, limits and where it resumes. */
export interface RunTrainingOptions {
  readonly run: PreparedRun;
  readonly data: BatchSource;
  readonly params: Params;
  readonly rng: Rng;
  readonly sinks: readonly FitSink[];
  readonly scheduler: 'sync' | 'sliced';
  readonly maxSteps: number | undefined;
  readonly signal: AbortSignal | undefined;
  /** Where a resumed run starts. */
  readonly resume: { readonly step: number; readonly cursor: DataCursor; readonly optState: OptState | undefined } | undefined;
  /** Data-parallel replicas: this thread and `workers` − 1 worker threads (1: this thread alone). */
  readonly workers: number;
  /** Serve the live dashboard while training (through `fit`'s Training handle; `workers` passes to `fit`). */
  readonly serve?: { readonly port: number; readonly title: string; readonly announce: (url: string) => void };
  /** Record the run to an event log (through `fit`, which records). */
  readonly record?: RunRecorder;
}

/** How the run ended (from `fit`'s result; other runs report it through their sinks). */
export interface RunEnd {
  readonly stopReason: StopReason | undefined;
  readonly step: number;
  readonly loss: number;
  readonly params: Params;
}

/**
 * Runs the training loop to its end (`'sync'` as slices of {@link SYNC_SLICE_MS}, so that
 * SIGINT and SIGTERM stop it): `train` with forward → loss → gradient → update → sinks (or
 * `dataParallel(model, loss, optimizer, { workers })` for data-parallel runs), or — with `serve` — `fit`, whose
 * Training handle the dashboard follows. The same operators either way, so the same numbers.
 * Rejects with the run's error.
 */
export async function runTraining(o: RunTrainingOptions): Promise<RunEnd | undefined> {
  // 'sync' runs as long slices: a loop that never yields would never see SIGINT or SIGTERM.
  const scheduling = o.scheduler === 'sync' ? { scheduler: 'sliced' as const, sliceMs: SYNC_SLICE_MS } : { scheduler: o.scheduler };
  const limits = {
    ...(o.maxSteps === undefined ? {} : { maxSteps: o.maxSteps }),
    ...(o.signal === undefined ? {} : { signal: o.signal }),
    ...(o.resume === undefined
      ? {}
      : { step: o.resume.step, cursor: o.resume.cursor, ...(o.resume.optState === undefined ? {} : { optState: o.resume.optState }) }),
  };
  if (o.serve === undefined && o.record === undefined) {
    // The loop itself: half the CPU time of going through fit's Training handle (3M lesson steps:
    // 1.1 s against 2.0 s), whose controls the command does not use. With workers,
    // dataParallel does forward, loss, backprop and the update on worker threads.
    const { run } = o;
    const step: OperatorFunction<StepRecord, StepRecord & WithGrads> =
      o.workers > 1
        ? dataParallel(run.model, run.loss, run.optimizer, { workers: o.workers })
        : pipe(forward(run.model), loss(run.loss), gradient(run.model, run.loss), update(run.optimizer));
    const pipeline = (records: Observable<StepRecord>): Observable<StepRecord> =>
      o.sinks.reduce<Observable<StepRecord>>((acc, sink) => sink(acc), records.pipe(step));
    await new Promise<void>((resolve, reject) => {
      train({ params: o.params, data: o.data, pipeline, rng: o.rng, ...scheduling, ...limits }).subscribe({
        error: reject,
        complete: resolve,
      });
    });
    return undefined;
  }
  // with the dashboard: fit's Training handle, which serveLive follows
  const handle = fit({
    model: o.run.model,
    loss: o.run.loss,
    optimizer: o.run.optimizer,
    data: o.data,
    params: o.params,
    rng: o.rng,
    sinks: [...o.sinks],
    ...scheduling,
    ...(o.workers > 1 ? { workers: o.workers } : {}),
    ...(o.record === undefined ? {} : { record: o.record }),
    ...limits,
  });
  let live: LiveServer | undefined;
  if (o.serve !== undefined) {
    try {
      live = await serveLive(handle, { port: o.serve.port, handleSigint: false, title: o.serve.title });
    } catch (e: unknown) {
      throw portError(o.serve.port, e);
    }
    o.serve.announce(live.url);
  }
  try {
    return await handle.start().done();
  } finally {
    await live?.close();
  }
}
