import { Observable, Subscriber, type Observer, type OperatorFunction, type SchedulerLike, type Subscription, type Unsubscribable } from 'rxjs';
import { GradstreamError, describeTyped } from '../core/errors.js';
import type { OptState } from '../core/optimizer.js';
import { cloneParams, type Params } from '../core/params.js';
import type { Rng } from '../core/rng.js';
import { NOT_READY, type BatchReader, type BatchSource, type DataCursor } from './batchSource.js';
import { createStepRecord, type Batch, type StepRecord, type StopReason } from './stepRecord.js';
import { checkTrainOptions } from './checkTrainOptions.js';
import { yieldToEventLoop } from './yieldToEventLoop.js';

/** How the loop runs: all at once, in time slices between event-loop turns, or on a scheduler. */
export type LoopScheduling = 'sync' | 'sliced' | SchedulerLike;

/** Options of {@link train}. */
export interface TrainOptions<R> {
  /** Initial weights. The run trains its own copy; these are never modified. */
  readonly params: Params;
  /** The mini-batches, one per step (in-memory, or asynchronous: the loop waits for data). */
  readonly data: BatchSource;
  /** What one step does, e.g. `pipe(forward(m), loss(l), gradient(m, l), update(opt), …sinks)`. */
  readonly pipeline: OperatorFunction<StepRecord, R>;
  /** Updates already applied to `params` (when resuming; default 0). */
  readonly step?: number;
  /** Optimizer state to resume from (copied); by default `update` initializes it. */
  readonly optState?: OptState;
  /** Where the data starts (when resuming): the first step reads the batch at this cursor. */
  readonly cursor?: DataCursor;
  /** Stop on the record of step `maxSteps`, without updating it (`stopReason: 'maxSteps'`). */
  readonly maxSteps?: number;
  /**
   * `'sync'` runs every step inside `subscribe` (fastest; blocks) — until the loop must wait for
   * data or a sink's `hold`, after which it continues asynchronously. `'sliced'` (the default)
   * runs steps for `sliceMs` at a time, then yields to the event loop. A `SchedulerLike` runs each
   * slice (by default one step) as an action on that scheduler.
   */
  readonly scheduler?: LoopScheduling;
  /**
   * Longest slice in milliseconds (default 8; `'sliced'` and schedulers). In `'sliced'` mode,
   * after a yield that found other work on the event loop (its continuation came more than
   * 0.5 ms late: I/O, timers), slices last `sliceMs / 4` for the next 100 ms, so a request
   * that needs several event-loop turns waits for short slices only.
   */
  readonly sliceMs?: number;
  /** Most steps per slice (default unlimited for `'sliced'`, 1 for a `SchedulerLike`). */
  readonly sliceSteps?: number;
  /** Aborting stops the loop at the next step boundary with a final record (`stopReason: 'aborted'`). */
  readonly signal?: AbortSignal;
  /** Milliseconds clock for slicing (default the scheduler's `now`, else `performance.now`). */
  readonly clock?: () => number;
  /**
   * The run's seeded generator, put on every record (`record.rng`): dropout masks and anything
   * random inside a step draw from it, and checkpoints save its state. Used as given (not copied).
   */
  readonly rng?: Rng;
  /**
   * While the latest value is `true` the loop stops at the next step boundary, reads no data and
   * runs no step; it continues when a `false` arrives. Nothing is dropped.
   */
  readonly pause?: Observable<boolean>;
  /** When this emits, the loop ends at the next step boundary with a final record (`stopReason: 'stopped'`). */
  readonly stop?: Observable<unknown>;
}

