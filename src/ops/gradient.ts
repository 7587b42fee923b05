import { defer, Observable, pipe, type OperatorFunction } from 'rxjs';
import { stepStage, type StepStage } from './stepStage.js';
import { checkLoss } from '../core/checkLoss.js';
import { checkModel } from '../core/checkModel.js';
import { GradstreamError, describeTyped } from '../core/errors.js';
import type { Loss } from '../core/loss.js';
import type { Model } from '../core/model.js';
import { PARALLEL_APPLY, type ParallelApply } from '../core/optimizer.js';
import { createParamsIn, zerosLike, type Params } from '../core/params.js';
import type { StepRecord, WithGrads, WithLoss, WithOutput } from '../streams/stepRecord.js';
import type { ReplicaSpec } from '../workers/protocol.js';
import { startReplicaPool, type ReplicaPool } from '../workers/replicaPool.js';
import type { ThreadHooks } from '../workers/replicaThreads.js';
import { lossFromConfig } from '../schemas/lossFromConfig.js';
import { modelFromConfig } from '../schemas/modelFromConfig.js';
import { checkShardable } from '../workers/runReplica.js';
import { threadSupport } from '../workers/threadSupport.js';
import { forward } from './forward.js';
import { loss } from './loss.js';
import { untilUnsubscribed } from './untilUnsubscribed.js';

/** Options of {@link gradient} for data-parallel training on worker threads. */
export interface GradientOptions {
  /** Replica threads; each computes the gradient of one shard of every mini-batch (an integer ≥ 1). */
  readonly workers: number;
  /**
   * How the threads build the model and loss, for models without a config (custom layers): a
   * module URL (`new URL('./model.js', import.meta.url)`) and the name of its export (default
   * `"default"`): `{ model, loss }` or a function returning it. By default the threads rebuild
   * `model.toConfig()` and `loss.toConfig()`.
   */
  readonly replica?: { readonly module: string | URL; readonly export?: string };
  /** Receives the one-time warning when threads are unavailable (default `console`). */
  readonly logger?: { warn(message: string): void };
  /** How long the first step waits for the threads to load (default 60 000 ms). */
  readonly startTimeoutMs?: number;
  /** Test hooks (the platform's thread objects). */
  readonly hooks?: ThreadHooks;
}

/** A record after `gradient(model, loss, { workers })`: output, loss and gradient of the whole batch. */
export type WithParallelStep = { output: Float64Array } & WithLoss & WithGrads;

/**
 * Backpropagation: sets each record's `grads` to `∂loss/∂params` (same layout as `params`) at the
 * record's weights and batch. The gradient buffers are made once per subscription and
 * overwritten every step. Emits every record; completes and errors with its source.
 *
 * **Data parallel** with `{ workers: N }`: replaces `forward` and `loss` as well. Each mini-batch
 * is split into N contiguous shards (sizes differ by at most one row); N replicas — this thread
 * (replica 0) and N − 1 worker threads (Node `worker_threads`, or Web Workers) — run the forward
 * pass, the loss gradient and backprop of their shard, reading the weights from shared memory, and sum the
 * shards' gradients — each weighted by its share of the rows — in a fixed order into shared
 * memory. The record's `params` move into shared memory on the first step (`update` then writes
 * the new weights where the replicas read them). The record then holds the batch's `output`, its `loss` (computed on this thread from
 * that output, plus the model's weight penalty) and `grads`, as `forward`, `loss` and `gradient`
 * would have set them; `update` and every sink work unchanged. The result equals the
 * single-thread gradient to float64 round-off (|Δ| ≤ (B + 2)·2⁻⁵³ times the sum of the absolute
 * per-row terms; bit for bit with one worker) and is the same on every run with the same N.
 * Threads start on subscribe and end when the run completes, errors or is unsubscribed; a worker
 * that throws errors the run with its error, one that dies errors it with its exit code. Where
 * threads are unavailable (no `SharedArrayBuffer`, or a browser's main thread) it warns once and
 * computes on this thread.
 *
 * Throws a `GradstreamError` at once when `model` is not a model or `lossFn` not a loss.
 * Errors with a `GradstreamError` when `workers` is not an integer ≥ 1, when the model or loss
 * has no config and no `replica` is given, or when the model has dropout or batch normalization.
 *
 * @example
 * import { pipe } from 'rxjs';
 * import { adam, dense, gradient, relu, sequential, softmaxCrossEntropy, update } from 'gradstream';
 * const model = sequential([dense(784, 128), relu(), dense(128, 10)]);
 * const ce = softmaxCrossEntropy();
 * // single thread: pipe(forward(model), loss(ce), gradient(model, ce), update(adam()))
 * const step = pipe(gradient(model, ce, { workers: 2 }), update(adam({ lr: 1e-3 })));
 */
