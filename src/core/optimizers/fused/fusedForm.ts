import type { GradientTransformation, OptState } from '../../optimizer.js';
import type { ScaleByLearningRateState } from '../scaleByLearningRate.js';

/**
 * What a one-pass kernel needs to know of an optimizer whose update it can compute in the same
 * pass as `params += updates`: its kind, constants and the rate its `scaleByLearningRate` applies.
 * The kind fixes the state's layout: `'sgd'` is `chain(scaleByLearningRate)` (state `[rate]`),
 * `'adam'` is `chain(scaleByAdam, scaleByLearningRate)` (state `[moments, rate]`).
 */
export type FusedForm =
  | (FusedRate & { readonly kind: 'sgd' })
  | (FusedRate & { readonly kind: 'adam'; readonly beta1: number; readonly beta2: number; readonly epsilon: number });

/** The learning rate of a {@link FusedForm}. */
export interface FusedRate {
  readonly rate: RateOf;
  /**
   * The rate when it never changes (a number `lr`, not a schedule or a cell): the step reads it
   * instead of calling `rate`.
   */
  readonly constantRate: number | undefined;
  /**
   * The transformation's `learningRate`, whose value `constantRate` is (see {@link constantRateOf}).
   * Set in the form's own literal: a form made by spreading another gets a fresh hidden class
   * once the old one is collected, and the step reads the form every time.
   */
  readonly learningRate?: unknown;
}

/** The learning rate of the next update, read from the `scaleByLearningRate` state. */
export type RateOf = (state: ScaleByLearningRateState) => number;

/** A transformation that also says which one-pass kernel computes it ({@link fusedApply}). */
export interface FusableTransformation<S extends OptState = OptState> extends GradientTransformation<S> {
  readonly fused: FusedForm;
}

/** `transform`, marked as computable by the one-pass kernel of `form` (its results are the same, bit for bit). */
export function fusable<S extends OptState>(transform: GradientTransformation<S>, form: FusedForm): FusableTransformation<S> {
  return {
    init: transform.init,
    update: transform.update,
    ...(transform.learningRate === undefined ? {} : { learningRate: transform.learningRate }),
    fused: form,
  };
}

/**
 * The learning rate `optimizer` reports for every update when it never changes: its form's
 * `constantRate`, unless its `learningRate` is not the one the form was made with (a spread copy
 * that replaces it is asked every step).
 */
export function constantRateOf(optimizer: object, form: FusedForm | undefined): number | undefined {
  if (form === undefined || form.learningRate === undefined) return undefined;
  return (optimizer as { learningRate?: unknown }).learningRate === form.learningRate ? form.constantRate : undefined;
}

/** The one-pass form of `optimizer`, if it has one. */
export function fusedFormOf(optimizer: object): FusedForm | undefined {
  const form = (optimizer as Partial<FusableTransformation>).fused;
  if (form === undefined || form === null || typeof form !== 'object' || typeof form.rate !== 'function') return undefined;
  if (form.constantRate !== undefined && typeof form.constantRate !== 'number') return undefined;
  return form.kind === 'sgd' || form.kind === 'adam' ? form : undefined;
}
