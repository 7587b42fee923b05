import {
  BehaviorSubject,
  Observable,
  ReplaySubject,
  pipe,
  type MonoTypeOperatorFunction,
  type OperatorFunction,
  type Observable as Obs,
  type Subscription,
} from 'rxjs';
import type { HyperParam } from '../core/hyperParam.js';
import type { Loss } from '../core/loss.js';
import type { Model } from '../core/model.js';
import type { GradientTransformation, OptState } from '../core/optimizer.js';
import { cloneParams, type Params } from '../core/params.js';
import { forward } from '../ops/forward.js';
import { gradient } from '../ops/gradient.js';
import { loss } from '../ops/loss.js';
import { update } from '../ops/update.js';
import { untilUnsubscribed } from '../ops/untilUnsubscribed.js';
import type { BatchSource, DataCursor } from '../streams/batchSource.js';
import type { StepRecord, WithGrads } from '../streams/stepRecord.js';
import { train, type LoopScheduling, type TrainOptions } from '../streams/train.js';
import type { Rng } from '../core/rng.js';
import type { CheckpointInfo } from './training.js';
import { createStepState, type EngineCallbacks, type StepState, type TrainingEngine } from './trainingEngine.js';

/** A step operator given to `fit` as a sink; one with `written$` (a checkpoint) feeds `checkpoints$`. */
export type FitSink = MonoTypeOperatorFunction<StepRecord> & { readonly written$?: Obs<CheckpointInfo> };

/** What the local engine needs. */
export interface LocalEngineOptions {
  readonly model: Model;
  readonly loss: Loss;
  readonly optimizer: GradientTransformation<OptState[]> | GradientTransformation;
  readonly data: BatchSource;
  readonly params: Params;
  readonly before: readonly MonoTypeOperatorFunction<StepRecord>[];
  readonly sinks: readonly FitSink[];
  readonly hyperParams: Readonly<Record<string, HyperParam>>;
  readonly scheduler: LoopScheduling;
  readonly maxSteps?: number;
  readonly sliceMs?: number;
  readonly sliceSteps?: number;
  readonly signal?: AbortSignal;
  readonly clock?: () => number;
  readonly rng?: Rng;
  readonly step?: number;
  readonly optState?: OptState;
  readonly cursor?: DataCursor;
  /** Replaces forward → loss → gradient → update (the data-parallel `dataParallel(model, loss, optimizer, { workers })`). */
  readonly parallelStep?: OperatorFunction<StepRecord, StepRecord & WithGrads>;
}

/**
 * Runs `fit`'s loop in this thread with `train`: `before` → forward → loss → gradient → update →
 * `sinks`, between a head operator (writes pending hyperparameter values) and a tail operator (reports each record, completes after the final one).
 */
export function localEngine(o: LocalEngineOptions): TrainingEngine {
  return new LocalEngine(o);
}

/** The engine `localEngine` makes: its controls, the step state it reports, the run's subscription. */
class LocalEngine implements TrainingEngine {
  private readonly pause$ = new BehaviorSubject<boolean>(false);
  /** Hyperparameter values written at the next step's head. */
  private readonly pending: { cell: HyperParam; value: number }[] = [];
  private stopRequested = false;
  private readonly stop$ = new ReplaySubject<true>(1);
  private subscription: Subscription | undefined;
  private lastRecord: StepRecord | undefined;
  private readonly s: StepState;
  private readonly writtenSubs: Subscription[] = [];

  constructor(private readonly o: LocalEngineOptions) {
    this.s = createStepState(o.step ?? 0);
  }

  start(callbacks: EngineCallbacks): void {
    const o = this.o;
    for (const sink of o.sinks) {
      if (sink.written$ !== undefined) this.writtenSubs.push(sink.written$.subscribe((w) => callbacks.checkpoint(w)));
    }
    const pipeline = pipe(
      this.head(),
      (src: Obs<StepRecord>) => o.before.reduce((acc, op) => op(acc), src),
      o.parallelStep ?? pipe(forward(o.model), loss(o.loss), gradient(o.model, o.loss), update(o.optimizer as GradientTransformation)),
      (src: Obs<StepRecord>) => o.sinks.reduce((acc, op) => op(acc), src),
      this.tail(callbacks),
    );
    this.subscription = train(this.trainOptions(pipeline)).subscribe({
      error: (e: unknown) => callbacks.error(e),
      complete: () => this.end(callbacks),
    });
  }

