import type { MonoTypeOperatorFunction, OperatorFunction } from 'rxjs';
import { GradstreamError } from '../core/errors.js';
import type { HyperParam } from '../core/hyperParam.js';
import type { Loss } from '../core/loss.js';
import type { Model } from '../core/model.js';
import type { GradientTransformation, OptState } from '../core/optimizer.js';
import type { Params } from '../core/params.js';
import { dataParallel, type DataParallelOptions } from '../workers/dataParallel.js';
import type { Rng } from '../core/rng.js';
import type { BatchSource, DataCursor } from '../streams/batchSource.js';
import type { StepRecord, WithGrads } from '../streams/stepRecord.js';
import type { LoopScheduling } from '../streams/train.js';
import { localEngine, type FitSink } from './localEngine.js';
import type { Training } from './training.js';
import { createTraining } from './trainingHandle.js';
import { fitInWorker, type WorkerFitOptions } from './fitInWorker.js';
import { recordRun, type RunRecording } from './recordRun.js';
import type { RunRecorder } from './runRecorder.js';

/** Options of {@link fit}. */
export interface FitOptions {
  readonly model: Model;
  readonly loss: Loss;
  readonly optimizer: GradientTransformation<OptState[]> | GradientTransformation;
  /** The mini-batches (`fromArrays`, `fullBatch`, an asynchronous source). */
  readonly data: BatchSource;
  /** Initial weights (copied); by default `model.init(rng)`. */
  readonly params?: Params;
  /** The run's generator: initial weights when `params` is not given, and `record.rng`. */
  readonly rng?: Rng;
  /** Operators before `forward` (e.g. `bindHyperParam`). */
  readonly before?: readonly MonoTypeOperatorFunction<StepRecord>[];
  /**
   * Operators after `update`, in order: `log`, `earlyStopping`, `checkpoint`, … A sink with a
   * `written$` stream (`checkpoint`) feeds `checkpoints$`.
   */
  readonly sinks?: readonly FitSink[];
  /**
   * Data-parallel training on worker threads: `dataParallel(model, loss, optimizer, { workers })`
   * replaces forward → loss → gradient → update (a number of replicas, or `dataParallel`'s whole
   * options). Checked here: errors name `dataParallel.workers`.
   */
  readonly workers?: number | DataParallelOptions;
  /** Live hyperparameter cells (the ones given to the optimizer), set by name with `training.set`. */
  readonly hyperParams?: Readonly<Record<string, HyperParam>>;
  /** `'sliced'` (default), `'sync'` or an RxJS scheduler; see `train`. */
  readonly scheduler?: LoopScheduling;
  readonly maxSteps?: number;
  readonly sliceMs?: number;
  readonly sliceSteps?: number;
  /** Aborting ends the run at the next step boundary (`stopReason: 'aborted'`). */
  readonly signal?: AbortSignal;
  /** Milliseconds clock (slicing, `time`, steps/s). */
  readonly clock?: () => number;
  /** Resuming: updates already applied, optimizer state and data cursor (see `train`). */
  readonly step?: number;
  readonly optState?: OptState;
  readonly cursor?: DataCursor;
  /**
   * Records the run to an event log (`recordTo(storage, …)`): the model, loss and optimizer
   * configs, the initial weights and generator state, each batch with its step, live
   * hyperparameter changes, pauses and stops with their step, each step's loss and learning rate,
   * and the end with the final weights. `replay(log)` re-runs it bit for bit.
   */
  readonly record?: RunRecorder;
}

