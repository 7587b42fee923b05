import { defer, Observable, pipe, type OperatorFunction, type Subscriber } from 'rxjs';
import { checkLoss } from '../core/checkLoss.js';
import { checkModel } from '../core/checkModel.js';
import { GradstreamError, describeTyped } from '../core/errors.js';
import { MAX_WORKERS } from '../core/maxWorkers.js';
import type { Loss } from '../core/loss.js';
import type { Model } from '../core/model.js';
import type { GradientTransformation, OptState } from '../core/optimizer.js';
import { fusedFormOf } from '../core/optimizers/fused/fusedForm.js';
import { sliceKernelOf, type SliceKernel } from '../core/optimizers/fused/sliceKernel.js';
import { forward } from '../ops/forward.js';
import { gradient } from '../ops/gradient.js';
import { loss } from '../ops/loss.js';
import { untilUnsubscribed } from '../ops/untilUnsubscribed.js';
import { update, UpdateStage, type ApplyElsewhere } from '../ops/update.js';
import { lossFromConfig } from '../schemas/lossFromConfig.js';
import { modelFromConfig } from '../schemas/modelFromConfig.js';
import type { StepRecord, WithGrads, WithLoss } from '../streams/stepRecord.js';
import type { ScaledModel } from '../streams/withScaler.js';
import type { ReplicaSpec } from './protocol.js';
import { startReplicaPool, type ReplicaPool } from './replicaPool.js';
import { runPoolStep } from './runPoolStep.js';
import type { ThreadHooks } from './replicaThreads.js';
import { checkShardable } from './runReplica.js';
import { threadSupport } from './threadSupport.js';

/** Options of {@link dataParallel}. */
export interface DataParallelOptions {
  /** Replicas; each computes the gradient of one shard of every mini-batch (an integer from 1 to 64). */
  readonly workers: number;
  /**
   * How the threads build the model and loss, for models without a config (custom layers): a
   * module URL (`new URL('./model.js', import.meta.url)`) and the name of its export (default
   * `"default"`): `{ model, loss }` or a function returning it. By default the threads rebuild
   * `model.toConfig()` and `loss.toConfig()` (and a `withScaler` model's scaling in front).
   */
  readonly replica?: { readonly module: string | URL; readonly export?: string };
  /** Receives the one-time warning when threads are unavailable (default `console`). */
  readonly logger?: { warn(message: string): void };
  /** How long the first step waits for the threads to load (default 60 000 ms). */
  readonly startTimeoutMs?: number;
  /** A replica that makes no progress for this long fails the run with an error naming it (default 30 000 ms). */
  readonly stallTimeoutMs?: number;
  /** As `update`'s option: end the run on the first non-finite loss (default true). */
  readonly stopOnDivergence?: boolean;
  /** Test hooks (the platform's thread objects). */
  readonly hooks?: ThreadHooks;
}

/** A record after {@link dataParallel}: the batch's output, loss and gradient, and the update's `lr`. */
export type WithParallelStep = { output: Float64Array } & WithLoss & WithGrads;

/**
 * Data-parallel training: one operator in place of `forward`, `loss`, `gradient` and `update`.
 *
 * Each mini-batch is split into N = `workers` contiguous shards (sizes differ by at most one row);
 * N replicas — this thread (replica 0) and N − 1 worker threads (Node `worker_threads`, or Web
 * Workers) — run the forward pass, the loss gradient and backprop of their shard, reading the
 * weights from shared memory, and sum the shards' gradients, each weighted by its share of the
 * rows, in a fixed order. The record then holds the batch's `output`, its `loss` (plus the model's
 * weight penalty), `grads`, `lr` and `optState`, as the four operators would have set them, and
 * is emitted; after every sink has seen it the update is applied — by the replicas, each on its
 * slice of the weights, for `sgd` and `adam` on large models, else on this thread. The gradient
 * equals the single-thread one to float64 round-off (bit for bit with one worker) and is the same
 * on every run with the same N.
 *
 * Threads start on subscribe and end when the run completes, errors or is unsubscribed; a worker
 * that throws errors the run with its error, one that dies errors it with its exit code. Where
 * threads are unavailable (no `SharedArrayBuffer`, or a browser's main thread) it warns once and
 * computes on this thread. Throws a `GradstreamError` at once for a bad model, loss, optimizer or
 * `workers`, a model or loss without a config (unless `replica` is given), or a model with
 * dropout or batch normalization.
 *
 * A float32 model (`sequential(…, { precision: 'float32' })`) keeps its weights, gradients and
 * shard gradients in float32 shared memory and computes with its float32 kernels on every replica;
 * the reduction (same fixed order) rounds each partial sum to float32, and `sgd` and `adam` update
 * on the replicas as for float64 models, with their state in float32 shared memory and the
 * arithmetic of the single-thread float32 update. One worker gives the single-thread float32 run
 * bit for bit; N workers agree with it to float32 round-off and with themselves on every run.
 *
 * @example
 * import { pipe } from 'rxjs';
 * import { adam, dense, relu, sequential, softmaxCrossEntropy } from 'gradstream';
 * import { dataParallel } from 'gradstream';
 * const model = sequential([dense(784, 128), relu(), dense(128, 10)]);
 * const ce = softmaxCrossEntropy();
 * // one thread: pipe(forward(model), loss(ce), gradient(model, ce), update(adam()))
 * const step = dataParallel(model, ce, adam({ lr: 1e-3 }), { workers: 2 });
 */
