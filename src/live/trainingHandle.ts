import { Observable, Subject, observable, type Subscriber } from 'rxjs';
import { GradstreamError } from '../core/errors.js';
import { setHyperParam, type HyperParam } from '../core/hyperParam.js';
import type {
  CheckpointInfo,
  EpochView,
  PauseSource,
  StepView,
  StepsIteratorOptions,
  Training,
  TrainingEvent,
  TrainingResult,
  TrainingSnapshot,
  TrainingStatus,
} from './training.js';
import { createStepState, type EngineCallbacks, type StepState, type TrainingEngine } from './trainingEngine.js';
import { stepsIterator } from './stepsIterator.js';

/** Options of {@link createTraining}. */
export interface TrainingHandleOptions {
  /** The step the run starts at. */
  readonly step: number;
  /** Live hyperparameters by name (their bounds check `set`). */
  readonly hyperParams: Readonly<Record<string, HyperParam>>;
  /** Milliseconds clock (default `performance.now`). */
  readonly clock?: () => number;
}

/**
 * Builds the {@link Training} handle around an engine that runs the loop. The handle owns the
 * multicast streams, the lifecycle, pausing (user and backpressure holds) and the live
 * hyperparameters; the engine only steps.
 */
export function createTraining(engine: TrainingEngine, options: TrainingHandleOptions): Training {
  const clock = options.clock ?? (() => performance.now());
  const cells = options.hyperParams;
  const hyper: Record<string, number> = {};
  for (const name of Object.keys(cells)) hyper[name] = cells[name]!.value;

  const stepsSubject = new Subject<StepView>();
  const lossSubject = new Subject<number>();
  const valLossSubject = new Subject<number>();
  const epochsSubject = new Subject<EpochView>();
  const checkpointsSubject = new Subject<CheckpointInfo>();
  const eventsSubject = new Subject<TrainingEvent>();
  const dataSubjects: Subject<unknown>[] = [
    stepsSubject,
    lossSubject,
    valLossSubject,
    epochsSubject,
    checkpointsSubject,
  ] as Subject<unknown>[];

  const state: StepState = createStepState(options.step);
  const startStep = options.step;
  let hasLoss = false;
  let lastValLoss: number | undefined;
  let lastEpoch = Number.NaN;
  let status: TrainingStatus = 'idle';
  let started = false;
  let startedBySubscription = false;
  let startTime = Number.NaN;
  let pausedSince = Number.NaN;
  let pausedTotal = 0;
  let endTime = Number.NaN;
  let userPaused = false;
  let holds = 0;
  let enginePaused = false;
  let stopRequested = false;
  let subscribers = 0;
  let autoStartQueued = false;
  let result: TrainingResult | undefined;
  let failure: unknown;
  let failed = false;
  const waiters: { resolve: (r: TrainingResult) => void; reject: (e: unknown) => void }[] = [];

  const now = (): number => (started ? (Number.isNaN(endTime) ? clock() : endTime) - startTime : 0);

  const settle = (): void => {
    for (const w of waiters.splice(0)) {
      if (failed) w.reject(failure);
      else w.resolve(result!);
    }
  };

  const applyPause = (): void => {
    if (status !== 'running' && status !== 'paused') return;
    const effective = (userPaused || holds > 0) && !stopRequested;
    if (effective === enginePaused) return;
    enginePaused = effective;
    if (effective) {
      pausedSince = clock();
      status = 'paused';
    } else {
      if (!Number.isNaN(pausedSince)) pausedTotal += clock() - pausedSince;
      pausedSince = Number.NaN;
      status = 'running';
    }
    engine.setPaused(effective);
  };

  const finish = (): void => {
    engine.dispose();
    for (const s of dataSubjects) s.complete();
    eventsSubject.complete();
    settle();
  };

  const begin = (): void => {
    if (started) return;
    started = true;
    status = 'running';
    startTime = clock();
    eventsSubject.next({ type: 'started', step: state.step, time: 0 });
    if (stopRequested) engine.stop(); // stopped before it began: one record, marked 'stopped'
    if ((userPaused || holds > 0) && !stopRequested) {
      enginePaused = true;
      pausedSince = clock();
      status = 'paused';
      engine.setPaused(true);
    }
    const callbacks: EngineCallbacks = {
      step(s) {
        if (s !== state) copyState(state, s);
        if (stepsSubject.observed) stepsSubject.next(viewOf(state, now()));
        hasLoss = true;
        lossSubject.next(state.loss);
        const v = state.valLoss;
        if (v !== undefined && !Object.is(v, lastValLoss)) {
          lastValLoss = v;
          valLossSubject.next(v);
        }
        if (state.epochEnd && state.epoch !== lastEpoch && (epochsSubject.observed || eventsSubject.observed)) {
          lastEpoch = state.epoch;
          const e = { epoch: state.epoch, step: state.step, loss: state.loss, epochLoss: state.epochLoss, valLoss: state.valLoss };
          epochsSubject.next(Object.freeze(e));
          eventsSubject.next({ type: 'epochEnd', ...e });
        }
        if (state.drift && eventsSubject.observed) eventsSubject.next({ type: 'drift', step: state.step, loss: state.loss });
      },
      checkpoint(info) {
        const c = Object.freeze({ path: info.path, step: info.step, loss: info.loss });
        checkpointsSubject.next(c);
        eventsSubject.next({ type: 'checkpointWritten', ...c });
      },
      end(r) {
        if (status === 'done' || status === 'error') return;
        endTime = clock();
        if (enginePaused && !Number.isNaN(pausedSince)) pausedTotal += endTime - pausedSince;
        result = r;
        state.stopReason = r.stopReason;
        status = 'done';
        eventsSubject.next({ type: 'stopped', reason: r.stopReason, step: r.step, loss: r.loss });
        finish();
      },
      error(e) {
        if (status === 'done' || status === 'error') return;
        endTime = clock();
        failure = e;
        failed = true;
        status = 'error';
        eventsSubject.next({ type: 'error', error: e });
        engine.dispose();
        for (const s of dataSubjects) s.error(e);
        eventsSubject.complete();
        settle();
      },
    };
    try {
      engine.start(callbacks);
    } catch (e: unknown) {
      callbacks.error(e); // e.g. options the loop driver refuses: the run fails, done() rejects
    }
  };

  const onSubscribe = (): void => {
    subscribers += 1;
    if (!started && !autoStartQueued) {
      autoStartQueued = true;
      queueMicrotask(() => {
        if (!started && subscribers > 0) {
          startedBySubscription = true;
          begin();
        }
      });
    }
  };
  const onUnsubscribe = (): void => {
    subscribers -= 1;
    if (subscribers === 0 && startedBySubscription && (status === 'running' || status === 'paused')) void handle.stop().catch(() => {});
  };

  /** A stream of the handle: counts subscribers (auto start / stop) and optionally replays. */
  const counted = <T>(subject: Subject<T>, replay?: () => T | undefined): Observable<T> =>
    new Observable<T>((subscriber: Subscriber<T>) => {
      if (status === 'done' || status === 'error') {
        const last = replay?.();
        if (last !== undefined) subscriber.next(last);
        if (failed && subject !== (eventsSubject as unknown)) subscriber.error(failure);
        else subscriber.complete();
        return undefined;
      }
      const last = replay?.();
      if (last !== undefined) subscriber.next(last);
      const sub = subject.subscribe(subscriber);
      onSubscribe();
      return () => {
        sub.unsubscribe();
        onUnsubscribe();
      };
    });

  const steps$ = counted(stepsSubject);
  const handle: Training = {
    steps$,
    loss$: counted(lossSubject, () => (hasLoss ? state.loss : undefined)),
    valLoss$: counted(valLossSubject, () => lastValLoss),
    epochs$: counted(epochsSubject),
    checkpoints$: counted(checkpointsSubject),
    events$: counted(eventsSubject),
    getSnapshot(): TrainingSnapshot {
      const t = now();
      let paused = pausedTotal;
      if (enginePaused && !Number.isNaN(pausedSince) && Number.isNaN(endTime)) paused += clock() - pausedSince;
      const active = t - paused;
      return Object.freeze({
        status,
        step: state.step,
        epoch: state.epoch,
        loss: state.loss,
        valLoss: state.valLoss,
        lr: state.lr,
        stepsPerSecond: active > 0 ? ((state.step - startStep) / active) * 1000 : 0,
        time: t,
        stopReason: state.stopReason,
        hyperParams: Object.freeze({ ...hyper }),
        error: failure,
      });
    },
    start() {
      begin();
      return handle;
    },
    pause() {
      if (userPaused || status === 'done' || status === 'error') return;
      userPaused = true;
      if (started) eventsSubject.next({ type: 'paused', step: state.step, by: 'user' });
      applyPause();
    },
    resume() {
      if (!userPaused) return;
      userPaused = false;
      if (started && status !== 'done' && status !== 'error') eventsSubject.next({ type: 'resumed', step: state.step, by: 'user' });
      applyPause();
    },
    stop() {
      const p = handle.done();
      if (status === 'done' || status === 'error' || stopRequested) return p;
      stopRequested = true;
      if (!started) begin();
      else {
        engine.stop();
        applyPause(); // a paused run takes one more step to end
      }
      return p;
    },
    done() {
      return new Promise<TrainingResult>((resolve, reject) => {
        if (status === 'done') resolve(result!);
        else if (status === 'error') reject(failure);
        else waiters.push({ resolve, reject });
      });
    },
    set(name: string, value: unknown): GradstreamError | undefined {
      const cell = cells[name];
      let error: GradstreamError | undefined;
      if (cell === undefined) {
        error = new GradstreamError({
          code: 'invalid_value',
          path: 'hyperParams',
          expected: `one of ${
            Object.keys(cells)
              .map((k) => JSON.stringify(k))
              .join(', ') || '(no live hyperparameters)'
          }`,
          received: JSON.stringify(name),
        });
      } else {
        const scratch = { value: cell.value, min: cell.min ?? 0, ...(cell.max === undefined ? {} : { max: cell.max }) };
        error = setHyperParam(scratch, value, `hyperParams.${name}`);
        if (error === undefined) {
          hyper[name] = scratch.value;
          engine.setHyperParam(name, scratch.value);
          eventsSubject.next({ type: 'hyperParam', name, value: scratch.value, step: state.step });
        }
      }
      if (error !== undefined) eventsSubject.next({ type: 'hyperParamRejected', name, received: value, error });
      return error;
    },
    steps(opts?: StepsIteratorOptions): AsyncIterableIterator<StepView> {
      return stepsIterator(handle, opts);
    },
    holdPause(by: PauseSource = 'backpressure'): () => void {
      if (status === 'done' || status === 'error') return () => {};
      holds += 1;
      if (holds === 1 && started) eventsSubject.next({ type: 'paused', step: state.step, by });
      applyPause();
      let released = false;
      return () => {
        if (released) return;
        released = true;
        holds -= 1;
        if (holds === 0 && started && status !== 'done' && status !== 'error')
          eventsSubject.next({ type: 'resumed', step: state.step, by });
        applyPause();
      };
    },
  } as Training;
  // rxjs' interop key (Symbol.observable where it exists, else '@@observable')
  Object.defineProperty(handle, observable, { value: () => steps$ });
  return handle;
}

function copyState(to: StepState, from: StepState): void {
  to.step = from.step;
  to.epoch = from.epoch;
  to.batchIndex = from.batchIndex;
  to.epochEnd = from.epochEnd;
  to.loss = from.loss;
  to.epochLoss = from.epochLoss;
  to.valLoss = from.valLoss;
  to.lr = from.lr;
  to.stopReason = from.stopReason;
  to.drift = from.drift;
}

function viewOf(s: StepState, time: number): StepView {
  return Object.freeze({
    step: s.step,
    epoch: s.epoch,
    batchIndex: s.batchIndex,
    epochEnd: s.epochEnd,
    loss: s.loss,
    epochLoss: s.epochLoss,
    valLoss: s.valLoss,
    lr: s.lr,
    time,
    stopReason: s.stopReason,
    drift: s.drift,
  });
}