/**
 * Trains `model` on `data` and returns a {@link Training} handle: multicast streams of the run
 * (`steps$`, `loss$`, `valLoss$`, `epochs$`, `checkpoints$`, `events$`), `getSnapshot()`, and
 * controls (`start`, `pause`, `resume`, `stop`, `set` for live hyperparameters, `steps()` as an
 * async iterator). One step is `before → forward → loss → gradient → update → sinks`, run by
 * `train` in this thread.
 *
 * The run starts on `start()` or in a microtask after the first subscription (see
 * {@link Training}). Throws a `GradstreamError` when neither `params` nor `rng` is given.
 *
 * With `scheduler: 'worker'` ({@link WorkerFitOptions}) the loop runs in a worker thread (Node:
 * `worker: nodeWorker()` from `gradstream/node`) or a Web Worker, so however long a step takes the
 * main thread stays free; the model, loss and optimizer are then given as configs (or objects with
 * `toConfig()`), the data as arrays, and the steps come back in batches every `flushMs`.
 *
 * @example
 * import { adam, createRng, dense, earlyStopping, fit, fromArrays, hyperParam, moons, relu, sequential, softmaxCrossEntropy } from 'gradstream';
 * const { x, y } = moons(512, { noise: 0.1, rng: createRng(1) });
 * const lr = hyperParam(0.01, { min: 0 });
 * const training = fit({
 *   model: sequential([dense(2, 16), relu(), dense(16, 2)]),
 *   loss: softmaxCrossEntropy(),
 *   optimizer: adam({ lr }),
 *   data: fromArrays(x, y, { batchSize: 32, epochs: 50, shuffle: true, seed: 2 }),
 *   rng: createRng(3),
 *   hyperParams: { lr },
 *   sinks: [earlyStopping({ lossBelow: 0.05 })],
 * });
 * training.loss$.subscribe((l) => console.log(l));
 * training.set('lr', '0.005'); // from a query string; "abc" would be refused, not fatal
 * const result = await training.done();
 */
export function fit(options: FitOptions | WorkerFitOptions): Training {
  if (options.scheduler === 'worker') return fitInWorker(options);
  const { model, rng } = options;
  if (options.params === undefined && rng === undefined) {
    throw new GradstreamError({
      code: 'invalid_config',
      path: 'fit',
      expected: '`params` or `rng` (to draw the initial weights)',
      received: 'neither',
    });
  }
  const params = options.params ?? model.init(rng!);
  const hyperParams = options.hyperParams ?? {};
  const parallel = parallelStep(options);
  const rec = options.record === undefined ? undefined : recording(options, options.record, params, hyperParams);
  const local = localEngine({
    model,
    loss: options.loss,
    optimizer: options.optimizer,
    data: rec?.data ?? options.data,
    params,
    before: rec === undefined ? (options.before ?? []) : [...(options.before ?? []), rec.before],
    sinks: rec === undefined ? (options.sinks ?? []) : [...(options.sinks ?? []), rec.sink],
    hyperParams,
    scheduler: options.scheduler ?? 'sliced',
    ...(options.maxSteps === undefined ? {} : { maxSteps: options.maxSteps }),
    ...(options.sliceMs === undefined ? {} : { sliceMs: options.sliceMs }),
    ...(options.sliceSteps === undefined ? {} : { sliceSteps: options.sliceSteps }),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
    ...(options.clock === undefined ? {} : { clock: options.clock }),
    ...(rng === undefined ? {} : { rng }),
    ...(options.step === undefined ? {} : { step: options.step }),
    ...(options.optState === undefined ? {} : { optState: options.optState }),
    ...(options.cursor === undefined ? {} : { cursor: options.cursor }),
    ...(parallel === undefined ? {} : { parallelStep: parallel }),
  });
  const engine = rec === undefined ? local : rec.engine(local);
  return createTraining(engine, { step: options.step ?? 0, hyperParams, ...(options.clock === undefined ? {} : { clock: options.clock }) });
}

/** The data-parallel step of `options.workers`, if any. */
function parallelStep(options: FitOptions): OperatorFunction<StepRecord, StepRecord & WithGrads> | undefined {
  const w = options.workers;
  if (w === undefined) return undefined;
  return dataParallel<StepRecord, OptState>(
    options.model,
    options.loss,
    options.optimizer as GradientTransformation,
    typeof w === 'object' && w !== null ? w : ({ workers: w } as DataParallelOptions),
  );
}

/** What `fit` wires in to record the run to `record`. */
function recording(
  options: FitOptions,
  record: RunRecorder,
  params: Params,
  hyperParams: Readonly<Record<string, HyperParam>>,
): RunRecording {
  const w = options.workers;
  return recordRun(
    record,
    {
      model: options.model,
      loss: options.loss,
      params,
      rng: options.rng,
      step: options.step ?? 0,
      hyperParams,
      workers: typeof w === 'number' ? w : typeof w === 'object' && w !== null ? w.workers : undefined,
      maxSteps: options.maxSteps,
      cursor: options.cursor,
      optState: options.optState,
    },
    options.data,
  );
}