export function dataParallel<R extends StepRecord, S extends OptState>(
  model: Model,
  lossFn: Loss,
  optimizer: GradientTransformation<S>,
  options: DataParallelOptions,
): OperatorFunction<R, R & WithParallelStep> {
  checkModel('dataParallel(model)', model);
  checkLoss('dataParallel(lossFn)', lossFn);
  checkOptions(model, options);
  const local = pipe(forward<R>(model), loss(lossFn), gradient(model, lossFn), update(optimizer, updateOptions(options)));
  const spec = replicaSpec(model, lossFn, options);
  const support = threadSupport();
  if (support.start === undefined) {
    let warned = false;
    return (source) =>
      defer(() => {
        if (!warned) {
          warned = true;
          (options.logger ?? console).warn(
            `gradstream: dataParallel({ workers: ${options.workers} }) runs on one thread: ${support.reason}`,
          );
        }
        return local(source);
      });
  }
  const start = support.start;
  return (source) =>
    new Observable<R & WithParallelStep>((subscriber) => {
      let pool: ReplicaPool;
      try {
        pool = startReplicaPool({
          workers: options.workers,
          spec,
          model,
          loss: lossFn,
          start,
          ...(options.startTimeoutMs === undefined ? {} : { startTimeoutMs: options.startTimeoutMs }),
          ...(options.stallTimeoutMs === undefined ? {} : { stallTimeoutMs: options.stallTimeoutMs }),
          ...(options.hooks === undefined ? {} : { hooks: options.hooks }),
        });
      } catch (e: unknown) {
        subscriber.error(e);
        return;
      }
      subscriber.add(() => pool.close());
      const step = new ParallelStep<R, S>(pool, model, lossFn, optimizer, options, subscriber);
      source.pipe(untilUnsubscribed(subscriber)).subscribe({
        next: (r) => step.next(r),
        error: (e: unknown) => subscriber.error(e),
        complete: () => step.complete(),
      });
    });
}

/** One subscription's steps: the pool's gradient, the record's fields, the update after the sinks. */
class ParallelStep<R extends StepRecord, S extends OptState> {
  private readonly update: UpdateStage<R & WithParallelStep, S>;
  private readonly penalty: ((params: R['params']) => number) | null;
  /** Steps that went asynchronous and have not passed their record on yet. */
  private inFlight = 0;
  /** The source has completed: the output completes once no step is in flight. */
  private sourceDone = false;

  constructor(
    private readonly pool: ReplicaPool,
    private readonly model: Model,
    private readonly lossFn: Loss,
    optimizer: GradientTransformation<S>,
    options: DataParallelOptions,
    private readonly out: Subscriber<R & WithParallelStep>,
  ) {
    this.penalty = model.penalty === undefined ? null : model.penalty.bind(model);
    this.update = new UpdateStage<R & WithParallelStep, S>(optimizer, options.stopOnDivergence ?? true, applyOnReplicas(pool, optimizer));
  }

  /**
   * One data-parallel step on the record. The replicas' answer comes at once, or — while the
   * threads start, or when they take longer than a few milliseconds — the record is held and the
   * loop's thread serves its event loop meanwhile (timers, I/O, Ctrl-C).
   */
  next(r: R): void {
    if (!this.pool.canStep()) {
      // the threads are starting: the first step waits for them asynchronously (Web Workers load
      // through this thread's event loop; under Node it leaves the thread to the garbage
      // collector meanwhile), holding the loop until the record has been passed on
      const ready = this.pool.whenReady().then(
        () => (this.out.closed ? undefined : this.step(r)),
        (e: unknown) => this.out.error(e),
      );
      r.hold(this.track(ready));
      return;
    }
    const pending = this.step(r);
    if (pending !== undefined) this.track(pending);
  }

  /** The source's end: passed on once the step in flight (the final record's, often) has been emitted. */
  complete(): void {
    this.sourceDone = true;
    if (this.inFlight === 0) this.out.complete();
  }

  private track(work: Promise<unknown>): Promise<void> {
    this.inFlight += 1;
    const settled = (): void => {
      this.inFlight -= 1;
      if (this.sourceDone && this.inFlight === 0 && !this.out.closed) this.out.complete();
    };
    return work.then(settled, settled);
  }

