import type { HyperParam } from './isHyperParam.js';
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
}

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