export function gradient<R extends StepRecord & WithOutput>(model: Model, lossFn: Loss): OperatorFunction<R, R & WithGrads>;
export function gradient<R extends StepRecord>(model: Model, lossFn: Loss, options: GradientOptions): OperatorFunction<R, R & WithParallelStep>;
export function gradient<R extends StepRecord>(model: Model, lossFn: Loss, options?: GradientOptions): OperatorFunction<R, R & WithParallelStep> {
  checkModel('gradient(model)', model);
  checkLoss('gradient(lossFn)', lossFn);
  if (options === undefined) return backprop(model, lossFn) as unknown as OperatorFunction<R, R & WithParallelStep>;
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new GradstreamError({ code: 'invalid_config', path: 'gradient(options)', expected: 'an options object ({ workers, replica, logger, startTimeoutMs })', received: describeTyped(options) });
  }
  const workers = options.workers;
  if (!Number.isInteger(workers) || workers < 1) {
    throw new GradstreamError({ code: 'invalid_config', path: 'gradient.workers', expected: 'an integer ≥ 1', received: describeTyped(workers) });
  }
  if (model.precision === 'float32') {
    throw new GradstreamError({ code: 'invalid_config', path: 'gradient.workers', expected: "a float64 model (data-parallel workers compute in float64; precision 'float32' trains on one thread)", received: 'a float32 model' });
  }
  checkShardable(model, 'gradient.model');
  const spec = replicaSpec(model, lossFn, options);
  const support = threadSupport();
  if (support.start === undefined) {
    let warned = false;
    const local = pipe(forward<R>(model), loss<R & WithOutput>(lossFn), backprop<R & WithOutput & WithLoss>(model, lossFn));
    return (source) =>
      defer(() => {
        if (!warned) {
          warned = true;
          (options.logger ?? console).warn(`gradstream: gradient({ workers: ${workers} }) runs on one thread: ${support.reason}`);
        }
        return local(source);
      });
  }
  const start = support.start;
  return (source) =>
    new Observable<R & WithParallelStep>((subscriber) => {
      let pool: ReplicaPool;
      try {
        pool = startReplicaPool({ workers, spec, model, loss: lossFn, start, ...(options.startTimeoutMs === undefined ? {} : { startTimeoutMs: options.startTimeoutMs }), ...(options.hooks === undefined ? {} : { hooks: options.hooks }) });
      } catch (e: unknown) {
        subscriber.error(e);
        return;
      }
      const outputs = model.outputs;
      const penalty = model.penalty === undefined ? null : model.penalty.bind(model);
      subscriber.add(() => pool.close());
      // `update` runs elementwise optimizers (adam, sgd) on the replicas, each on its slice
      const parallelApply: ParallelApply = (kernel, g, state, params) => pool.apply(kernel, g, state, params);
      /** One data-parallel step on the record, then passes it on. */
      const stepOn = (r: R): void => {
        const rec = r as R & WithParallelStep & { penalty?: number; dataLoss?: number; [PARALLEL_APPLY]?: ParallelApply };
        try {
          if (rec[PARALLEL_APPLY] !== parallelApply) rec[PARALLEL_APPLY] = parallelApply;
          const out = pool.step(r.params, r.batch, r.step);
          // from now on the record's weights live in shared memory: `update` writes them there
          // and the replicas read them without a copy
          rec.params = pool.params;
          const rows = r.batch.size;
          const value = lossFn.value(out, r.batch.y, rows, outputs);
          rec.output = out;
          rec.grads = pool.grads;
          if (penalty === null) rec.loss = value;
          else {
            rec.penalty = penalty(r.params);
            rec.dataLoss = value;
            rec.loss = value + rec.penalty;
          }
        } catch (e: unknown) {
          subscriber.error(e);
          return;
        }
        subscriber.next(rec);
      };
      source.pipe(untilUnsubscribed(subscriber)).subscribe({
        next(r) {
          if (pool.canStep()) {
            stepOn(r);
            return;
          }
          // the threads are starting: the first step waits for them asynchronously (Web Workers
          // load through this thread's event loop; under Node it leaves the thread to the garbage
          // collector meanwhile), holding the loop until the record has been passed on
          r.hold(
            pool.whenReady().then(
              () => {
                if (!subscriber.closed) stepOn(r);
              },
              (e: unknown) => subscriber.error(e),
            ),
          );
        },
        error: (e: unknown) => subscriber.error(e),
        complete: () => subscriber.complete(),
      });
    });
}

