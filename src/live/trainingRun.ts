import { Observable, Subject, type Subscriber } from 'rxjs';
import { GradstreamError } from '../core/errors.js';
import { setHyperParam, type HyperParam } from '../core/hyperParam.js';
import type {
  CheckpointInfo,
  EpochView,
  PauseSource,
  StepView,
  TrainingEvent,
  TrainingResult,
  TrainingSnapshot,
  TrainingStatus,
} from './training.js';
import { createStepState, type EngineCallbacks, type StepState, type TrainingEngine } from './trainingEngine.js';

interface Waiter {
  resolve(r: TrainingResult): void;
  reject(e: unknown): void;
}

/**
 * The state behind a {@link Training} handle: its multicast streams, lifecycle, pausing (user and
 * backpressure holds), clock and live hyperparameters. The engine only steps.
 */
export class TrainingRun {
  readonly steps = new Subject<StepView>();
  readonly loss = new Subject<number>();
  readonly valLoss = new Subject<number>();
  readonly epochs = new Subject<EpochView>();
  readonly checkpoints = new Subject<CheckpointInfo>();
  readonly events = new Subject<TrainingEvent>();
  private readonly dataSubjects: Subject<unknown>[];

  private readonly clock: () => number;
  private readonly hyper: Record<string, number> = {};
  readonly state: StepState;
  private readonly startStep: number;
  // the latest values, replayed to late subscribers
  hasLoss = false;
  lastValLoss: number | undefined;
  private lastEpoch = Number.NaN;
  // lifecycle
  private status: TrainingStatus = 'idle';
  private started = false;
  private startedBySubscription = false;
  private stopRequested = false;
  private result: TrainingResult | undefined;
  private failure: unknown;
  private failed = false;
  private readonly waiters: Waiter[] = [];
  // clock (milliseconds)
  private startTime = Number.NaN;
  private pausedSince = Number.NaN;
  private pausedTotal = 0;
  private endTime = Number.NaN;
  // pausing
  private userPaused = false;
  private holds = 0;
  private enginePaused = false;
  // subscribers of the streams (auto start / stop)
  private subscribers = 0;
  private autoStartQueued = false;

  constructor(
    private readonly engine: TrainingEngine,
    private readonly cells: Readonly<Record<string, HyperParam>>,
    step: number,
    clock: (() => number) | undefined,
  ) {
    this.clock = clock ?? (() => performance.now());
    for (const name of Object.keys(cells)) this.hyper[name] = cells[name]!.value;
    this.state = createStepState(step);
    this.startStep = step;
    this.dataSubjects = [this.steps, this.loss, this.valLoss, this.epochs, this.checkpoints] as Subject<unknown>[];
  }

  private get over(): boolean {
    return this.status === 'done' || this.status === 'error';
  }

  /** Milliseconds since the start (frozen at the end), 0 before it. */
  private now(): number {
    if (!this.started) return 0;
    return (Number.isNaN(this.endTime) ? this.clock() : this.endTime) - this.startTime;
  }

  private settle(): void {
    for (const w of this.waiters.splice(0)) {
      if (this.failed) w.reject(this.failure);
      else w.resolve(this.result!);
    }
  }

  /** Brings the engine's pause in line with the user pause, the holds and a requested stop. */
  private applyPause(): void {
    if (this.status !== 'running' && this.status !== 'paused') return;
    const effective = (this.userPaused || this.holds > 0) && !this.stopRequested;
    if (effective === this.enginePaused) return;
    this.enginePaused = effective;
    if (effective) {
      this.pausedSince = this.clock();
      this.status = 'paused';
    } else {
      if (!Number.isNaN(this.pausedSince)) this.pausedTotal += this.clock() - this.pausedSince;
      this.pausedSince = Number.NaN;
      this.status = 'running';
    }
    this.engine.setPaused(effective);
  }

  begin(): void {
    if (this.started) return;
    this.started = true;
    this.status = 'running';
    this.startTime = this.clock();
    this.events.next({ type: 'started', step: this.state.step, time: 0 });
    if (this.stopRequested) this.engine.stop(); // stopped before it began: one record, marked 'stopped'
    if ((this.userPaused || this.holds > 0) && !this.stopRequested) {
      this.enginePaused = true;
      this.pausedSince = this.clock();
      this.status = 'paused';
      this.engine.setPaused(true);
    }
    try {
      this.engine.start(this.callbacks);
    } catch (e: unknown) {
      this.callbacks.error(e); // e.g. options the loop driver refuses: the run fails, done() rejects
    }
  }

  private readonly callbacks: EngineCallbacks = {
    step: (s) => this.onStep(s),
    checkpoint: (info) => {
      const c = Object.freeze({ path: info.path, step: info.step, loss: info.loss });
      this.checkpoints.next(c);
      this.events.next({ type: 'checkpointWritten', ...c });
    },
    end: (r) => this.onEnd(r),
    error: (e) => this.onError(e),
  };

  private onStep(s: StepState): void {
    const state = this.state;
    if (s !== state) copyState(state, s);
    if (this.steps.observed) this.steps.next(viewOf(state, this.now()));
    this.hasLoss = true;
    this.loss.next(state.loss);
    const v = state.valLoss;
    if (v !== undefined && !Object.is(v, this.lastValLoss)) {
      this.lastValLoss = v;
      this.valLoss.next(v);
    }
    if (state.epochEnd && state.epoch !== this.lastEpoch && (this.epochs.observed || this.events.observed)) {
      this.lastEpoch = state.epoch;
      const e = { epoch: state.epoch, step: state.step, loss: state.loss, epochLoss: state.epochLoss, valLoss: state.valLoss };
      this.epochs.next(Object.freeze(e));
      this.events.next({ type: 'epochEnd', ...e });
    }
    if (state.drift && this.events.observed) this.events.next({ type: 'drift', step: state.step, loss: state.loss });
  }

