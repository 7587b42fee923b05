import { Observable, Subject } from 'rxjs';
import { CheckpointToOptions, parseOptions } from '../schemas/sinkOptions.js';
import type { StepRecord } from '../streams/stepRecord.js';
import { CheckpointPlan } from './checkpointPlan.js';
import type { CheckpointStorage } from './checkpointStorage.js';
import { CheckpointSubscription } from './checkpointSubscription.js';
import type { RecordOperator } from './recordOperator.js';

/** What the checkpoint sink reports for each checkpoint it wrote. */
export interface CheckpointWritten {
  /** Where the checkpoint is (`last.json`, or the single file). */
  readonly path: string;
  /** Every file written for it (`step-<step>.json`, `last.json`, `best.json`). */
  readonly files: readonly string[];
  readonly step: number;
  readonly loss: number | undefined;
}

/**
 * The checkpoint operator (records pass through, their type kept), with the stream of
 * checkpoints it writes.
 */
export interface CheckpointOperator<R extends StepRecord = StepRecord> extends RecordOperator<R> {
  /** Emits after each completed checkpoint (every subscription of the operator). */
  readonly written$: Observable<CheckpointWritten>;
}

const STEP_FILE = /^step-(\d+)\.json$/;

/** True for the names the folder layout writes (`last.json`, `best.json`, `step-<n>.json`). */
export function isCheckpointName(name: string): boolean {
  return name === 'last.json' || name === 'best.json' || STEP_FILE.test(name);
}

/**
 * Checkpoints a training run into a {@link CheckpointStorage} (a folder, memory, `localStorage`,
 * IndexedDB). When a checkpoint is due — every `every` steps, every `everyEpochs` epochs, every
 * `everyMs` milliseconds, and always for the final record (the one with a `stopReason`) — the
 * record is encoded at once (a copy) and written as `last.json`, plus `step-<step>.json` (the
 * newest `keepLast` kept, older ones removed) and `best.json` when the `monitor`ed value improved
 * (`keepBest`). With `name`, a single file of that name is written instead.
 *
 * A checkpoint holds everything needed to continue (file format version 2): weights, optimizer
 * state, step, data cursor (and `dataSeed`), loss, lr, the run's generator (`record.rng`), the
 * model's config (`model`), named live state (`state`: `hyperParam` cells, `reduceOnPlateau`),
 * a fitted `scaler` and the user's `config`. A record whose weights are not finite (a diverged
 * run) is not written: the last good checkpoint stays.
 *
 * Lossless in every scheduling mode: each write is handed to `record.hold`, so the loop waits for
 * it before the next step (a `sync` run continues asynchronously), and a failed write errors the
 * run. A final record that re-evaluates a batch already trained on (the end of the data, or a
 * stop while the next batch was still being read) is saved with `batchTrained`, so that a resume
 * reads on from the batch after it. When subscribed, the storage is checked (`prepare`: a folder that cannot be written is a
 * `GradstreamError` before the first step) and a checkpoint of another model found there is
 * refused unless `overwrite`. Placed before `earlyStopping` (or anything that ends the run), it
 * still writes the final record: it sees the `stopReason` when the run ends.
 *
 * Passes every record through; completes after its source, once its writes have landed; errors
 * with its source, or with the first failed write.
 *
 * @example
 * import { checkpointTo, memoryStorage } from 'gradstream';
 * const store = memoryStorage();
 * const save = checkpointTo(store, { every: 100, keepLast: 3, monitor: 'loss' });
 * save.written$.subscribe((w) => console.log('saved step', w.step));
 */
export function checkpointTo<R extends StepRecord = StepRecord>(
  storage: CheckpointStorage,
  options: CheckpointToOptions = {},
): CheckpointOperator<R> {
  const written = new Subject<CheckpointWritten>();
  const plan = new CheckpointPlan(storage, parseOptions(CheckpointToOptions, options, 'checkpoint'), written);
  const operator = (source: Observable<R>): Observable<R> =>
    new Observable<R>((subscriber) => {
      const run = new CheckpointSubscription(plan, subscriber);
      return run.closed ? undefined : run.subscribe(source);
    });
  return Object.assign(operator as RecordOperator<R>, { written$: written.asObservable() });
}
