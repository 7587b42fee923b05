import { Observable, type OperatorFunction } from 'rxjs';
import { GradstreamError, describeValue } from '../core/errors.js';
import type { Loss } from '../core/loss.js';
import type { MetricFn } from '../core/metrics/metricFn.js';
import type { ForwardCache, Model } from '../core/model.js';
import { NOT_READY, type BatchSource } from '../streams/batchSource.js';
import { fromArrays } from '../streams/fromArrays.js';
import type { ArraysPart } from '../streams/splitArrays.js';
import type { Batch, StepRecord } from '../streams/stepRecord.js';
import { checkOptions } from '../streams/checkOptions.js';
import { untilUnsubscribed } from './untilUnsubscribed.js';

/** Options of {@link validation}. */
export interface ValidationOptions {
  /** The loss to report as `valLoss` (usually the training loss). */
  readonly loss: Loss;
  /** Named metrics to report in `valMetrics` (e.g. `{ accuracy }`). */
  readonly metrics?: Readonly<Record<string, MetricFn | Loss>>;
  /**
   * When to evaluate: `'epoch'` (default) on each record marked `epochEnd` — the last step of an
   * epoch — or every N steps (steps 0, N, 2N, …); and always on the final record (`stopReason`).
   */
  readonly every?: 'epoch' | number;
  /** Rows per evaluation batch for an {@link ArraysPart} (default 256). */
  readonly batchSize?: number;
}

/** A record after {@link validation}: set on evaluated records, `undefined` on the others. */
export type WithValidation = { valLoss: number | undefined; valMetrics: Record<string, number> | undefined };

/**
 * Held-out evaluation: at each epoch end (or every N steps) runs `model` in inference mode on every
 * row of the validation data with the record's weights and sets `record.valLoss` and
 * `record.valMetrics` (`undefined` on the records in between), so `earlyStopping`, `checkpoint`
 * and `log` can watch them. The data is in memory: an {@link ArraysPart} (from `splitArrays` or
 * `readAll`) or a synchronous source read one epoch per evaluation. Means over rows (losses, MAE,
 * accuracy) are exact; other metrics (RMSE, R²) are averaged over the evaluation batches — one
 * batch (a `batchSize` ≥ the rows) makes them exact.
 *
 * Place it anywhere after the records are made (before or after `update`: the weights are the
 * record's step). Emits every record; completes and errors with its source; errors with a
 * `GradstreamError` when the validation data has the wrong widths or is asynchronous.
 *
 * @example
 * import { pipe } from 'rxjs';
 * import { accuracy, dense, forward, fromArrays, gradient, loss, sequential, sgd, softmaxCrossEntropy, splitArrays, update, validation } from 'gradstream';
 * const model = sequential([dense(2, 3)]);
 * const l = softmaxCrossEntropy();
 * const { train, validation: held } = splitArrays([[0, 0], [0, 1], [1, 0], [1, 1], [2, 2]], [0, 1, 1, 2, 2], { validation: 0.4, seed: 1 });
 * const data = fromArrays(train.x, train.y, { rows: train.rows, batchSize: 2, epochs: 10 });
 * const step = pipe(forward(model), loss(l), gradient(model, l), update(sgd()), validation(model, held, { loss: l, metrics: { accuracy } }));
 * // at each epoch end: r.valLoss, r.valMetrics.accuracy
 */
export function validation<R extends StepRecord>(
  model: Model,
  data: BatchSource | ArraysPart,
  options: ValidationOptions,
): OperatorFunction<R, R & WithValidation> {
  const plan = planValidation(model, data, options);
  return (upstream) =>
    new Observable<R & WithValidation>((subscriber) => {
      const evaluator = new Evaluator(model, plan);
      let lastStep = -1;
      return upstream.pipe(untilUnsubscribed(subscriber)).subscribe({
        next(r) {
          const rec = r as R & WithValidation;
          rec.valLoss = undefined;
          rec.valMetrics = undefined;
          // due at an epoch's end (or every N steps), and always on the final record: the final weights' score
          const every = plan.every;
          const due = r.stopReason !== undefined || (every === 'epoch' ? r.epochEnd : r.step % every === 0 && r.step !== lastStep);
          if (due) {
            lastStep = r.step;
            try {
              evaluator.evaluate(rec);
            } catch (e: unknown) {
              subscriber.error(e);
              return;
            }
          }
          subscriber.next(rec);
        },
        error: (e: unknown) => subscriber.error(e),
        complete: () => subscriber.complete(),
      });
    });
}

/** The checked arguments of one {@link validation} operator. */
interface ValidationPlan {
  readonly every: 'epoch' | number;
  readonly lossFn: Loss;
  readonly names: readonly string[];
  readonly fns: readonly MetricFn[];
  readonly source: BatchSource;
}

