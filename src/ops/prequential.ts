import { Observable, type OperatorFunction } from 'rxjs';
import { GradstreamError, describeValue } from '../core/errors.js';
import type { Loss } from '../core/loss.js';
import type { MetricFn } from '../core/metrics/metricFn.js';
import type { StepRecord, WithOutput } from '../streams/stepRecord.js';
import { checkOptions } from '../streams/checkOptions.js';
import { FreshBatch } from './freshBatch.js';
import { untilUnsubscribed } from './untilUnsubscribed.js';

/** The prequential values of one metric (see {@link prequential}). */
export interface PrequentialValue {
  /** The mean over every sample scored so far (each scored before the model learned from it). */
  running: number;
  /** The mean over the last `window` samples (whole batches; exact for one-sample batches). */
  windowed: number;
  /** The value on this record's batch alone. */
  last: number;
}

/** A record after {@link prequential}: `prequential[name]` per metric, and the samples scored so far. */
export type WithPrequential = { prequential: Record<string, PrequentialValue>; prequentialSamples: number };

/** Options of {@link prequential}. */
export interface PrequentialOptions {
  /** Samples in the windowed value (default 100). */
  readonly window?: number;
}

/**
 * Prequential (test-then-train) evaluation, as River's `progressive_val_score`: each record's
 * batch is scored with the weights of its step — before `update` learns from it — so every sample
 * is a fresh test sample when it is scored. Sets `record.prequential[name]` to the running mean
 * over all samples scored so far, the mean over the last `window` samples, and the value on the
 * batch alone (objects made once, updated in place); `prequentialSamples` counts the samples.
 * Metrics that are means over samples (losses, MAE, accuracy) weight batches by their size and
 * are exact; others (RMSE, R²) are averaged per batch.
 *
 * Place it after `forward` (before or after `update`: the output is the step's, not updated). A
 * final record (`stopReason` set) with the same data cursor as the record before — the driver
 * re-evaluating the last batch at the end of the data — is not scored twice.
 *
 * Emits every record; completes and errors with its source; errors with what a metric throws.
 *
 * @example
 * import { pipe } from 'rxjs';
 * import { dense, forward, gradient, loss, meanAbsoluteError, mse, prequential, sequential, sgd, update } from 'gradstream';
 * const model = sequential([dense(1, 1)]);
 * const l = mse();
 * const step = pipe(forward(model), loss(l), prequential({ mae: meanAbsoluteError }, { window: 50 }), gradient(model, l), update(sgd({ lr: 0.05 })));
 * // each record: r.prequential.mae.running, r.prequential.mae.windowed
 */
export function prequential<R extends StepRecord & WithOutput>(
  metrics: Readonly<Record<string, MetricFn | Loss>>,
  opts?: PrequentialOptions,
): OperatorFunction<R, R & WithPrequential> {
  const options = checkOptions('prequential', opts);
  checkOptions('prequential(metrics)', metrics);
  const window = options.window ?? 100;
  if (typeof window !== 'number' || !Number.isInteger(window) || window < 1) {
    throw new GradstreamError({
      code: 'invalid_config',
      path: 'prequential.window',
      expected: 'an integer ≥ 1',
      received: describeValue(window),
    });
  }
  const names = Object.keys(metrics ?? {});
  if (names.length === 0) {
    throw new GradstreamError({
      code: 'invalid_config',
      path: 'prequential',
      expected: 'at least one metric, e.g. { mae: meanAbsoluteError }',
      received: 'none',
    });
  }
  const fns = names.map((name) => metricFn(name, metrics[name]));
  return (source) =>
    new Observable<R & WithPrequential>((subscriber) => {
      const scores = new PrequentialScores(names, fns, window);
      const batches = new FreshBatch();
      return source.pipe(untilUnsubscribed(subscriber)).subscribe({
        next(r) {
          const rec = r as R & WithPrequential;
          rec.prequential = scores.values;
          if (batches.isFresh(r)) {
            try {
              scores.add(r.output, r.batch.y, r.batch.size);
            } catch (e: unknown) {
              subscriber.error(e);
              return;
            }
          }
          rec.prequentialSamples = scores.samples;
          subscriber.next(rec);
        },
        error: (e: unknown) => subscriber.error(e),
        complete: () => subscriber.complete(),
      });
    });
}

/** A metric argument as a function: a metric, or a loss's value. */
function metricFn(name: string, fn: MetricFn | Loss | undefined): MetricFn {
  if (typeof fn === 'function') return fn;
  if (typeof fn === 'object' && fn !== null && typeof fn.value === 'function') return (p, t, rows, cols) => fn.value(p, t, rows, cols);
  throw new GradstreamError({
    code: 'invalid_config',
    path: `prequential.${name}`,
    expected: 'a metric function or a loss',
    received: describeValue(fn),
  });
}

/**
 * One subscription's scores: the sums over every sample, and the window — a ring of the last
 * batches (value·size per metric, and size) holding at most `window` samples.
 */
class PrequentialScores {
  /** The values handed to records, made once and updated in place. */
  readonly values: Record<string, PrequentialValue> = {};
  samples = 0;
  private readonly m: number;
  /** Σ value·size over all samples, per metric. */
  private readonly sums: Float64Array;
  private readonly windowSums: Float64Array;
  private readonly ringValues: Float64Array;
  private readonly ringSizes: Float64Array;
  private ringHead = 0;
  private ringCount = 0;
  private windowSamples = 0;

  constructor(
    private readonly names: readonly string[],
    private readonly fns: readonly MetricFn[],
    private readonly window: number,
  ) {
    const m = names.length;
    this.m = m;
    for (const name of names) this.values[name] = { running: Number.NaN, windowed: Number.NaN, last: Number.NaN };
    this.sums = new Float64Array(m);
    this.windowSums = new Float64Array(m);
    this.ringValues = new Float64Array(window * m);
    this.ringSizes = new Float64Array(window);
  }

  /** Scores one batch (`rows` rows of `output` against `y`); throws what a metric throws. */
  add(output: Float64Array, y: Float64Array, rows: number): void {
    const { m, sums, windowSums, ringValues } = this;
    const cols = output.length / rows;
    const slot = this.makeRoom(rows);
    this.samples += rows;
    for (let k = 0; k < m; k++) {
      const v = this.fns[k]!(output, y, rows, cols);
      const w = v * rows;
      ringValues[slot * m + k] = w;
      sums[k] = sums[k]! + w;
      windowSums[k] = windowSums[k]! + w;
      const out = this.values[this.names[k]!]!;
      out.last = v;
      out.running = sums[k]! / this.samples;
      out.windowed = windowSums[k]! / this.windowSamples;
    }
  }

  /** Evicts the oldest batches that no longer fit (always keeping the newest); returns the slot of a batch of `rows`. */
  private makeRoom(rows: number): number {
    const { m, window, windowSums, ringValues, ringSizes } = this;
    while (this.ringCount > 0 && this.windowSamples + rows > window) {
      const s = ringSizes[this.ringHead]!;
      for (let k = 0; k < m; k++) windowSums[k] = windowSums[k]! - ringValues[this.ringHead * m + k]!;
      this.windowSamples -= s;
      this.ringHead = (this.ringHead + 1) % window;
      this.ringCount -= 1;
    }
    const slot = (this.ringHead + this.ringCount) % window;
    this.ringCount += 1;
    ringSizes[slot] = rows;
    this.windowSamples += rows;
    return slot;
  }
}