/**
 * The loop driver: feeds the step record into `pipeline` once per step and loops the weights
 * that `update` wrote back into it, without recursion (stack-safe for any number of steps).
 *
 * The driver counts the steps: a step whose record does not come back updated (no `update` in the
 * pipeline, a `filter` before it, a copied record) errors the run at once with a
 * `GradstreamError` naming the likely cause, instead of spinning. It waits without spinning when
 * an asynchronous source has no batch yet (`NOT_READY`) and when a sink holds the loop
 * (`record.hold(promise)`), while paused, and until every hold has settled before it completes.
 *
 * Emits what the pipeline emits. Completes when the pipeline completes (early stopping, `take`),
 * after the final record of `maxSteps`, an abort, a stop or the end of the data; errors when the
 * pipeline, the data or a hold errors. Unsubscribing stops it at the next step boundary. A
 * subscriber whose own `next` throws stops the run at once; the error is reported once, the RxJS
 * way (`config.onUnhandledError`, else thrown asynchronously).
 *
 * @example
 * import { pipe } from 'rxjs';
 * import { dense, forward, fullBatch, gradient, loss, mse, sequential, sgd, train, update, createRng } from 'gradstream';
 * const model = sequential([dense(4, 4, { bias: false })]);
 * const l = mse();
 * train({
 *   params: model.init(createRng(1)),
 *   data: fullBatch([[1, 2, 3, 4]], [[2, 3, 4, 5]]),
 *   pipeline: pipe(forward(model), loss(l), gradient(model, l), update(sgd({ lr: 0.01 }))),
 *   maxSteps: 100,
 * }).subscribe((r) => console.log(r.step, r.loss));
 */
export function train<R>(options: TrainOptions<R>): Observable<R> {
  checkTrainOptions(options);
  return new Run<R>((outer) => runLoop(options, outer));
}

/** A yield whose continuation ran later than this (ms) found the event loop busy. */
const BUSY_GAP_MS = 0.5;
/** How long (ms) after a busy yield the slices stay short. */
const BUSY_HOLD_MS = 100;

/** The phases of a run's loop. */
const enum Phase {
  /** Stepping (inside a slice). */
  Running,
  /** Waiting for data, a hold, or a resume; `wake` continues. */
  Waiting,
  /** No more steps: waiting for the pipeline to end and the holds to settle. */
  Stopping,
  /** Finished: nothing runs any more. */
  Done,
}

