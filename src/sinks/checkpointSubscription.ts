import type { Observable, Subscriber, Subscription } from 'rxjs';
import { GradstreamError } from '../core/errors.js';
import { isHyperParam } from '../core/hyperParam.js';
import type { OptState } from '../core/optimizer.js';
import type { ParamLayout } from '../core/params.js';
import { untilUnsubscribed } from '../ops/untilUnsubscribed.js';
import type { CheckpointFile, JsonValue } from '../schemas/checkpoint.js';
import type { ModelConfig } from '../schemas/modelConfig.js';
import type { Stateful } from '../schemas/sinkOptions.js';
import type { StepRecord } from '../streams/stepRecord.js';
import { encodeCheckpoint, encodeFloat, firstNonFinite, type CheckpointBest } from './checkpointCodec.js';
import type { CheckpointPlan } from './checkpointPlan.js';

const STEP_FILE = /^step-(\d+)\.json$/;

const noop = (): void => {};

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

/** One checkpoint to write: the encoded record and what the write needs to know of it. */
interface Job {
  readonly file: CheckpointFile;
  readonly step: number;
  readonly value: number | undefined;
  readonly layout: ParamLayout;
  readonly loss: number | undefined;
  readonly bestOnly: boolean;
}

/**
 * One subscription of a `checkpointTo` sink: passes records through, encodes the due ones and
 * writes them one after the other (the first write waits for what is already stored).
 */
export class CheckpointSubscription<R extends StepRecord> {
  private readonly model: ModelConfig | undefined;
  private best: CheckpointBest | undefined;
  private existingLayout: string | undefined;
  private layoutChecked: boolean;
  /** The writes, chained: each starts when the one before has landed. */
  private chain: Promise<unknown>;
  private lastWriteTime: number;
  private last: R | undefined;
  private finalStep = -1;
  // The data cursor and step of the last record that was not final: a final record at a
  // later step with the same cursor re-evaluates a batch already trained on.
  private seenEpoch = -1;
  private seenBatch = -1;
  private seenStep = -1;
  /** This run's best monitored value so far (`bestAt: 'epochEnd'`). */
  private seenBest = Number.NaN;
  private sourceDone = false;
  private pending = 0;
  private sub: Subscription | undefined;

  /** Checks the storage (`prepare`) and starts reading what it holds; `closed` when `prepare` threw. */
  readonly closed: boolean = false;

  constructor(
    private readonly plan: CheckpointPlan,
    private readonly subscriber: Subscriber<R>,
  ) {
    try {
      const prepared = plan.storage.prepare?.();
      if (prepared !== undefined) prepared.then(noop, (e: unknown) => subscriber.error(e));
    } catch (e: unknown) {
      subscriber.error(e);
      this.closed = true;
    }
    this.model = this.closed ? undefined : plan.modelConfig();
    this.layoutChecked = plan.options.overwrite === true;
    this.chain = this.closed ? Promise.resolve() : this.readExisting();
    this.chain.catch(noop);
    this.lastWriteTime = this.closed ? 0 : plan.clock();
  }

  /** Subscribes to `source`; returns the teardown. */
  subscribe(source: Observable<R>): () => void {
    this.sub = source.pipe(untilUnsubscribed(this.subscriber)).subscribe({
      next: (r) => this.next(r),
      error: (e: unknown) => this.subscriber.error(e),
      complete: () => {
        this.sourceDone = true;
        this.finishIfIdle();
      },
    });
    return () => this.teardown();
  }

  /** Reads the stored checkpoint's layout and the stored best (when it is of this monitor and mode). */
  private async readExisting(): Promise<void> {
    const { storage, keepBest, single, mainName, monitorName, mode } = this.plan;
    const [bestText, mainText] = await Promise.all([
      keepBest && single === undefined ? storage.read('best.json') : undefined,
      storage.read(mainName),
    ]);
    if (mainText !== undefined) this.existingLayout = layoutOfText(mainText);
    if (bestText === undefined) return;
    try {
      const b = (JSON.parse(bestText) as Partial<CheckpointFile>).best;
      if (b != null && b.monitor === monitorName && b.mode === mode)
        this.best = { monitor: b.monitor, mode: b.mode, value: typeof b.value === 'number' ? b.value : Number(b.value), step: b.step };
    } catch {
      // an unreadable best.json is replaced by the next best
    }
  }

  private next(r: R): void {
    this.last = r;
    const final = r.stopReason !== undefined;
    if (!final) {
      this.seenEpoch = r.epoch;
      this.seenBatch = r.batchIndex;
      this.seenStep = r.step;
    }
    if (final || this.plan.isDue(r, this.lastWriteTime)) {
      if (!this.trySave(r, false)) return;
      if (final) this.finalStep = r.step;
      if (this.plan.everyMs !== undefined) this.lastWriteTime = this.plan.clock();
    } else if (this.plan.bestAtEpochEnd && r.epochEnd) {
      // this run's best so far, known here, spares encoding records that cannot be better
      const v = this.plan.monitor(r);
      if (v !== undefined && !Number.isNaN(v) && (Number.isNaN(this.seenBest) || this.plan.better(v, this.seenBest))) {
        this.seenBest = v;
        if (!this.trySave(r, true)) return;
      }
    }
    this.subscriber.next(r);
  }

