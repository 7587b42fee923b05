import type { HyperParam } from './hyperParam.js';
import type { Params } from './params.js';

/**
 * Optimizer state as plain data (numbers, `Float64Array`s, arrays and records of them), so a
 * checkpoint can hold it and resuming gives the very same next update. Transformations mutate
 * their state in place (no allocation per step).
 */
export type OptState = number | boolean | null | Float64Array | OptState[] | { [key: string]: OptState };

/** A learning-rate schedule: the learning rate for the update number `step` (0-based). */
export type Schedule = (step: number) => number;

/**
 * A learning rate: a constant, a {@link Schedule} of the update count, or a live
 * {@link HyperParam} cell (its value when the update is made).
 */
export type LearningRate = number | Schedule | HyperParam;

/** A hyperparameter that may change while training: a constant or a live {@link HyperParam} cell. */
export type Hyper = number | HyperParam;

/**
 * An Optax-style gradient transformation. `update` turns `updates` (on entry: the gradients, or
 * the previous transformation's output) into the updates to add to the parameters, in place, and
 * advances `state` in place.
 */
export interface GradientTransformation<S extends OptState = OptState> {
  init(params: Params): S;
  update(updates: Float64Array, state: S, params: Params): void;
  /** The learning rate the next `update` will use, for transformations that have one. */
  learningRate?(state: S): number | undefined;
  /**
   * Optional fast path: computes the update and adds it to `params` in one pass (what `update`
   * then `applyUpdates` would do, bit for bit), advancing `state`. Returns false, having changed
   * nothing, when it cannot (then the caller runs `update` and `applyUpdates`).
   */
  fusedApply?(grads: Float64Array, state: S, params: Params): boolean;
  /**
   * Optional: the same one-pass update as an elementwise kernel that worker threads can run on
   * slices of the weights (data-parallel training, `gradient(…, { workers })`).
   */
  readonly sliceKernel?: SliceKernel<S>;
}

/**
 * An optimizer's update as a named elementwise kernel over `params`, `grads` and `buffers`
 * params-length state buffers, with a few scalars per step: run on any split of the elements it
 * gives the whole-array result bit for bit.
 */
export interface SliceKernel<S extends OptState = OptState> {
  /** `'sgd'`: `p += k·g`, scalars `[k]`. `'adam'`: Adam, its rate and `p += u·k` (as `adamApplyWasm64`), scalars `[b1, b2, c1, c2, eps, k]`, buffers `[mu, nu]`. */
  readonly kernel: 'sgd' | 'adam';
  /** Number of state buffers the kernel updates. */
  readonly buffers: number;
  /** State buffer `i`. */
  buffer(state: S, i: number): Float64Array;
  /** Replaces state buffer `i` by `shared` (holding the same values), so that threads update it in place. */
  setBuffer(state: S, i: number, shared: Float64Array): void;
  /**
   * Writes this step's scalars into `out` and advances the state's counters as the kernel's run
   * will; returns false, having changed nothing, when the kernel cannot run on these params.
   */
  begin(state: S, params: Params, out: Float64Array): boolean;
}

/**
 * Runs an update's {@link SliceKernel} on threads; returns false (nothing changed) when it cannot
 * (the grads or params are not the threads' shared ones). Set on a record by
 * `gradient(…, { workers })` under the {@link PARALLEL_APPLY} key; `update` uses it.
 */
export type ParallelApply = (kernel: SliceKernel, grads: Float64Array, state: OptState, params: Params) => boolean;

/** The record key of a {@link ParallelApply} (internal to the `gradient` and `update` operators). */
export const PARALLEL_APPLY: unique symbol = Symbol('gradstream.parallelApply');

/**
 * `params += updates`, in place, for the trainable tensors only: non-trainable ones (model state
 * such as batch normalization's moving statistics, `layout.trainable[i] === false`) are left as
 * they are, whatever the optimizer computed for them (weight decay included). Returns `params`.
 */
export function applyUpdates(params: Params, updates: Readonly<Float64Array>): Params {
  const p = params.data;
  const layout = params.layout;
  if (layout.trainableSize === layout.size) {
    for (let i = 0; i < p.length; i++) p[i]! += updates[i]!;
    return params;
  }
  const { trainable, offsets, sizes } = layout;
  for (let t = 0; t < trainable.length; t++) {
    if (!trainable[t]) continue;
    const end = offsets[t]! + sizes[t]!;
    for (let i = offsets[t]!; i < end; i++) p[i]! += updates[i]!;
  }
  return params;
}
