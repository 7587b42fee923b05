import type { StopReason } from '../streams/stepRecord.js';
import type { CheckpointInfo, TrainingResult } from './training.js';

/** The scalars of the latest step, filled in place by an engine (no allocation per step). */
export interface StepState {
  step: number;
  epoch: number;
  batchIndex: number;
  epochEnd: boolean;
  loss: number;
  /** The epoch's mean loss, on the last step of an epoch when the pipeline has `epochMean`. */
  epochLoss: number | undefined;
  valLoss: number | undefined;
  lr: number;
  stopReason: StopReason | undefined;
  drift: boolean;
}

/** What an engine reports to its {@link Training} handle. */
export interface EngineCallbacks {
  /** After each step; `s` is reused for the next step. */
  step(s: StepState): void;
  checkpoint(info: CheckpointInfo): void;
  end(result: TrainingResult): void;
  error(e: unknown): void;
}

/**
 * Runs the loop for a {@link Training} handle: in this thread (`fit`'s local engine) or in a
 * worker. Controls take effect at the next step boundary.
 */
export interface TrainingEngine {
  start(callbacks: EngineCallbacks): void;
  setPaused(paused: boolean): void;
  /** Marks the next step final (`'stopped'`) and ends the run after it. */
  stop(): void;
  /** Writes an already validated value into a live hyperparameter from the next step on. */
  setHyperParam(name: string, value: number): void;
  /** Releases what the engine holds (subscription, worker); the run is over or abandoned. */
  dispose(): void;
}

/** A fresh {@link StepState} before the first step. */
export function createStepState(step: number): StepState {
  return {
    step,
    epoch: 0,
    batchIndex: 0,
    epochEnd: false,
    loss: Number.NaN,
    epochLoss: undefined,
    valLoss: undefined,
    lr: Number.NaN,
    stopReason: undefined,
    drift: false,
  };
}
