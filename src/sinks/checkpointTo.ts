import { Observable, Subject } from 'rxjs';
import { GradstreamError, describeValue } from '../core/errors.js';
import { isHyperParam } from '../core/hyperParam.js';
import type { OptState } from '../core/optimizer.js';
import type { ParamLayout } from '../core/params.js';
import type { CheckpointFile, JsonValue } from '../schemas/checkpoint.js';
import type { ModelConfig } from '../schemas/modelConfig.js';
import { CheckpointToOptions, parseOptions, type Stateful } from '../schemas/sinkOptions.js';
import type { StepRecord } from '../streams/stepRecord.js';
import { untilUnsubscribed } from '../ops/untilUnsubscribed.js';
import { encodeCheckpoint, encodeFloat, firstNonFinite, type CheckpointBest } from './checkpointCodec.js';
import type { CheckpointStorage } from './checkpointStorage.js';
import { monitorReader } from './monitorReader.js';
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

function describeLayout(l: ParamLayout): string {
  return l.names.map((n, i) => `${n}[${l.shapes[i]!.join(', ')}]`).join(', ');
}

/** The layout a checkpoint text describes (names and shapes), or undefined when it is unreadable. */
function layoutOfText(text: string): string | undefined {
  try {
    const json = JSON.parse(text) as { params?: Record<string, { shape?: number[] }> };
    if (typeof json.params !== 'object' || json.params === null) return undefined;
    return Object.entries(json.params)
      .map(([n, t]) => `${n}[${(t.shape ?? []).join(', ')}]`)
      .join(', ');
  } catch {
    return undefined;
  }
}

/** The saved value of each named state entry: a cell's value, an operator's `getState()`. */
function collectState(state: Readonly<Record<string, unknown>> | undefined): Record<string, OptState> | undefined {
  if (state === undefined) return undefined;
  const out: Record<string, OptState> = {};
  for (const [k, v] of Object.entries(state)) {
    const s = v as Partial<Stateful> & { value?: number };
    out[k] = typeof s.getState === 'function' ? s.getState() : isHyperParam(v) ? v.value : null;
  }
  return out;
}

