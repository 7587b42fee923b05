import { Observable, type Subscriber, type Unsubscribable } from 'rxjs';
import { GradstreamError, describeTyped } from '../core/errors.js';
import { cloneParams } from '../core/params.js';
import { NOT_READY, type BatchReader } from './batchSource.js';
import { HoldSet } from './holdSet.js';
import { PipelineEnd, type PipelineEnding } from './rxjsInternals.js';
import { SliceClock } from './sliceClock.js';
import { createStepRecord, type Batch, type StepRecord, type StopReason } from './stepRecord.js';
import type { LoopScheduling, TrainOptions } from './trainOptions.js';
import { yieldToEventLoop } from './yieldToEventLoop.js';

/** The states of a run's loop. */
const enum State {
  /** Stepping, inside a slice. */
  Running,
  /** Between slices: the next one is scheduled. */
  Yielded,
  /** The reader has no batch yet: its `whenReady` wakes the loop. */
  WaitingForData,
  /** The latest `pause` value was `true`: a `false` wakes the loop. */
  Paused,
  /** A sink's or operator's `record.hold` must settle before the next step. */
  Holding,
  /** No more steps: waiting for the pipeline to end and the holds to settle. */
  Ending,
  /** Finished: nothing runs any more. */
  Done,
}

const EMPTY_BATCH: Batch = Object.freeze({ x: new Float64Array(0), y: new Float64Array(0), size: 0 });

/**
 * One run of `train`: feeds the step record into the pipeline once per step, without recursion,
 * and moves between the {@link State}s. Made per subscription.
 */
export class TrainLoop<R> {
  private state = State.Running;
  private readonly mode: LoopScheduling;
  private readonly maxSteps: number;
  private readonly reader: BatchReader;
  private readonly readsDropped: boolean;
  private readonly readsRejected: boolean;
  private readonly slices: SliceClock;
  private readonly record: StepRecord;
  private readonly holds: HoldSet;
  /** The subscribers of the pipeline's input (a minimal multicast: a Subject wraps every `next`). */
  private readonly feeds: Subscriber<StepRecord>[] = [];
  private readonly subs: Unsubscribable[] = [];
  private inner: Unsubscribable | null = null;
  /**
   * Set when the loop may have to stop or wait before the next step (the subscriber or the
   * pipeline gone, a stop, a pause, an abort): the usual step tests this one flag instead of
   * each condition; {@link stepWithChecks} looks at them all and clears it when none holds.
   */
  private attention: boolean;
  /** Something other than a plain step happened (a hold, the pipeline's end): {@link afterStep} looks. */
  private interrupted = false;
  private paused = false;
  private stopRequested = false;
  private lastBatch: Batch | null = null;
  /** How the run ends, once known: the pipeline's own end or the first error. */
  private ending: PipelineEnding | null = null;
  /** The pipeline has completed or errored. */
  private pipelineEnded = false;
  private cancelScheduled: (() => void) | null = null;
  private readerClosed = false;

  constructor(
    private readonly options: TrainOptions<R>,
    private readonly outer: Subscriber<R>,
  ) {
    const mode = options.scheduler ?? 'sliced';
    this.mode = mode;
    this.maxSteps = options.maxSteps ?? Infinity;
    const clock = options.clock ?? (typeof mode === 'object' ? () => mode.now() : () => performance.now());
    const sliceSteps = options.sliceSteps ?? (typeof mode === 'object' ? 1 : Infinity);
    this.slices = new SliceClock(clock, options.sliceMs ?? 8, sliceSteps, mode === 'sliced');
    this.attention = options.signal?.aborted === true;
    this.reader = options.data.open(options.cursor);
    this.readsDropped = this.reader.dropped !== undefined;
    this.readsRejected = this.reader.rejected !== undefined;
    this.holds = new HoldSet(() => {
      this.interrupted = true;
    });
    // every field present from the start (createStepRecord), so the record keeps one hidden class
    this.record = createStepRecord(cloneParams(options.params), EMPTY_BATCH, {
      step: options.step ?? 0,
      optState: options.optState === undefined ? undefined : structuredClone(options.optState),
      rng: options.rng,
      hold: (work: PromiseLike<unknown>) => this.holds.add(work),
    });
  }

  /** Subscribes the pipeline and the controls, then starts stepping; returns the teardown. */
  start(): () => void {
    this.subscribePipeline();
    this.subscribeControls();
    if (this.state === State.Running) {
      if (this.mode === 'sync') this.runSync();
      else this.schedule();
    }
    return () => this.teardown();
  }

  private subscribePipeline(): void {
    const input = this.inputObservable();
    const piped: unknown = this.options.pipeline(input);
    if (piped === null || typeof piped !== 'object' || typeof (piped as { subscribe?: unknown }).subscribe !== 'function') {
      throw new GradstreamError({
        code: 'invalid_config',
        path: 'pipeline',
        expected: 'an operator that returns an Observable, e.g. pipe(forward(m), loss(l), gradient(m, l), update(opt))',
        received: `a function returning ${describeTyped(piped)}`,
      });
    }
    this.inner = (piped as Observable<R>).subscribe(new PipelineEnd(this.outer, (end) => this.pipelineEnd(end)));
  }

