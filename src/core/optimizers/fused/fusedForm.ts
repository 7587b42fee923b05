import type { GradientTransformation, OptState } from '../../optimizer.js';
import type { ScaleByLearningRateState } from '../scaleByLearningRate.js';

/**
 * What a one-pass kernel needs to know of an optimizer whose update it can compute in the same
 * pass as `params += updates`: its kind, constants and the rate its `scaleByLearningRate` applies.
 * The kind fixes the state's layout: `'sgd'` is `chain(scaleByLearningRate)` (state `[rate]`),
 * `'adam'` is `chain(scaleByAdam, scaleByLearningRate)` (state `[moments, rate]`).
 */
export type FusedForm =
  | { readonly kind: 'sgd'; readonly rate: RateOf }
  | { readonly kind: 'adam'; readonly rate: RateOf; readonly beta1: number; readonly beta2: number; readonly epsilon: number };

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

/** The one-pass form of `optimizer`, if it has one. */
export function fusedFormOf(optimizer: object): FusedForm | undefined {
  const form = (optimizer as Partial<FusableTransformation>).fused;
  if (form === undefined || form === null || typeof form !== 'object' || typeof form.rate !== 'function') return undefined;
  return form.kind === 'sgd' || form.kind === 'adam' ? form : undefined;
}