const noop = (): void => {};

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
  const o = parseOptions(CheckpointToOptions, options, 'checkpoint');
  if (typeof storage !== 'object' || storage === null || typeof storage.write !== 'function') {
    throw new GradstreamError({
      code: 'invalid_config',
      path: 'checkpoint.storage',
      expected: 'a CheckpointStorage (fsStorage, memoryStorage, webStorage, …)',
      received: describeValue(storage),
    });
  }
  const every = o.every;
  const everyEpochs = o.everyEpochs;
  const everyMs = o.everyMs;
  const clock = o.clock ?? (() => performance.now());
  const keepLast = o.keepLast ?? 0;
  const monitorName = o.monitor ?? 'loss';
  const monitor = monitorReader(monitorName, 'checkpoint.monitor');
  const mode = o.mode ?? 'min';
  const keepBest = o.keepBest ?? o.monitor !== undefined;
  const bestAtEpochEnd = o.bestAt === 'epochEnd' && keepBest && o.name === undefined;
  const single = o.name;
  const mainName = single ?? 'last.json';
  const written = new Subject<CheckpointWritten>();

  const modelConfig = (): ModelConfig | undefined => {
    const m = o.model;
    if (m === undefined) return undefined;
    return typeof (m as { toConfig?: unknown }).toConfig === 'function'
      ? (m as { toConfig(): ModelConfig }).toConfig()
      : (m as ModelConfig);
  };
  const better = (a: number, b: number): boolean => (mode === 'min' ? a < b : a > b);

  const operator = (source: Observable<R>): Observable<R> =>
    new Observable<R>((subscriber) => {
      try {
        const prepared = storage.prepare?.();
        if (prepared !== undefined) prepared.then(noop, (e: unknown) => subscriber.error(e));
      } catch (e: unknown) {
        subscriber.error(e);
        return;
      }
      const model = modelConfig();
      let best: CheckpointBest | undefined;
      let existingLayout: string | undefined;
      let layoutChecked = o.overwrite === true;
      // Writes run one after the other; the first one waits for what is already stored.
      let chain: Promise<unknown> = (async () => {
        const [bestText, mainText] = await Promise.all([
          keepBest && single === undefined ? storage.read('best.json') : undefined,
          storage.read(mainName),
        ]);
        if (mainText !== undefined) existingLayout = layoutOfText(mainText);
        if (bestText !== undefined) {
          try {
            const b = (JSON.parse(bestText) as Partial<CheckpointFile>).best;
            if (b != null && b.monitor === monitorName && b.mode === mode)
              best = { monitor: b.monitor, mode: b.mode, value: typeof b.value === 'number' ? b.value : Number(b.value), step: b.step };
          } catch {
            // an unreadable best.json is replaced by the next best
          }
        }
      })();
      chain.catch(noop);
      let lastWriteTime = clock();
      let last: R | undefined;
      let finalStep = -1;
      // The data cursor and step of the last record that was not final: a final record at a
      // later step with the same cursor re-evaluates a batch already trained on.
      let seenEpoch = -1;
      let seenBatch = -1;
      let seenStep = -1;
      const batchTrained = (r: R): boolean =>
        r.stopReason !== undefined && r.epoch === seenEpoch && r.batchIndex === seenBatch && r.step > seenStep;
      let seenBest = Number.NaN;
      let sourceDone = false;
      let pending = 0;

      const writeOne = async (
        file: CheckpointFile,
        step: number,
        value: number | undefined,
        layout: ParamLayout,
        loss: number | undefined,
        bestOnly: boolean,
      ): Promise<void> => {
        if (!layoutChecked) {
          layoutChecked = true;
          const mine = describeLayout(layout);
          if (existingLayout !== undefined && existingLayout !== mine) {
            throw new GradstreamError({
              code: 'invalid_config',
              path: storage.describe(mainName),
              expected: `a checkpoint of this model (${mine}) or none (pass overwrite: true to replace it)`,
              received: `a checkpoint of another model (${existingLayout})`,
            });
          }
        }
        const files: string[] = [];
        const improved =
          keepBest &&
          single === undefined &&
          value !== undefined &&
          !Number.isNaN(value) &&
          (best === undefined || better(value, best.value));
        if (bestOnly && !improved) return;
        if (improved) best = { monitor: monitorName, mode, value, step };
        if (best !== undefined && single === undefined)
          file.best = { monitor: best.monitor, mode: best.mode, value: encodeFloat(best.value), step: best.step };
        const text = JSON.stringify(file);
        if (single !== undefined) {
          await storage.write(single, text);
          files.push(storage.describe(single));
        } else if (bestOnly) {
          await storage.write('best.json', text);
          files.push(storage.describe('best.json'));
        } else {
          if (keepLast > 0) {
            const name = `step-${step}.json`;
            await storage.write(name, text);
            files.push(storage.describe(name));
          }
          await storage.write('last.json', text);
          files.push(storage.describe('last.json'));
          if (improved) {
            await storage.write('best.json', text);
            files.push(storage.describe('best.json'));
          }
          if (keepLast > 0) {
            const steps = (await storage.list())
              .map((n) => STEP_FILE.exec(n))
              .filter((m): m is RegExpExecArray => m !== null)
              .map((m) => Number(m[1]))
              .sort((a, b) => b - a);
            for (const s of steps.slice(keepLast)) await storage.remove(`step-${s}.json`);
          }
        }
        written.next({ path: storage.describe(bestOnly ? 'best.json' : mainName), files, step, loss });
      };

      const finishIfIdle = (): void => {
        if (sourceDone && pending === 0) subscriber.complete();
      };

      /** Encodes `r` now and queues its write (`best.json` alone, if `bestOnly` and improved); hands the write to `r.hold`. */
      const save = (r: R, bestOnly = false): void => {
        if (firstNonFinite(r.params.data) >= 0) return; // a diverged run: keep the last good checkpoint
        const rng = o.rng ?? r.rng;
        const file = encodeCheckpoint(r, {
          rng: rng?.getState(),
          model,
          state: collectState(o.state),
          scaler: o.scaler === undefined ? undefined : (JSON.parse(JSON.stringify(o.scaler.toJSON())) as JsonValue),
          config: o.config,
          dataSeed: o.dataSeed,
          batchTrained: batchTrained(r),
        });
        const value = monitor(r);
        const step = r.step;
        const loss = r.loss;
        const layout = r.params.layout;
        pending += 1;
        const job = chain.then(() => writeOne(file, step, value, layout, loss, bestOnly));
        chain = job;
        job.then(
          () => {
            pending -= 1;
            finishIfIdle();
          },
          (e: unknown) => subscriber.error(e),
        );
        r.hold(job);
      };

      const sub = source.pipe(untilUnsubscribed(subscriber)).subscribe({
        next(r) {
          last = r;
          const final = r.stopReason !== undefined;
          if (!final) {
            seenEpoch = r.epoch;
            seenBatch = r.batchIndex;
            seenStep = r.step;
          }
          let due = final;
          if (!due) {
            if (every !== undefined && r.step % every === 0) due = true;
            else if (everyEpochs !== undefined && r.epochEnd && (r.epoch + 1) % everyEpochs === 0) due = true;
            else if (everyMs !== undefined && clock() - lastWriteTime >= everyMs) due = true;
          }
          if (due) {
            try {
              save(r);
            } catch (e: unknown) {
              subscriber.error(e);
              return;
            }
            if (final) finalStep = r.step;
            if (everyMs !== undefined) lastWriteTime = clock();
          } else if (bestAtEpochEnd && r.epochEnd) {
            // this run's best so far, known here, spares encoding records that cannot be better
            const v = monitor(r);
            if (v !== undefined && !Number.isNaN(v) && (Number.isNaN(seenBest) || better(v, seenBest))) {
              seenBest = v;
              try {
                save(r, true);
              } catch (e: unknown) {
                subscriber.error(e);
                return;
              }
            }
          }
          subscriber.next(r);
        },
        error: (e: unknown) => subscriber.error(e),
        complete: () => {
          sourceDone = true;
          finishIfIdle();
        },
      });
      return () => {
        sub.unsubscribe();
        // Downstream ended the run (earlyStopping after this sink): the last record is final now.
        if (last !== undefined && last.stopReason !== undefined && finalStep !== last.step) {
          finalStep = last.step;
          try {
            save(last);
          } catch (e: unknown) {
            last.hold(Promise.reject(e)); // the subscriber is closed: the run reports it
          }
        }
      };
    });
  return Object.assign(operator as RecordOperator<R>, { written$: written.asObservable() });
}