  private onEnd(r: TrainingResult): void {
    if (this.over) return;
    this.endTime = this.clock();
    if (this.enginePaused && !Number.isNaN(this.pausedSince)) this.pausedTotal += this.endTime - this.pausedSince;
    this.result = r;
    this.state.stopReason = r.stopReason;
    this.status = 'done';
    this.events.next({ type: 'stopped', reason: r.stopReason, step: r.step, loss: r.loss });
    this.engine.dispose();
    for (const s of this.dataSubjects) s.complete();
    this.events.complete();
    this.settle();
  }

  private onError(e: unknown): void {
    if (this.over) return;
    this.endTime = this.clock();
    this.failure = e;
    this.failed = true;
    this.status = 'error';
    this.events.next({ type: 'error', error: e });
    this.engine.dispose();
    for (const s of this.dataSubjects) s.error(e);
    this.events.complete();
    this.settle();
  }

  private onSubscribe(): void {
    this.subscribers += 1;
    if (this.started || this.autoStartQueued) return;
    this.autoStartQueued = true;
    queueMicrotask(() => {
      if (!this.started && this.subscribers > 0) {
        this.startedBySubscription = true;
        this.begin();
      }
    });
  }

  private onUnsubscribe(): void {
    this.subscribers -= 1;
    if (this.subscribers === 0 && this.startedBySubscription && (this.status === 'running' || this.status === 'paused'))
      void this.stop().catch(() => {});
  }

  /** A stream of the handle: counts subscribers (auto start / stop) and optionally replays. */
  counted<T>(subject: Subject<T>, replay?: () => T | undefined): Observable<T> {
    return new Observable<T>((subscriber: Subscriber<T>) => {
      const last = replay?.();
      if (last !== undefined) subscriber.next(last);
      if (this.over) {
        if (this.failed && subject !== (this.events as unknown)) subscriber.error(this.failure);
        else subscriber.complete();
        return undefined;
      }
      const sub = subject.subscribe(subscriber);
      this.onSubscribe();
      return () => {
        sub.unsubscribe();
        this.onUnsubscribe();
      };
    });
  }

  snapshot(): TrainingSnapshot {
    const t = this.now();
    let paused = this.pausedTotal;
    if (this.enginePaused && !Number.isNaN(this.pausedSince) && Number.isNaN(this.endTime)) paused += this.clock() - this.pausedSince;
    const active = t - paused;
    const state = this.state;
    return Object.freeze({
      status: this.status,
      step: state.step,
      epoch: state.epoch,
      loss: state.loss,
      valLoss: state.valLoss,
      lr: state.lr,
      stepsPerSecond: active > 0 ? ((state.step - this.startStep) / active) * 1000 : 0,
      time: t,
      stopReason: state.stopReason,
      hyperParams: Object.freeze({ ...this.hyper }),
      error: this.failure,
    });
  }

  pause(): void {
    if (this.userPaused || this.over) return;
    this.userPaused = true;
    if (this.started) this.events.next({ type: 'paused', step: this.state.step, by: 'user' });
    this.applyPause();
  }

  resume(): void {
    if (!this.userPaused) return;
    this.userPaused = false;
    if (this.started && !this.over) this.events.next({ type: 'resumed', step: this.state.step, by: 'user' });
    this.applyPause();
  }

  stop(): Promise<TrainingResult> {
    const p = this.done();
    if (this.over || this.stopRequested) return p;
    this.stopRequested = true;
    if (!this.started) this.begin();
    else {
      this.engine.stop();
      this.applyPause(); // a paused run takes one more step to end
    }
    return p;
  }

  done(): Promise<TrainingResult> {
    return new Promise<TrainingResult>((resolve, reject) => {
      if (this.status === 'done') resolve(this.result!);
      else if (this.status === 'error') reject(this.failure);
      else this.waiters.push({ resolve, reject });
    });
  }

  set(name: string, value: unknown): GradstreamError | undefined {
    const cell = this.cells[name];
    let error: GradstreamError | undefined;
    if (cell === undefined) error = unknownHyperParam(this.cells, name);
    else {
      const scratch = { value: cell.value, min: cell.min ?? 0, ...(cell.max === undefined ? {} : { max: cell.max }) };
      error = setHyperParam(scratch, value, `hyperParams.${name}`);
      if (error === undefined) {
        this.hyper[name] = scratch.value;
        this.engine.setHyperParam(name, scratch.value);
        this.events.next({ type: 'hyperParam', name, value: scratch.value, step: this.state.step });
      }
    }
    if (error !== undefined) this.events.next({ type: 'hyperParamRejected', name, received: value, error });
    return error;
  }

  holdPause(by: PauseSource): () => void {
    if (this.over) return () => {};
    this.holds += 1;
    if (this.holds === 1 && this.started) this.events.next({ type: 'paused', step: this.state.step, by });
    this.applyPause();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.holds -= 1;
      if (this.holds === 0 && this.started && !this.over) this.events.next({ type: 'resumed', step: this.state.step, by });
      this.applyPause();
    };
  }
}

function unknownHyperParam(cells: Readonly<Record<string, HyperParam>>, name: string): GradstreamError {
  const names = Object.keys(cells)
    .map((k) => JSON.stringify(k))
    .join(', ');
  return new GradstreamError({
    code: 'invalid_value',
    path: 'hyperParams',
    expected: `one of ${names || '(no live hyperparameters)'}`,
    received: JSON.stringify(name),
  });
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