  /** Runs the replicas' step; the promise of its record when it went asynchronous. */
  private step(r: R): Promise<void> | undefined {
    return runPoolStep(
      this.pool,
      r,
      (out) => {
        if (!this.out.closed) this.finish(r, out);
      },
      (e: unknown) => this.out.error(e),
    );
  }

  /** The record's fields from the replicas' step; emits it, then applies its update. */
  private finish(r: R, out: Float64Array): void {
    const rec = r as R & WithParallelStep & { penalty?: number; dataLoss?: number };
    try {
      // from now on the record's weights live in shared memory: the update writes them there
      // and the replicas read them without a copy
      rec.params = this.pool.params;
      const value = this.lossFn.value(out, r.batch.y, r.batch.size, this.model.outputs);
      rec.output = out;
      rec.grads = this.pool.grads;
      if (this.penalty === null) rec.loss = value;
      else {
        rec.penalty = this.penalty(rec.params);
        rec.dataLoss = value;
        rec.loss = value + rec.penalty;
      }
      this.update.next(rec);
    } catch (e: unknown) {
      this.out.error(e);
      return;
    }
    this.out.next(rec);
    try {
      this.update.after(rec, this.out.closed);
    } catch (e: unknown) {
      this.out.error(e);
    }
  }
}

/** The update on the replicas, each on its slice, for optimizers with a one-pass form. */
function applyOnReplicas(pool: ReplicaPool, optimizer: object): ApplyElsewhere | null {
  const form = fusedFormOf(optimizer);
  if (form === undefined) return null;
  const kernel: SliceKernel = sliceKernelOf(form);
  return (updates, state, params) => pool.apply(kernel, updates, state, params);
}

function updateOptions(options: DataParallelOptions): { stopOnDivergence?: boolean } {
  return options.stopOnDivergence === undefined ? {} : { stopOnDivergence: options.stopOnDivergence };
}

function checkOptions(model: Model, options: DataParallelOptions): void {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new GradstreamError({
      code: 'invalid_config',
      path: 'dataParallel(options)',
      expected: 'an options object ({ workers, replica, logger, startTimeoutMs })',
      received: describeTyped(options),
    });
  }
  const workers = options.workers;
  if (!Number.isInteger(workers) || workers < 1 || workers > MAX_WORKERS) {
    throw new GradstreamError({
      code: 'invalid_config',
      path: 'dataParallel.workers',
      expected: `an integer from 1 to ${MAX_WORKERS}`,
      received: describeTyped(workers),
    });
  }
  checkShardable(scaledParts(model)?.model ?? model, 'dataParallel.model');
}

/** How the threads rebuild the model and loss: the given module, or the two configs. */
function replicaSpec(model: Model, lossFn: Loss, options: DataParallelOptions): ReplicaSpec {
  if (options.replica !== undefined) {
    const m = options.replica.module;
    return { kind: 'module', module: typeof m === 'string' ? m : m.href, export: options.replica.export ?? 'default' };
  }
  // a model with input scaling in front (withScaler): the threads rebuild the inner model and
  // put the same scaling in front of it
  const scaled = scaledParts(model);
  const inner = scaled === null ? model : scaled.model;
  const toConfig = (inner as { toConfig?: () => unknown }).toConfig;
  if (typeof toConfig !== 'function' || lossFn.toConfig === undefined) {
    throw new GradstreamError({
      code: 'invalid_config',
      path: 'dataParallel.replica',
      expected: 'a model and loss with toConfig() (built-in layers and losses), or options.replica { module, export }',
      received: typeof toConfig !== 'function' ? 'a model without toConfig' : 'a loss without toConfig',
    });
  }
  let config: unknown;
  try {
    config = toConfig.call(inner);
  } catch (e: unknown) {
    if (!(e instanceof GradstreamError)) throw e;
    throw new GradstreamError({
      code: 'invalid_config',
      path: 'dataParallel.replica',
      expected: 'a model whose layers all have a config, or options.replica { module, export }',
      received: `a model that cannot be saved as config (${e.message})`,
    });
  }
  // checked here, once, against the schemas: the threads then build from it without parsing it
  const spec = {
    kind: 'config',
    model: config,
    loss: lossFn.toConfig(),
    ...(scaled === null ? {} : { scaler: scaled.scaler.toJSON() }),
  } as const;
  modelFromConfig(spec.model, 'dataParallel.model.toConfig()');
  lossFromConfig(spec.loss, 'dataParallel.loss.toConfig()');
  return spec;
}

/** The inner model and scaler of a `withScaler` model, else null. */
function scaledParts(model: Model): ScaledModel | null {
  const m = model as Partial<ScaledModel>;
  return m.scaler !== undefined && typeof m.scaler.toJSON === 'function' && m.model !== undefined && typeof m.model.forward === 'function'
    ? (model as ScaledModel)
    : null;
}