  /** `save`, an error thrown by it sent to the subscriber: false then. */
  private trySave(r: R, bestOnly: boolean): boolean {
    try {
      this.save(r, bestOnly);
      return true;
    } catch (e: unknown) {
      this.subscriber.error(e);
      return false;
    }
  }

  private teardown(): void {
    this.sub?.unsubscribe();
    // Downstream ended the run (earlyStopping after this sink): the last record is final now.
    const last = this.last;
    if (last !== undefined && last.stopReason !== undefined && this.finalStep !== last.step) {
      this.finalStep = last.step;
      try {
        this.save(last, false);
      } catch (e: unknown) {
        last.hold(Promise.reject(e)); // the subscriber is closed: the run reports it
      }
    }
  }

  private finishIfIdle(): void {
    if (this.sourceDone && this.pending === 0) this.subscriber.complete();
  }

  /** True for a final record that re-evaluates the batch the last non-final record trained on. */
  private batchTrained(r: R): boolean {
    return r.stopReason !== undefined && r.epoch === this.seenEpoch && r.batchIndex === this.seenBatch && r.step > this.seenStep;
  }

  /** Encodes `r` now and queues its write (`best.json` alone, if `bestOnly` and improved); hands the write to `r.hold`. */
  private save(r: R, bestOnly: boolean): void {
    if (firstNonFinite(r.params.data) >= 0) return; // a diverged run: keep the last good checkpoint
    const o = this.plan.options;
    const rng = o.rng ?? r.rng;
    const file = encodeCheckpoint(r, {
      rng: rng?.getState(),
      model: this.model,
      state: collectState(o.state),
      scaler: o.scaler === undefined ? undefined : (JSON.parse(JSON.stringify(o.scaler.toJSON())) as JsonValue),
      config: o.config,
      dataSeed: o.dataSeed,
      batchTrained: this.batchTrained(r),
    });
    const job: Job = { file, step: r.step, value: this.plan.monitor(r), layout: r.params.layout, loss: r.loss, bestOnly };
    this.pending += 1;
    const write = this.chain.then(() => this.writeOne(job));
    this.chain = write;
    write.then(
      () => {
        this.pending -= 1;
        this.finishIfIdle();
      },
      (e: unknown) => this.subscriber.error(e),
    );
    r.hold(write);
  }

  /** Refuses (once) to write over a checkpoint of another model, unless `overwrite`. */
  private checkLayout(layout: ParamLayout): void {
    if (this.layoutChecked) return;
    this.layoutChecked = true;
    const mine = describeLayout(layout);
    if (this.existingLayout !== undefined && this.existingLayout !== mine) {
      throw new GradstreamError({
        code: 'invalid_config',
        path: this.plan.storage.describe(this.plan.mainName),
        expected: `a checkpoint of this model (${mine}) or none (pass overwrite: true to replace it)`,
        received: `a checkpoint of another model (${this.existingLayout})`,
      });
    }
  }

  /** Writes one checkpoint's files and reports them on `written$`. */
  private async writeOne(job: Job): Promise<void> {
    this.checkLayout(job.layout);
    const { single, keepBest, mode, monitorName, storage, mainName } = this.plan;
    const { file, step, value, bestOnly } = job;
    const improved =
      keepBest &&
      single === undefined &&
      value !== undefined &&
      !Number.isNaN(value) &&
      (this.best === undefined || this.plan.better(value, this.best.value));
    if (bestOnly && !improved) return;
    if (improved) this.best = { monitor: monitorName, mode, value, step };
    const best = this.best;
    if (best !== undefined && single === undefined)
      file.best = { monitor: best.monitor, mode: best.mode, value: encodeFloat(best.value), step: best.step };
    const text = JSON.stringify(file);
    const files: string[] = [];
    if (single !== undefined) await this.writeFile(single, text, files);
    else if (bestOnly) await this.writeFile('best.json', text, files);
    else await this.writeFolder(step, text, improved, files);
    this.plan.written.next({ path: storage.describe(bestOnly ? 'best.json' : mainName), files, step, loss: job.loss });
  }

  private async writeFile(name: string, text: string, files: string[]): Promise<void> {
    await this.plan.storage.write(name, text);
    files.push(this.plan.storage.describe(name));
  }

  /** The folder layout: `step-<step>.json` (the newest `keepLast` kept), `last.json`, `best.json` when improved. */
  private async writeFolder(step: number, text: string, improved: boolean, files: string[]): Promise<void> {
    const { keepLast, storage } = this.plan;
    if (keepLast > 0) await this.writeFile(`step-${step}.json`, text, files);
    await this.writeFile('last.json', text, files);
    if (improved) await this.writeFile('best.json', text, files);
    if (keepLast <= 0) return;
    const steps = (await storage.list())
      .map((n) => STEP_FILE.exec(n))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => Number(m[1]))
      .sort((a, b) => b - a);
    for (const s of steps.slice(keepLast)) await storage.remove(`step-${s}.json`);
  }
}
