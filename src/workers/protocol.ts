import { MAX_WORKERS } from '../core/maxWorkers.js';
import type { KernelModules, WasmMemory } from '../core/wasm/wasmKernels.js';
import type { ScalerJson } from '../schemas/scalerJson.js';

/**
 * The shared-memory protocol between the main thread (which runs the loop) and the replica
 * threads (which compute shard gradients). No message is sent per step: the main thread writes
 * the weights and the batch into shared buffers, bumps `SEQ` and waits on `DONE`; each replica
 * wakes on `SEQ`, computes its shard, meets the others at a barrier (`ARRIVE`), sums its slice of
 * the gradient slots in worker order, and counts itself into `DONE`.
 *
 * Browser-safe: no Node built-ins.
 */

/** Indices of the `Int32Array` control words. */
export const Ctl = {
  /** Step sequence number: the main thread increments it (and notifies) to start a step. */
  SEQ: 0,
  /** The command of the current sequence number: {@link Cmd}. */
  CMD: 1,
  /** Replicas done with the current step (the main thread waits on it). */
  DONE: 2,
  /** Replicas at the reduction barrier this step. */
  ARRIVE: 3,
  /** 0 while healthy; 1 while the first failure is being written; 2 once its text is readable. */
  FAILED: 4,
  /** Replicas that have built their model and wait for steps. */
  READY: 5,
  /** Rows of the current batch. */
  ROWS: 6,
  /** Target values per row of the current batch. */
  YCOLS: 7,
  /** Generation of the batch buffers; a replica that knows an older one waits for the message. */
  BATCH_GEN: 8,
  /** Byte length of the failure text (JSON) in the error area. */
  ERROR_LENGTH: 9,
  /** Replica threads alive (started minus exited), kept by the Node supervisor. */
  ALIVE: 10,
  /** `record.step` of the current step (the forward pass's training mode). */
  STEP: 11,
  /** Ticked by the Node supervisor every 100 ms: the main thread notices a supervisor that died. */
  HEARTBEAT: 12,
  /** The optimizer kernel of an APPLY command: {@link Kernel}. */
  KERNEL: 13,
  /** Generation of the optimizer-state buffers; a replica that knows an older one waits for the message. */
  STATE_GEN: 14,
  /**
   * The first of two words per replica (`PROGRESS + 2·index` + {@link Progress}): the `SEQ` of the
   * last command whose barrier it reached, and of the last it finished. The main thread reads
   * them to name a replica that stalls. They start on a cache line of their own.
   */
  PROGRESS: 16,
} as const;

/** The two progress words of a replica, from `Ctl.PROGRESS + 2·index`. */
export const Progress = { ARRIVED: 0, DONE: 1 } as const;

/** Number of control words (the progress words of up to `MAX_WORKERS` replicas included). */
export const CONTROL_WORDS = Ctl.PROGRESS + 2 * MAX_WORKERS;
/** Bytes for the first failure's text (JSON of {@link ErrorData}); longer texts are cut. */
export const ERROR_BYTES = 16 * 1024;

/** Commands of {@link Ctl.CMD}. */
export const Cmd = { STEP: 1, STOP: 2, APPLY: 3 } as const;

/** Optimizer kernels a replica applies to its slice of the weights (APPLY), with their scalars. */
export const Kernel = {
  /** `p += k·g`; scalars `[k]`. */
  SGD: 1,
  /** Adam, its learning rate and `p += u·k` in one pass; scalars `[b1, b2, c1, c2, eps, k]`; state `[mu, nu]`. */
  ADAM: 2,
} as const;

/** Scalars of an APPLY command, at most. */
export const APPLY_SCALARS = 8;

/** Float64 elements rounded up to a cache line (8 doubles), so replicas never share a line. */
export function padded(n: number): number {
  return Math.ceil(n / 8) * 8;
}

/**
 * The fixed shared buffer (made once per run), in float64 elements: the weights, the reduced
 * gradient, then one gradient slot per replica (none when there is a single replica: it writes the
 * reduced gradient directly).
 */
export interface FixedLayout {
  readonly params: number;
  readonly grads: number;
  readonly slots: readonly number[];
  /** Per replica, 8 doubles: {@link Stat} (timings the replica adds up, for benchmarks). */
  readonly stats: number;
  /** {@link APPLY_SCALARS} doubles: the scalars of the current APPLY command. */
  readonly scalars: number;
  readonly length: number;
}

/** Per-replica timing fields (milliseconds, summed over steps) in the stats area. */
export const Stat = { COMPUTE: 0, BARRIER: 1, REDUCE: 2, STEPS: 3, APPLY: 4 } as const;

/**
 * A view of `size` numbers from element `offset` of the fixed buffer `fixed`, in the model's
 * precision: float64 elements, or float32 ones in the same bytes (the first half of the region;
 * typed `Float64Array`, as float32 parameters are).
 */