function runLoop<R>(options: TrainOptions<R>, outer: Subscriber<R>): () => void {
  const mode = options.scheduler ?? 'sliced';
  const maxSteps = options.maxSteps ?? Infinity;
  const sliceMs = options.sliceMs ?? 8;
  const sliceSteps = options.sliceSteps ?? (typeof mode === 'object' ? 1 : Infinity);
  const clock = options.clock ?? (typeof mode === 'object' ? () => mode.now() : () => performance.now());
  const signal = options.signal;
  const reader: BatchReader = options.data.open(options.cursor);

  // The records' source: a minimal multicast (a Subject wraps every `next` in a closure).
  const feeds: Subscriber<StepRecord>[] = [];
  const input = new Observable<StepRecord>((feed) => {
    feeds.push(feed);
    return () => {
      const i = feeds.indexOf(feed);
      if (i >= 0) feeds.splice(i, 1);
      attention = true;
    };
  });

  let phase = Phase.Running;
  /** Holds not yet settled (a sink's write, an asynchronous operator). */
  const holds = new Set<PromiseLike<unknown>>();
  let holdError: { error: unknown } | null = null;
  let waitingForHolds = false;
  /** Something other than a plain step happened (a hold, the pipeline's end): `afterStep` looks. */
  let interrupted = false;
  let lastBatch: Batch | null = null;
  let paused = false;
  let stopRequested = false;
  /**
   * Set when the loop may have to stop or wait before the next step (the subscriber or the
   * pipeline gone, a stop, a pause, an abort): the usual step tests this one flag instead of
   * each condition; {@link stepInFull} looks at them all and clears it when none holds.
   */
  let attention = signal?.aborted === true;
  /** How the run ends, once known: the pipeline's own end or the first error. */
  let ending: { error: unknown } | 'complete' | null = null;
  /** The pipeline has completed or errored (its end reached `endWith`). */
  let pipelineEnded = false;
  let cancelScheduled: (() => void) | null = null;
  const subs: Unsubscribable[] = [];

  // every field present from the start (createStepRecord), so the record keeps one hidden class
  const record: StepRecord = createStepRecord(cloneParams(options.params), EMPTY_BATCH, {
    step: options.step ?? 0,
    optState: options.optState === undefined ? undefined : structuredClone(options.optState),
    rng: options.rng,
    hold: (work: PromiseLike<unknown>) => {
      if (work === null || typeof work !== 'object' || typeof (work as { then?: unknown }).then !== 'function') {
        throw new GradstreamError({ code: 'invalid_value', path: 'record.hold', expected: 'a promise', received: describeTyped(work) });
      }
      holds.add(work);
      interrupted = true;
      work.then(
        () => holds.delete(work),
        (e: unknown) => {
          holds.delete(work);
          holdError ??= { error: e };
          interrupted = true;
        },
      );
    },
  });

  /** Calls `then` once every hold (including holds added meanwhile) has settled. */
  const drainHolds = (then: () => void): void => {
    if (holds.size === 0) {
      then();
      return;
    }
    Promise.allSettled([...holds]).then(() => drainHolds(then));
  };

  let readerClosed = false;
  /** Stops what is scheduled and closes the reader — once per run, as its contract says; returns what `close` threw. */
  const release = (): { error: unknown } | null => {
    cancelScheduled?.();
    cancelScheduled = null;
    if (readerClosed) return null;
    readerClosed = true;
    try {
      reader.close?.();
      return null;
    } catch (e: unknown) {
      return { error: e };
    }
  };

  /** Ends the run (once): releases the reader and completes or errors the subscriber. */
  const finish = (): void => {
    if (phase === Phase.Done) return;
    phase = Phase.Done;
    const closing = release();
    const end = (ending === 'complete' || ending === null ? holdError : ending) ?? closing;
    if (end !== null) outer.error(end.error);
    else outer.complete();
  };

  /** Finishes once the pipeline has ended and every hold has settled. */
  const settleThenFinish = (): void => {
    if (phase === Phase.Done) return;
    if (outer.closed) {
      phase = Phase.Done;
      return;
    }
    phase = Phase.Stopping;
    if (!pipelineEnded) return; // `endWith` calls back when the pipeline ends
    drainHolds(finish);
  };

  /** Stops stepping: the run ends as `error` (or normally), after the pipeline has finished its work. */
  const stopLoop = (error?: unknown, hasError = false): void => {
    if (hasError) ending ??= { error };
    completeFeeds();
    settleThenFinish();
  };

  // The pipeline delivers to the subscriber; its end waits for the holds of the last step.
  const endWith = (end: { error: unknown } | 'complete'): void => {
    pipelineEnded = true;
    attention = true;
    interrupted = true;
    ending ??= end;
    if (phase === Phase.Running) return; // the step in flight stops the loop (see `afterStep`)
    settleThenFinish();
  };
  const piped: unknown = options.pipeline(input);
  if (piped === null || typeof piped !== 'object' || typeof (piped as { subscribe?: unknown }).subscribe !== 'function') {
    throw new GradstreamError({ code: 'invalid_config', path: 'pipeline', expected: 'an operator that returns an Observable, e.g. pipe(forward(m), loss(l), gradient(m, l), update(opt))', received: `a function returning ${describeTyped(piped)}` });
  }
  const inner = (piped as Observable<R>).subscribe(new PipelineEnd(outer, endWith));

  const completeFeeds = (): void => {
    for (const feed of feeds.slice()) feed.complete();
  };

  const readsDropped = reader.dropped !== undefined;

  /**
   * Runs one step. Returns `true` to go on, `false` once the loop stops or waits. The usual step
   * (nothing to stop for, a batch at hand) is this short path, small enough for V8 to inline into
   * the loop; everything else goes through {@link stepInFull}.
   */
  const stepOnce = (): boolean => {
    if (attention || record.step >= maxSteps) return stepInFull(UNREAD);
    const next = reader.next();
    // (`typeof`: a cheaper test than comparing an object with the symbol)
    if (next === null || typeof next === 'symbol') return stepInFull(next);
    const c = reader.cursor();
    record.epoch = c.epoch;
    record.batchIndex = c.batchIndex;
    record.epochEnd = c.epochEnd === true;
    if (readsDropped) record.dropped = reader.dropped!();
    lastBatch = next;
    record.batch = next;
    const before = record.step;
    for (let i = 0; i < feeds.length; i++) feeds[i]!.next(record);
    // the usual step: updated, not final, nothing held
    if (!interrupted && record.step !== before && record.stopReason === undefined && !outer.closed) return true;
    return afterStep(before);
  };

  /** A step in every case (`read`: what `reader.next()` returned, or UNREAD when not called yet). */
  const stepInFull = (read: Batch | null | typeof NOT_READY | typeof UNREAD): boolean => {
    let reason: StopReason | undefined;
    // (a batch already read: `stepOnce` found nothing to stop for before reading it)
    if (read === UNREAD) {
      if (outer.closed || pipelineEnded || feeds.length === 0) {
        stopLoop();
        return false;
      }
      if (signal?.aborted === true) reason = 'aborted';
      else if (stopRequested) reason = 'stopped';
      else if (record.step >= maxSteps) reason = 'maxSteps';
      else if (paused) {
        phase = Phase.Waiting;
        return false;
      }
      // nothing to stop or wait for (a resume, a feed gone among several): back to the short path
      if (reason === undefined) attention = false;
    }
    let next = read === UNREAD ? reader.next() : read;
    if (next === NOT_READY) {
      if (reason === undefined) {
        waitForData();
        return false;
      }
      if (lastBatch === null) {
        stopLoop(); // stopping before any step: nothing to report
        return false;
      }
      next = lastBatch; // a final record while the source is idle: evaluated on the last batch
    } else if (next === null) {
      if (lastBatch === null) {
        stopLoop();
        return false;
      }
      next = lastBatch;
      reason ??= 'dataEnd';
    } else {
      const c = reader.cursor();
      record.epoch = c.epoch;
      record.batchIndex = c.batchIndex;
      record.epochEnd = c.epochEnd === true;
      if (readsDropped) record.dropped = reader.dropped!();
    }
    lastBatch = next;
    record.batch = next;
    if (reason !== undefined) record.stopReason = reason;
    const before = record.step;
    for (let i = 0; i < feeds.length; i++) feeds[i]!.next(record);
    // the usual step: updated, not final, nothing held
    if (!interrupted && record.step !== before && record.stopReason === undefined && !outer.closed) return true;
    return afterStep(before);
  };

  /** After a step's feed: stop, wait for its holds, or check that its update was applied. */
  const afterStep = (before: number): boolean => {
    if (record.stopReason !== undefined || pipelineEnded || outer.closed || holdError !== null) {
      stopLoop();
      return false;
    }
    interrupted = false;
    if (holds.size > 0) {
      phase = Phase.Waiting;
      waitingForHolds = true;
      drainHolds(() => {
        waitingForHolds = false;
        if (phase !== Phase.Waiting) return;
        if (afterStep(before)) wake();
      });
      return false;
    }
    if (record.step === before) {
      stopLoop(noUpdateError(before), true);
      return false;
    }
    return true;
  };

  const waitForData = (): void => {
    phase = Phase.Waiting;
    const ready = reader.whenReady?.();
    if (ready === undefined) {
      stopLoop(new GradstreamError({ code: 'invalid_state', path: 'data', expected: 'a reader that returns NOT_READY to implement whenReady()', received: 'no whenReady' }), true);
      return;
    }
    ready.then(
      () => wake(),
      (e: unknown) => {
        if (phase === Phase.Waiting) stopLoop(e, true);
      },
    );
  };

  // Reading the clock costs about as much as a small step (`performance.now()`: ~50 ns here), so a
  // slice reads it every `stride` steps: about 1/16 of a slice at the pace measured so far in this
  // slice, or 1/16 of the steps the previous slice managed (a slice overshoots by at most ~1/16).
  let stride = 1;
  let sliceStart = 0;
  let sliceCount = 0;
  // Adaptive slices ('sliced' mode): a yield whose continuation came late found other work on the
  // event loop (I/O, timers); an HTTP request needs a few turns (accept, read, respond), so for
  // BUSY_HOLD_MS after such a yield the slices last a quarter of `sliceMs`, then full again.
  let sliceLimit = sliceMs;
  let yieldedAt = Number.NaN;
  let busyUntil = -Infinity;
  const runSlice = (fresh: boolean): void => {
    cancelScheduled = null;
    phase = Phase.Running;
    try {
      if (fresh) {
        sliceStart = clock();
        sliceCount = 0;
        if (mode === 'sliced') {
          if (sliceStart - yieldedAt > BUSY_GAP_MS) busyUntil = sliceStart + BUSY_HOLD_MS;
          sliceLimit = sliceStart < busyUntil ? sliceMs / 4 : sliceMs;
        }
      }
      let check = sliceCount + stride;
      while (stepOnce()) {
        sliceCount += 1;
        if (sliceCount >= sliceSteps) {
          schedule();
          return;
        }
        if (sliceCount >= check) {
          const elapsed = clock() - sliceStart;
          if (elapsed >= sliceLimit) {
            stride = Math.max(1, Math.floor(sliceCount / 16));
            schedule();
            return;
          }
          // time is left: the next read after about 1/16 of the slice at this slice's pace
          stride = elapsed > 0 ? Math.max(1, Math.floor((sliceCount * sliceLimit) / (16 * elapsed))) : stride * 2;
          check = sliceCount + stride;
        }
      }
    } catch (e: unknown) {
      fail(e);
    }
  };

  const runSync = (): void => {
    phase = Phase.Running;
    try {
      while (stepOnce());
    } catch (e: unknown) {
      fail(e);
    }
  };

  const fail = (e: unknown): void => stopLoop(e, true);

  const schedule = (): void => {
    phase = Phase.Waiting;
    if (typeof mode === 'object') {
      const sub = mode.schedule(() => runSlice(true));
      cancelScheduled = () => sub.unsubscribe();
    } else {
      yieldedAt = clock();
      cancelScheduled = yieldToEventLoop(() => runSlice(true));
    }
  };

  /** Continues a waiting loop (data arrived, a hold settled, resumed, aborted, stopped). */
  const wake = (): void => {
    if (phase !== Phase.Waiting || cancelScheduled !== null || waitingForHolds) return;
    if (mode === 'sync') runSync();
    else if (typeof mode === 'object' || clock() - sliceStart >= sliceLimit) schedule();
    else runSlice(false);
  };

  if (options.pause !== undefined) {
    subs.push(
      options.pause.subscribe({
        next: (p) => {
          paused = p;
          if (p) attention = true;
          if (!p) wake();
        },
        error: (e: unknown) => fail(e),
      }),
    );
  }
  if (options.stop !== undefined) {
    subs.push(
      options.stop.subscribe(() => {
        stopRequested = true;
        attention = true;
        wake();
      }),
    );
  }
  const onAbort = (): void => {
    attention = true;
    wake();
  };
  signal?.addEventListener('abort', onAbort);

  if (phase === Phase.Running) {
    if (mode === 'sync') runSync();
    else schedule();
  }

  return () => {
    phase = Phase.Done;
    attention = true;
    signal?.removeEventListener('abort', onAbort);
    for (const s of subs) s.unsubscribe();
    inner.unsubscribe();
    release(); // after unsubscribing, a reader that fails to close has nobody left to tell
  };
}