/** The single-thread backpropagation (after `forward` and `loss`). */
function backprop<R extends StepRecord & WithOutput>(model: Model, lossFn: Loss): OperatorFunction<R, R & WithGrads> {
  return stepStage<R, R & WithGrads>(() => new BackpropStage<R>(model, lossFn));
}

/** Backprop's work (a class: the same `next` in every run, which V8 inlines into the fused step). */
class BackpropStage<R extends StepRecord & WithOutput> implements StepStage<R, R & WithGrads> {
  /** The gradients (the model's precision: Float32Array for float32 models). */
  private readonly grads: Params;
  /** ∂L/∂output, of the output's precision. */
  private dPred = new Float64Array(0);

  constructor(
    private readonly model: Model,
    private readonly lossFn: Loss,
  ) {
    this.grads = createParamsIn(model.layout, model.precision ?? 'float64');
  }

  next(r: R): R & WithGrads {
    const out = r.output;
    if (this.dPred.length !== out.length) this.dPred = zerosLike(out);
    const rows = r.batch.size;
    this.lossFn.grad(this.dPred, out, r.batch.y, rows, out.length / rows);
    this.model.backward(r.params, r.cache, this.dPred, this.grads);
    const rec = r as R & WithGrads;
    rec.grads = this.grads;
    return rec;
  }
}

/** How the threads rebuild the model and loss: the given module, or the two configs. */
function replicaSpec(model: Model, lossFn: Loss, options: GradientOptions): ReplicaSpec {
  if (options.replica !== undefined) {
    const m = options.replica.module;
    return { kind: 'module', module: typeof m === 'string' ? m : m.href, export: options.replica.export ?? 'default' };
  }
  const toConfig = (model as { toConfig?: () => unknown }).toConfig;
  if (typeof toConfig !== 'function' || lossFn.toConfig === undefined) {
    throw new GradstreamError({ code: 'invalid_config', path: 'gradient.replica', expected: 'a model and loss with toConfig() (built-in layers and losses), or options.replica { module, export }', received: typeof toConfig !== 'function' ? 'a model without toConfig' : 'a loss without toConfig' });
  }
  let config: unknown;
  try {
    config = toConfig.call(model);
  } catch (e: unknown) {
    if (!(e instanceof GradstreamError)) throw e;
    throw new GradstreamError({ code: 'invalid_config', path: 'gradient.replica', expected: 'a model whose layers all have a config, or options.replica { module, export }', received: `a model that cannot be saved as config (${e.message})` });
  }
  // checked here, once, against the schemas: the threads then build from it without parsing it
  const spec = { kind: 'config', model: config, loss: lossFn.toConfig() } as const;
  modelFromConfig(spec.model, 'gradient.model.toConfig()');
  lossFromConfig(spec.loss, 'gradient.loss.toConfig()');
  return spec;
}