export function regionView(fixed: Float64Array, offset: number, size: number, precision: 'float64' | 'float32' | undefined): Float64Array {
  if (precision !== 'float32') return fixed.subarray(offset, offset + size);
  return new Float32Array(fixed.buffer, fixed.byteOffset + offset * 8, size) as unknown as Float64Array;
}

/** Offsets of {@link FixedLayout} for `size` parameters and `workers` replicas. */
export function fixedLayout(size: number, workers: number): FixedLayout {
  const p = padded(size);
  const slots: number[] = [];
  if (workers > 1) for (let i = 0; i < workers; i++) slots.push((2 + i) * p);
  const stats = (2 + slots.length) * p;
  const scalars = stats + 8 * workers;
  return { params: 0, grads: p, slots, stats, scalars, length: scalars + APPLY_SCALARS };
}

/** The batch buffers (remade when a batch is larger than the capacity), in float64 elements. */
export interface BatchLayout {
  readonly capacity: number;
  readonly ycols: number;
  readonly x: number;
  readonly y: number;
  readonly out: number;
  readonly length: number;
}

/** Offsets of {@link BatchLayout} for `capacity` rows. */
export function batchLayout(capacity: number, inputs: number, ycols: number, outputs: number): BatchLayout {
  const x = 0;
  const y = padded(capacity * inputs);
  const out = y + padded(capacity * ycols);
  return { capacity, ycols, x, y, out, length: out + padded(capacity * outputs) };
}

/** Rows `[lo, hi)` of replica `i` of `workers` for a batch of `rows` rows: contiguous, sizes differ by ≤ 1. */
export function shardStart(i: number, workers: number, rows: number): number {
  return Math.floor((i * rows) / workers);
}

/**
 * How a replica thread builds its model and loss: from configs (with the model's input scaling,
 * when it has one: `withScaler`), or from a module's export.
 */
export type ReplicaSpec =
  | { readonly kind: 'config'; readonly model: unknown; readonly loss: unknown; readonly scaler?: ScalerJson }
  | { readonly kind: 'module'; readonly module: string; readonly export: string };

/** What a replica thread is started with. */
export interface ReplicaInit {
  readonly index: number;
  readonly workers: number;
  readonly spec: ReplicaSpec;
  readonly control: SharedArrayBuffer;
  readonly errors: SharedArrayBuffer;
  /** Holds the fixed layout ({@link FixedLayout}) from byte `fixedOffset` (default 0). */
  readonly fixed: SharedArrayBuffer;
  readonly fixedOffset?: number;
  /**
   * The shared WebAssembly memory whose buffer is `fixed`, when the pool made one: the optimizer
   * kernels then update the weights in place in it (each thread instantiates the kernels on it).
   */
  readonly memory?: WasmMemory;
  /**
   * Whether waiting threads spin briefly before they sleep (default true): only while every
   * replica has a core of its own (more replicas than cores: they sleep at once).
   */
  readonly spin?: boolean;
  /** The loop thread's compiled kernels, which the thread adopts (shared optimized code). */
  readonly modules?: KernelModules;
  /** Parameter count, inputs, outputs and precision the main thread's model has (checked by the replica). */
  readonly size: number;
  readonly inputs: number;
  readonly outputs: number;
  readonly precision?: 'float64' | 'float32';
}

/** New batch buffers, sent (by message, rarely) when a batch outgrows the previous ones. */
export interface BatchBuffersMessage {
  readonly type: 'batch';
  readonly gen: number;
  readonly buffer: SharedArrayBuffer;
  readonly capacity: number;
  readonly ycols: number;
}

/**
 * New optimizer-state buffers (sent once per run, or when a resumed state is adopted): `arrays`
 * params-length arrays, each starting at a multiple of `padded(size)`.
 */
export interface StateBuffersMessage {
  readonly type: 'state';
  readonly gen: number;
  readonly buffer: SharedArrayBuffer;
  /** Byte offset of the first array in `buffer`. */
  readonly byteOffset: number;
  readonly arrays: number;
  /** Whether `buffer` is the pool's WebAssembly memory (the kernels then run on it in place). */
  readonly inMemory: boolean;
}

/** Messages from the main thread to every replica. */
export type ReplicaMessage = BatchBuffersMessage | StateBuffersMessage;

/** What the Node supervisor thread is started with. */
export interface SupervisorData {
  readonly init: Omit<ReplicaInit, 'index'>;
}

/** Messages from the main thread to the Node supervisor. */
export type SupervisorMessage = ReplicaMessage | { readonly type: 'kill'; readonly index: number };

/** An error as plain data, so that it crosses threads and is rebuilt with its fields. */
export interface ErrorData {
  readonly name: string;
  readonly message: string;
  readonly stack?: string;
  readonly code?: string;
  readonly path?: string;
  readonly expected?: string;
  readonly received?: string;
  /** The replica that failed, when known. */
  readonly worker?: number;
}