  setPaused(paused: boolean): void {
    if (this.pause$.value !== paused) this.pause$.next(paused);
  }

  stop(): void {
    if (this.stopRequested) return;
    this.stopRequested = true;
    this.stop$.next(true);
  }

  setHyperParam(name: string, value: number): void {
    const cell = this.o.hyperParams[name];
    if (cell !== undefined) this.pending.push({ cell, value });
  }

  dispose(): void {
    this.subscription?.unsubscribe();
    for (const w of this.writtenSubs) w.unsubscribe();
    this.writtenSubs.length = 0;
  }

  private trainOptions(pipeline: OperatorFunction<StepRecord, StepRecord>): TrainOptions<StepRecord> {
    const o = this.o;
    return {
      params: o.params,
      data: o.data,
      pipeline,
      scheduler: o.scheduler,
      pause: this.pause$,
      stop: this.stop$,
      ...(o.maxSteps === undefined ? {} : { maxSteps: o.maxSteps }),
      ...(o.sliceMs === undefined ? {} : { sliceMs: o.sliceMs }),
      ...(o.sliceSteps === undefined ? {} : { sliceSteps: o.sliceSteps }),
      ...(o.signal === undefined ? {} : { signal: o.signal }),
      ...(o.clock === undefined ? {} : { clock: o.clock }),
      ...(o.rng === undefined ? {} : { rng: o.rng }),
      ...(o.step === undefined ? {} : { step: o.step }),
      ...(o.optState === undefined ? {} : { optState: o.optState }),
      ...(o.cursor === undefined ? {} : { cursor: o.cursor }),
    };
  }

  /** Reports the run's end: the last record's stop reason, step, loss and weights. */
  private end(callbacks: EngineCallbacks): void {
    const r = this.lastRecord;
    callbacks.end(
      Object.freeze({
        stopReason: r?.stopReason ?? (this.stopRequested ? 'stopped' : undefined),
        step: r?.step ?? this.s.step,
        loss: r?.loss ?? Number.NaN,
        params: cloneParams(r?.params ?? this.o.params),
      }),
    );
  }

  /** The head operator: writes the pending hyperparameter values before each step. */
  private head(): MonoTypeOperatorFunction<StepRecord> {
    const pending = this.pending;
    return (source) =>
      new Observable<StepRecord>((subscriber) =>
        source.pipe(untilUnsubscribed(subscriber)).subscribe({
          next(r) {
            for (let i = 0; i < pending.length; i++) pending[i]!.cell.value = pending[i]!.value;
            if (pending.length > 0) pending.length = 0;
            subscriber.next(r);
          },
          error: (e: unknown) => subscriber.error(e),
          complete: () => subscriber.complete(),
        }),
      );
  }

  /** The tail operator: reports each record to `callbacks.step`, completes after the final one. */
  private tail(callbacks: EngineCallbacks): MonoTypeOperatorFunction<StepRecord> {
    return (source) =>
      new Observable<StepRecord>((subscriber) =>
        source.pipe(untilUnsubscribed(subscriber)).subscribe({
          next: (r) => {
            this.record(r);
            try {
              callbacks.step(this.s);
            } catch (e: unknown) {
              subscriber.error(e);
              return;
            }
            subscriber.next(r);
            if (r.stopReason !== undefined) subscriber.complete();
          },
          error: (e: unknown) => subscriber.error(e),
          complete: () => subscriber.complete(),
        }),
      );
  }

  /** Copies a record's scalars into the step state (filled in place). */
  private record(r: StepRecord): void {
    const s = this.s;
    this.lastRecord = r;
    s.step = r.step;
    s.epoch = r.epoch;
    s.batchIndex = r.batchIndex;
    s.epochEnd = r.epochEnd;
    s.loss = r.loss ?? Number.NaN;
    const extra = r as StepRecord & { valLoss?: unknown; epochLoss?: unknown; drift?: unknown };
    s.epochLoss = typeof extra.epochLoss === 'number' ? extra.epochLoss : undefined;
    s.valLoss = typeof extra.valLoss === 'number' ? extra.valLoss : undefined;
    s.drift = extra.drift === true;
    s.lr = r.lr;
    s.stopReason = r.stopReason;
  }
}
