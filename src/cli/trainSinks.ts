import { tap } from 'rxjs';
import { accuracy } from '../core/metrics/accuracy.js';
import type { MetricFn } from '../core/metrics/metricFn.js';
import type { FitSink } from '../live/localEngine.js';
import { epochMean, type WithEpochMean } from '../ops/epochMean.js';
import { metric } from '../ops/metric.js';
import { validation, type WithValidation } from '../ops/validation.js';
import type { JsonValue } from '../schemas/checkpoint.js';
import type { WritableLike } from '../schemas/sinkOptions.js';
import type { TrainConfig } from '../schemas/trainConfig.js';
import { checkpoint } from '../sinks/checkpoint.js';
import { earlyStopping } from '../sinks/earlyStopping.js';
import { logFile } from '../sinks/logFile.js';
import { progress } from '../sinks/progress.js';
import type { StepRecord } from '../streams/stepRecord.js';
import type { PreparedRun } from './prepareRun.js';
import { tableEvaluator } from './tableEvaluator.js';

/** A record as the command's sinks see it: maybe batch metrics (classifiers), epoch means and a validation loss. */
export type OutRecord = StepRecord & Partial<WithValidation> & Partial<WithEpochMean> & { metrics?: Record<string, number> };

/**
 * Whether a config's batches may be mini-batches (a file, read 32 rows at a time by default, or
 * `training.batchSize`): the command then computes epoch means, and stops and keeps `best.json` on
 * them by default. One full batch ends an epoch every step: its loss is the epoch mean.
 */
export function hasEpochs(config: TrainConfig): boolean {
  return config.training?.batchSize !== undefined || !('inputs' in config.data) || config.stop?.monitor === 'epochLoss';
}

/** What `stop` watches: `stop.monitor`, else the epoch mean loss with mini-batches, else the loss. */
export function stopMonitor(config: TrainConfig): 'loss' | 'epochLoss' | 'valLoss' {
  return config.stop?.monitor ?? (hasEpochs(config) ? 'epochLoss' : 'loss');
}

/** What {@link trainSinks} needs besides the config and the prepared run. */
export interface TrainSinksOptions {
  /** The checkpoint folder (`--checkpoint-dir` or `checkpoint.dir`), if any. */
  readonly checkpointDir: string | undefined;
  readonly maxSteps: number | undefined;
  /** Where the progress bar goes, when there is one (no `--json`, no `--quiet`, no `log.every`). */
  readonly progressTo: WritableLike | undefined;
}

/** The sinks of a run and what they report. */
export interface TrainSinks {
  readonly sinks: FitSink[];
  /** The last `last.json` written, once one is. */
  readonly lastCheckpoint: () => string | undefined;
}

/** The config as run: a file's classes and feature columns fixed, as found in the file. */
function savedConfig(config: TrainConfig, run: PreparedRun): TrainConfig {
  if ('inputs' in config.data) return config;
  return {
    ...config,
    data: {
      ...config.data,
      ...(run.classes === undefined ? {} : { classes: [...run.classes] }),
      ...(run.features === undefined ? {} : { features: [...run.features] }),
    },
  };
}

/**
 * The sinks a config asks for, in pipeline order after `update`: the batch accuracy (classifiers),
 * the epoch means (mini-batches: {@link hasEpochs}), the validation loss (`validation`), `earlyStopping` (`stop`), the final record's validation loss
 * (so `best.json` and the last line always have it), the checkpoint folder, the log file and the
 * progress bar. Throws a `GradstreamError` for bad sink options.
 */