/** Checks the arguments, in the order their errors are reported. */
function planValidation(model: Model, data: BatchSource | ArraysPart, options: ValidationOptions): ValidationPlan {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new GradstreamError({
      code: 'invalid_config',
      path: 'validation',
      expected: 'options with a loss, e.g. { loss: mse() }',
      received: describeValue(options),
    });
  }
  if (typeof (model as Partial<Model> | null)?.forward !== 'function' || typeof model.createCache !== 'function') {
    throw new GradstreamError({ code: 'invalid_config', path: 'validation(model)', expected: 'a model', received: describeValue(model) });
  }
  checkOptions('validation.metrics', options.metrics);
  const every = options.every ?? 'epoch';
  if (every !== 'epoch' && !(typeof every === 'number' && Number.isInteger(every) && every >= 1)) {
    throw new GradstreamError({
      code: 'invalid_config',
      path: 'validation.every',
      expected: "'epoch' or an integer ≥ 1",
      received: describeValue(every),
    });
  }
  const lossFn = options.loss;
  if (typeof lossFn !== 'object' || lossFn === null || typeof lossFn.value !== 'function') {
    throw new GradstreamError({
      code: 'invalid_config',
      path: 'validation.loss',
      expected: 'a loss (e.g. mse())',
      received: describeValue(lossFn),
    });
  }
  const names = Object.keys(options.metrics ?? {});
  const fns = names.map((name) => metricFn(name, options.metrics![name]));
  return { every, lossFn, names, fns, source: validationSource(data, options.batchSize) };
}

/** A metric option as a function: a metric, or a loss's value. */
function metricFn(name: string, fn: MetricFn | Loss | undefined): MetricFn {
  if (typeof fn === 'function') return fn;
  if (typeof fn === 'object' && fn !== null && typeof fn.value === 'function') return (p, t, rows, cols) => fn.value(p, t, rows, cols);
  throw new GradstreamError({
    code: 'invalid_config',
    path: `validation.metrics.${name}`,
    expected: 'a metric function or a loss',
    received: describeValue(fn),
  });
}

/** The validation data as a batch source (an {@link ArraysPart} read in batches of `batchSize`, default 256). */
function validationSource(data: BatchSource | ArraysPart, batchSize: number | undefined): BatchSource {
  const source: BatchSource = isArraysPart(data) ? fromArrays(data.x, data.y, { rows: data.rows, batchSize: batchSize ?? 256 }) : data;
  if (typeof source?.open !== 'function') {
    throw new GradstreamError({
      code: 'invalid_config',
      path: 'validation.data',
      expected: 'an ArraysPart { x, y, rows } or a batch source',
      received: describeValue(data),
    });
  }
  return source;
}

/** One subscription's evaluations: a forward cache per batch size, and the sums of one pass. */
class Evaluator {
  private readonly caches = new Map<number, ForwardCache>();
  private readonly sums: Float64Array;
  private readonly valMetrics: Record<string, number> = {};
  private total = 0;
  private rows = 0;

  constructor(
    private readonly model: Model,
    private readonly plan: ValidationPlan,
  ) {
    this.sums = new Float64Array(plan.names.length);
  }

  /** Scores `r.params` on one epoch of the data into `r.valLoss` and `r.valMetrics`. */
  evaluate(r: StepRecord & WithValidation): void {
    const reader = this.plan.source.open();
    this.total = 0;
    this.rows = 0;
    this.sums.fill(0);
    let epoch: number | undefined;
    try {
      for (;;) {
        const b = reader.next();
        if (b === NOT_READY) {
          throw new GradstreamError({
            code: 'invalid_config',
            path: 'validation.data',
            expected: 'data in memory (load a file part with readAll first)',
            received: 'an asynchronous source',
          });
        }
        if (b === null) break;
        const c = reader.cursor();
        if (epoch === undefined) epoch = c.epoch;
        else if (c.epoch !== epoch) break;
        this.add(r.params, b);
        if (c.epochEnd === true) break;
      }
    } finally {
      reader.close?.();
    }
    if (this.rows === 0)
      throw new GradstreamError({ code: 'invalid_dataset', path: 'validation.data', expected: 'at least one row', received: 'none' });
    const { names } = this.plan;
    r.valLoss = this.total / this.rows;
    for (let k = 0; k < names.length; k++) this.valMetrics[names[k]!] = this.sums[k]! / this.rows;
    r.valMetrics = this.valMetrics;
  }

  /** Adds one batch's loss and metrics, weighted by its rows. */
  private add(params: StepRecord['params'], b: Batch): void {
    const { model, sums } = this;
    const { lossFn, fns } = this.plan;
    if (b.x.length !== b.size * model.inputs) {
      throw new GradstreamError({
        code: 'invalid_shape',
        path: 'validation.data.x',
        expected: `${model.inputs} inputs per row (the model's)`,
        received: String(b.x.length / b.size),
      });
    }
    let cache = this.caches.get(b.size);
    if (cache === undefined) {
      cache = model.createCache(b.size);
      this.caches.set(b.size, cache);
    }
    const out = model.forward(params, b.x, cache);
    const cols = out.length / b.size;
    this.total += lossFn.value(out, b.y, b.size, cols) * b.size;
    for (let k = 0; k < fns.length; k++) sums[k] = sums[k]! + fns[k]!(out, b.y, b.size, cols) * b.size;
    this.rows += b.size;
  }
}

function isArraysPart(d: BatchSource | ArraysPart): d is ArraysPart {
  return typeof d === 'object' && d !== null && (d as ArraysPart).x instanceof Float64Array && typeof (d as ArraysPart).rows === 'number';
}