  /** The records' source: each subscriber is fed the record at every step. */
  private inputObservable(): Observable<StepRecord> {
    const feeds = this.feeds;
    return new Observable<StepRecord>((feed) => {
      feeds.push(feed);
      return () => {
        const i = feeds.indexOf(feed);
        if (i >= 0) feeds.splice(i, 1);
        this.attention = true;
      };
    });
  }

  private subscribeControls(): void {
    const { pause, stop, signal } = this.options;
    if (pause !== undefined) {
      this.subs.push(
        pause.subscribe({
          next: (p) => {
            this.paused = p;
            if (p) this.attention = true;
            else this.wake();
          },
          error: (e: unknown) => this.fail(e),
        }),
      );
    }
    if (stop !== undefined) {
      this.subs.push(
        stop.subscribe(() => {
          this.stopRequested = true;
          this.attention = true;
          this.wake();
        }),
      );
    }
    signal?.addEventListener('abort', this.onAbort);
  }

  private readonly onAbort = (): void => {
    this.attention = true;
    this.wake();
  };

  private teardown(): void {
    this.state = State.Done;
    this.attention = true;
    this.options.signal?.removeEventListener('abort', this.onAbort);
    for (const s of this.subs) s.unsubscribe();
    this.inner?.unsubscribe();
    this.release(); // after unsubscribing, a reader that fails to close has nobody left to tell
  }

  // --- stepping

  /**
   * One step; true to go on, false once the loop stops or waits. The usual step (nothing to stop
   * for, a batch at hand) is this short path, which V8 inlines into the slice's loop.
   */
  private step(): boolean {
    if (this.attention || this.record.step >= this.maxSteps) return this.stepWithChecks();
    const next = this.reader.next();
    // (`typeof`: a cheaper test than comparing an object with the symbol)
    if (next === null || typeof next === 'symbol') return this.stepAtEdge(next, undefined);
    return this.feedRead(next, undefined);
  }

  /** A step after something asked for attention: stop, pause, or read on. */
  private stepWithChecks(): boolean {
    if (this.outer.closed || this.pipelineEnded || this.feeds.length === 0) {
      this.stopLoop();
      return false;
    }
    let reason: StopReason | undefined;
    if (this.options.signal?.aborted === true) reason = 'aborted';
    else if (this.stopRequested) reason = 'stopped';
    else if (this.record.step >= this.maxSteps) reason = 'maxSteps';
    else if (this.paused) {
      this.state = State.Paused;
      return false;
    }
    // nothing to stop or wait for (a resume, a feed gone among several): back to the short path
    if (reason === undefined) this.attention = false;
    const next = this.reader.next();
    if (next === null || next === NOT_READY) return this.stepAtEdge(next, reason);
    return this.feedRead(next, reason);
  }

  /** The reader had no batch: wait for one, or end on a final record evaluated on the last batch. */
  private stepAtEdge(read: null | typeof NOT_READY, reason: StopReason | undefined): boolean {
    if (read === NOT_READY && reason === undefined) {
      this.waitForData();
      return false;
    }
    if (this.lastBatch === null) {
      this.stopLoop(); // stopping before any step: nothing to report
      return false;
    }
    return this.feed(this.lastBatch, read === null ? (reason ?? 'dataEnd') : reason);
  }

  /** Feeds a batch just read, with the reader's position on the record. */
  private feedRead(batch: Batch, reason: StopReason | undefined): boolean {
    const c = this.reader.cursor();
    const record = this.record;
    record.epoch = c.epoch;
    record.batchIndex = c.batchIndex;
    record.epochEnd = c.epochEnd === true;
    if (this.readsDropped) record.dropped = this.reader.dropped!();
    if (this.readsRejected) record.rejected = this.reader.rejected!();
    return this.feed(batch, reason);
  }

  /** Feeds the record to the pipeline; true when the step was a usual one (updated, nothing else). */
  private feed(batch: Batch, reason: StopReason | undefined): boolean {
    const record = this.record;
    this.lastBatch = batch;
    record.batch = batch;
    if (reason !== undefined) record.stopReason = reason;
    const before = record.step;
    const feeds = this.feeds;
    for (let i = 0; i < feeds.length; i++) feeds[i]!.next(record);
    if (!this.interrupted && record.step !== before && record.stopReason === undefined && !this.outer.closed) return true;
    return this.afterStep(before);
  }

  /** After a step's feed: stop, wait for its holds, or check that its update was applied. */
  private afterStep(before: number): boolean {
    if (this.record.stopReason !== undefined || this.pipelineEnded || this.outer.closed || this.holds.failure !== null) {
      this.stopLoop();
      return false;
    }
    this.interrupted = false;
    if (this.holds.size > 0) {
      this.state = State.Holding;
      this.holds.drain(() => {
        if (this.state === State.Holding && this.afterStep(before)) this.proceed();
      });
      return false;
    }
    if (this.record.step === before) {
      this.stopLoop(noUpdateError(before), true);
      return false;
    }
    return true;
  }