export function trainSinks(config: TrainConfig, run: PreparedRun, options: TrainSinksOptions): TrainSinks {
  const sinks: FitSink[] = [];
  const logEvery = config.log?.every ?? 1;
  const accuracyFn: MetricFn = (p, t, rows, cols) => accuracy(p, t, rows, cols, { threshold: run.threshold });
  if (run.classifier) sinks.push(metric('accuracy', accuracyFn) as unknown as FitSink);
  if (hasEpochs(config)) sinks.push(epochMean() as unknown as FitSink);
  if (run.validation !== undefined) {
    const metrics = run.classifier ? { metrics: { accuracy: accuracyFn } } : {};
    sinks.push(
      validation(run.model, run.validation, {
        loss: run.loss,
        every: config.validation?.every ?? logEvery,
        batchSize: Math.max(1, run.validation.rows),
        ...metrics,
      }) as unknown as FitSink,
    );
  }
  // A non-finite loss ends the run as 'diverged' without a criterion (the `update` operator does).
  const stop = stopSink(config);
  if (stop !== undefined) sinks.push(stop);
  if (run.validation !== undefined) sinks.push(finalValidation(run, run.validation));
  let lastCheckpoint: string | undefined;
  if (options.checkpointDir !== undefined) {
    const save = checkpointSink(config, run, options.checkpointDir);
    save.written$.subscribe((w) => {
      if (w.path.endsWith('last.json')) lastCheckpoint = w.path;
    });
    sinks.push(save);
  }
  // a JSON Lines (or CSV, text) log file, lossless
  if (config.log?.path !== undefined)
    sinks.push(logFile(config.log.path, { format: config.log.format ?? 'jsonl', every: logEvery }) as FitSink);
  if (options.progressTo !== undefined)
    sinks.push(progress({ ...(options.maxSteps === undefined ? {} : { total: options.maxSteps }), stream: options.progressTo }) as FitSink);
  return { sinks, lastCheckpoint: () => lastCheckpoint };
}

/** `earlyStopping` with the config's `stop` criteria on the monitored value, when it has any. */
function stopSink(config: TrainConfig): FitSink | undefined {
  const stop = config.stop ?? {};
  const monitor = stopMonitor(config);
  if (stop.lossBelow === undefined && stop.patience === undefined && stop.divergence === undefined && stop.timeout === undefined)
    return undefined;
  return earlyStopping({
    monitor,
    // `lossBelow` watches the monitored value: the loss (`threshold` reason) or the validation loss
    ...(stop.lossBelow === undefined ? {} : monitor === 'loss' ? { lossBelow: stop.lossBelow } : { threshold: stop.lossBelow }),
    ...(stop.patience === undefined ? {} : { patience: stop.patience }),
    ...(stop.minDelta === undefined ? {} : { minDelta: stop.minDelta }),
    ...(stop.divergence === undefined ? {} : { lossAbove: stop.divergence }),
    ...(stop.timeout === undefined ? {} : { timeout: stop.timeout * 1000 }),
  }) as FitSink;
}

/** The final record's validation loss (and accuracy), when the last validation did not fall on it. */
function finalValidation(run: PreparedRun, table: NonNullable<PreparedRun['validation']>): FitSink {
  const evaluate = tableEvaluator(run.model, run.loss, table, run.classifier ? { threshold: run.threshold } : undefined);
  return tap((r: OutRecord) => {
    if (r.stopReason === undefined || r.valLoss !== undefined) return;
    const score = evaluate(r.params);
    r.valLoss = score.loss;
    if (score.accuracy !== undefined) r.valMetrics = { accuracy: score.accuracy };
  }) as FitSink;
}

/** The checkpoint folder's sink: `last.json`, `best.json`, and `step-<step>.json` with `checkpoint.everySteps`. */
function checkpointSink(config: TrainConfig, run: PreparedRun, dir: string): ReturnType<typeof checkpoint<StepRecord>> {
  const c = config.checkpoint;
  const bestMonitor = config.stop?.monitor ?? (run.validation === undefined ? stopMonitor(config) : 'valLoss');
  return checkpoint<StepRecord>({
    dir,
    ...(c?.everySteps === undefined ? {} : { every: c.everySteps }),
    // step-<step>.json every everySteps steps: all of them, or the newest keepLast
    ...(c?.everySteps === undefined ? {} : { keepLast: c.keepLast ?? Number.MAX_SAFE_INTEGER }),
    keepBest: c?.keepBest ?? true,
    // best.json follows the validation loss when there is one, else the epoch mean loss
    monitor: bestMonitor,
    // an epoch mean is on epoch ends only: best.json is checked there, not only on the steps written
    ...(bestMonitor === 'epochLoss' ? { bestAt: 'epochEnd' as const } : {}),
    model: run.bare,
    ...(run.scaler === undefined ? {} : { scaler: run.scaler }),
    // the config as run (paths absolute, the label's classes fixed): eval and predict read files with it
    // (and its feature columns named, when the file's were the default)
    config: JSON.parse(JSON.stringify(savedConfig(config, run))) as JsonValue,
    dataSeed: run.seed,
  });
}
