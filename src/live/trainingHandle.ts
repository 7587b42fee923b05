import { observable } from 'rxjs';
import type { HyperParam } from '../core/hyperParam.js';
import type { PauseSource, StepView, StepsIteratorOptions, Training } from './training.js';
import type { TrainingEngine } from './trainingEngine.js';
import { TrainingRun } from './trainingRun.js';
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
  const run = new TrainingRun(engine, options.hyperParams, options.step, options.clock);
  const steps$ = run.counted(run.steps);
  const handle: Training = {
    steps$,
    loss$: run.counted(run.loss, () => (run.hasLoss ? run.state.loss : undefined)),
    valLoss$: run.counted(run.valLoss, () => run.lastValLoss),
    epochs$: run.counted(run.epochs),
    checkpoints$: run.counted(run.checkpoints),
    events$: run.counted(run.events),
    getSnapshot: () => run.snapshot(),
    start() {
      run.begin();
      return handle;
    },
    pause: () => run.pause(),
    resume: () => run.resume(),
    stop: () => run.stop(),
    done: () => run.done(),
    set: (name: string, value: unknown) => run.set(name, value),
    steps: (opts?: StepsIteratorOptions): AsyncIterableIterator<StepView> => stepsIterator(handle, opts),
    holdPause: (by: PauseSource = 'backpressure') => run.holdPause(by),
  } as Training;
  // rxjs' interop key (Symbol.observable where it exists, else '@@observable')
  Object.defineProperty(handle, observable, { value: () => steps$ });
  return handle;
}
