import type { KernelModules } from '../core/wasm/wasmKernels.js';
import type { earlyStopping } from '../sinks/earlyStopping.js';
import type { FromArraysOptions } from '../streams/fromArrays.js';
import type { MatrixInput } from '../streams/toMatrix.js';
import type { StopReason } from '../streams/stepRecord.js';
import type { CheckpointInfo } from './training.js';

/** In-memory training data for a worker run: `fromArrays(x, y, options)` inside the worker. */
export interface WorkerData extends Omit<FromArraysOptions, 'rng'> {
  readonly x: MatrixInput;
  readonly y: MatrixInput;
}

/** What a worker run is built from: plain data only (it crosses to the worker by structured clone). */
export interface WorkerRunConfig {
  readonly model: unknown;
  readonly loss: unknown;
  readonly optimizer: unknown;
  readonly data: WorkerData;
  /** Initial weights (the model's layout). */
  readonly params: Float64Array;
  readonly seed: number;
  readonly maxSteps?: number;
  readonly earlyStopping?: Parameters<typeof earlyStopping>[0];
  /** Node worker threads only: `checkpoint({ path, every })` after the other sinks. */
  readonly checkpoint?: { readonly path: string; readonly every?: number };
  readonly sliceMs: number;
  readonly flushMs: number;
  /** Live optimizer options (`lr`, …): their values at start and the bounds of the main thread's cells. */
  readonly hyperParams?: Readonly<Record<string, { readonly value: number; readonly min?: number; readonly max?: number }>>;
}

/** Messages from the main thread to a worker run. */
export type ToWorker =
  | {
      readonly type: 'start';
      readonly config: WorkerRunConfig /** The main thread's compiled kernels (shared optimized code). */;
      readonly modules?: KernelModules;
    }
  | { readonly type: 'pause'; readonly paused: boolean }
  | { readonly type: 'stop' }
  | { readonly type: 'abort' }
  /** A live hyperparameter's new value (already checked on the main thread), from the next step. */
  | { readonly type: 'hyperParam'; readonly name: string; readonly value: number };

/** Fields packed per step in a `steps` message. */
export const STEP_FIELDS = 9;

/** Stop reasons by code (index) in packed steps; -1 is none. */
export { STOP_REASONS } from '../streams/stepRecord.js';

/** A serialised error (a `GradstreamError`'s fields when it is one). */
export interface WorkerError {
  readonly name: string;
  readonly message: string;
  readonly code?: string;
  readonly path?: string;
  readonly expected?: string;
  readonly received?: string;
}

/** Messages from a worker run to the main thread. */
export type FromWorker =
  | { readonly type: 'steps'; readonly data: Float64Array }
  | { readonly type: 'checkpoint'; readonly info: CheckpointInfo }
  | {
      readonly type: 'end';
      readonly stopReason: StopReason | undefined;
      readonly step: number;
      readonly loss: number;
      readonly params: Float64Array;
    }
  | { readonly type: 'error'; readonly error: WorkerError };

/** The main thread's end of a worker: what a {@link WorkerSpawner} returns. */
export interface WorkerPort {
  postMessage(message: ToWorker): void;
  onMessage(listener: (message: FromWorker) => void): void;
  /** The worker failed outside the run (could not load, crashed, exited early). */
  onError(listener: (error: unknown) => void): void;
  terminate(): void;
}

/** Starts a worker that runs `runFitWorker` (`nodeWorker()` in Node, `webWorker()` in browsers). */
export type WorkerSpawner = () => WorkerPort;

/** The worker's end: how `runFitWorker` talks to the main thread. */
export interface WorkerSide {
  postMessage(message: FromWorker, transfer?: ArrayBuffer[]): void;
  onMessage(listener: (message: ToWorker) => void): void;
}