const EMPTY_BATCH: Batch = Object.freeze({ x: new Float64Array(0), y: new Float64Array(0), size: 0 });

/** `stepInFull`'s argument when the step has not read its batch yet. */
const UNREAD: unique symbol = Symbol('unread');

/** Passes the pipeline's records straight to the run's subscriber and reports the pipeline's end. */
class PipelineEnd<R> extends Subscriber<R> {
  constructor(
    private readonly out: Subscriber<R>,
    private readonly onEnd: (end: { error: unknown } | 'complete') => void,
  ) {
    super(out);
  }

  // `next` itself (not `_next`): one call less per record; a stopped subscriber behaves as RxJS's.
  override next(value: R): void {
    if (this.isStopped) this.nextWhenStopped(value);
    else this.out.next(value);
  }

  /** RxJS's `next` of a stopped subscriber (out of `next`, which stays small enough to inline into the step). */
  private nextWhenStopped(value: R): void {
    super.next(value);
  }

  protected override _error(error: unknown): void {
    this.unsubscribe();
    this.onEnd({ error });
  }

  protected override _complete(): void {
    this.unsubscribe();
    this.onEnd('complete');
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

/**
 * The Observable `train` returns: a subscriber whose own `next` throws stops the run at once
 * (the error is then reported once by RxJS, as for any consumer), also through `pipe`.
 */
class Run<T> extends Observable<T> {
  // `lift` is how every RxJS operator builds its Observable: piping a run keeps the guard.
  override lift<U>(operator?: Parameters<Observable<T>['lift']>[0]): Observable<U> {
    const observable = new Run<U>();
    observable.source = this;
    observable.operator = operator as never;
    return observable;
  }

  override subscribe(
    observerOrNext?: Partial<Observer<T>> | ((value: T) => void) | null,
    error?: ((e: unknown) => void) | null,
    complete?: (() => void) | null,
  ): Subscription {
    if (observerOrNext instanceof Subscriber) return super.subscribe(observerOrNext);
    const observer: Partial<Observer<T>> =
      typeof observerOrNext === 'function'
        ? { next: observerOrNext, ...(error == null ? {} : { error }), ...(complete == null ? {} : { complete }) }
        : (observerOrNext ?? {});
    const next = observer.next;
    if (next === undefined) return super.subscribe(observer);
    const ends: Subscriber<T> = Subscriber.create<T>(
      undefined,
      observer.error === undefined ? undefined : (e: unknown) => observer.error!.call(observer, e),
      observer.complete === undefined ? undefined : () => observer.complete!.call(observer),
    );
    return super.subscribe(new GuardedSubscriber<T>(observer, next, ends));
  }
}

/**
 * The run's subscriber for an observer with `next`: calls that `next` directly (no wrapper chain
 * per record); when it throws, unsubscribes (which stops the run) and reports the error as RxJS
 * reports an error thrown by a consumer. Errors and completion go to `ends` (RxJS's own subscriber).
 */
class GuardedSubscriber<T> extends Subscriber<T> {
  constructor(
    private readonly observer: Partial<Observer<T>>,
    private readonly onNext: (value: T) => void,
    ends: Subscriber<T>,
  ) {
    super(ends);
  }

  override next(value: T): void {
    if (this.isStopped) {
      this.nextWhenStopped(value);
      return;
    }
    try {
      this.onNext.call(this.observer, value);
    } catch (e: unknown) {
      this.consumerThrew(e);
    }
  }

  // The rare paths out of `next`, which stays small enough for V8 to inline into the step.
  private nextWhenStopped(value: T): void {
    super.next(value);
  }

  private consumerThrew(e: unknown): void {
    this.unsubscribe();
    reportConsumerError(e);
  }
}

/** Reports `e` the way RxJS reports an error thrown by a consumer's `next` (its own subscriber does it). */
function reportConsumerError(e: unknown): void {
  Subscriber.create<unknown>(() => {
    throw e;
  }).next(undefined);
}