  // --- running, yielding, waiting

  private runSlice(fresh: boolean): void {
    this.cancelScheduled = null;
    this.state = State.Running;
    const slices = this.slices;
    try {
      slices.enter(fresh);
      while (this.step()) {
        if (slices.tick()) {
          this.schedule();
          return;
        }
      }
    } catch (e: unknown) {
      this.fail(e);
    }
  }

  private runSync(): void {
    this.state = State.Running;
    try {
      while (this.step());
    } catch (e: unknown) {
      this.fail(e);
    }
  }

  private schedule(): void {
    this.state = State.Yielded;
    const mode = this.mode;
    if (typeof mode === 'object') {
      const sub = mode.schedule(() => this.runSlice(true));
      this.cancelScheduled = () => sub.unsubscribe();
    } else {
      this.slices.yielded();
      this.cancelScheduled = yieldToEventLoop(() => this.runSlice(true));
    }
  }

  private waitForData(): void {
    this.state = State.WaitingForData;
    const ready = this.reader.whenReady?.();
    if (ready === undefined) {
      this.stopLoop(
        new GradstreamError({
          code: 'invalid_state',
          path: 'data',
          expected: 'a reader that returns NOT_READY to implement whenReady()',
          received: 'no whenReady',
        }),
        true,
      );
      return;
    }
    ready.then(
      () => this.wake(),
      (e: unknown) => {
        if (this.isWaiting()) this.stopLoop(e, true);
      },
    );
  }

  private isWaiting(): boolean {
    const s = this.state;
    return s === State.Yielded || s === State.WaitingForData || s === State.Paused || s === State.Holding;
  }

  /** Continues a loop that waits for data or a resume (data arrived, resumed, aborted, stopped). */
  private wake(): void {
    if (this.state === State.WaitingForData || this.state === State.Paused) this.proceed();
  }

  /** Steps on: at once, in the rest of the current slice, or after a yield. */
  private proceed(): void {
    if (this.mode === 'sync') this.runSync();
    else if (typeof this.mode === 'object' || this.slices.expired()) this.schedule();
    else this.runSlice(false);
  }

  // --- ending

  private fail(e: unknown): void {
    this.stopLoop(e, true);
  }

  /** Stops stepping: the run ends as `error` (or normally), after the pipeline has finished its work. */
  private stopLoop(error?: unknown, hasError = false): void {
    if (hasError) this.ending ??= { error };
    for (const feed of this.feeds.slice()) feed.complete();
    this.settleThenFinish();
  }

  /** The pipeline's end (reported by its subscriber): the run finishes once the holds have settled. */
  private pipelineEnd(end: PipelineEnding): void {
    this.pipelineEnded = true;
    this.attention = true;
    this.interrupted = true;
    this.ending ??= end;
    if (this.state === State.Running) return; // the step in flight stops the loop (see `afterStep`)
    this.settleThenFinish();
  }

  /** Finishes once the pipeline has ended and every hold has settled. */
  private settleThenFinish(): void {
    if (this.state === State.Done) return;
    if (this.outer.closed) {
      this.state = State.Done;
      return;
    }
    this.state = State.Ending;
    if (!this.pipelineEnded) return; // `pipelineEnd` calls back when the pipeline ends
    this.holds.drain(() => this.finish());
  }

  /** Ends the run (once): releases the reader and completes or errors the subscriber. */
  private finish(): void {
    if (this.state === State.Done) return;
    this.state = State.Done;
    const closing = this.release();
    const end = (this.ending === 'complete' || this.ending === null ? this.holds.failure : this.ending) ?? closing;
    if (end !== null) this.outer.error(end.error);
    else this.outer.complete();
  }

  /** Stops what is scheduled and closes the reader — once per run, as its contract says; returns what `close` threw. */
  private release(): { error: unknown } | null {
    this.cancelScheduled?.();
    this.cancelScheduled = null;
    if (this.readerClosed) return null;
    this.readerClosed = true;
    try {
      this.reader.close?.();
      return null;
    } catch (e: unknown) {
      return { error: e };
    }
  }
}

function noUpdateError(step: number): GradstreamError {
  return new GradstreamError({
    code: 'invalid_state',
    path: 'pipeline',
    expected: 'every step to reach `update`, which applies it to the record the loop fed',
    received:
      `step ${step} came back without an update — the pipeline has no \`update\` operator, ` +
      'an operator before `update` dropped the record (filter, take, sampling), replaced it with a copy ' +
      '(`map((r) => ({ ...r }))`: mutate the record in place, keep copies with `snapshot()`), or delayed it ' +
      '(an asynchronous operator must `record.hold(promise)` until it has passed the record on)',
  });
}
