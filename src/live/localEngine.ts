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
import { createStepState, type EngineCallbacks, type TrainingEngine } from './trainingEngine.js';

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
  const pause$ = new BehaviorSubject<boolean>(false);
  const pending: { cell: HyperParam; value: number }[] = [];
  let stopRequested = false;
  const stop$ = new ReplaySubject<true>(1);
  let subscription: Subscription | undefined;
  let lastRecord: StepRecord | undefined;
  const s = createStepState(o.step ?? 0);
  const writtenSubs: Subscription[] = [];

  const head: MonoTypeOperatorFunction<StepRecord> = (source) =>
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

  const tail =
    (callbacks: EngineCallbacks): MonoTypeOperatorFunction<StepRecord> =>
    (source) =>
      new Observable<StepRecord>((subscriber) =>
        source.pipe(untilUnsubscribed(subscriber)).subscribe({
          next(r) {
            lastRecord = r;
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
            try {
              callbacks.step(s);
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

  return {
    start(callbacks) {
      for (const sink of o.sinks) {
        if (sink.written$ !== undefined) writtenSubs.push(sink.written$.subscribe((w) => callbacks.checkpoint(w)));
      }
      const pipeline = pipe(
        head,
        (src: Obs<StepRecord>) => o.before.reduce((acc, op) => op(acc), src),
        o.parallelStep ?? pipe(forward(o.model), loss(o.loss), gradient(o.model, o.loss), update(o.optimizer as GradientTransformation)),
        (src: Obs<StepRecord>) => o.sinks.reduce((acc, op) => op(acc), src),
        tail(callbacks),
      );
      const trainOptions: TrainOptions<StepRecord> = {
        params: o.params,
        data: o.data,
        pipeline,
        scheduler: o.scheduler,
        pause: pause$,
        stop: stop$,
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
      const end = (): void => {
        const r = lastRecord;
        callbacks.end(
          Object.freeze({
            stopReason: r?.stopReason ?? (stopRequested ? 'stopped' : undefined),
            step: r?.step ?? s.step,
            loss: r?.loss ?? Number.NaN,
            params: cloneParams(r?.params ?? o.params),
          }),
        );
      };
      subscription = train(trainOptions).subscribe({
        error: (e: unknown) => callbacks.error(e),
        complete: end,
      });
    },
    setPaused(paused) {
      if (pause$.value !== paused) pause$.next(paused);
    },
    stop() {
      if (stopRequested) return;
      stopRequested = true;
      stop$.next(true);
    },
    setHyperParam(name, value) {
      const cell = o.hyperParams[name];
      if (cell !== undefined) pending.push({ cell, value });
    },
    dispose() {
      subscription?.unsubscribe();
      for (const w of writtenSubs) w.unsubscribe();
      writtenSubs.length = 0;
    },
  };
}
