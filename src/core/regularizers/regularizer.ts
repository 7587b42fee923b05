import type { KernelRegularizerConfig } from '../config/modelConfig.js';

/**
 * A weight penalty (Keras' `kernel_regularizer`): `l1 · Σ|w| + l2 · Σw²` over a tensor, added to
 * the training loss; its gradient `l1 · sign(w) + 2 · l2 · w` is added to the tensor's gradient
 * by the layer's backward pass (`sign(0) = 0`).
 */
export interface Regularizer {
  readonly kind: 'l1' | 'l2' | 'l1l2';
  readonly l1: number;
  readonly l2: number;
  /** The penalty of `w`. */
  value(w: Readonly<Float64Array>): number;
  /** Adds the penalty's gradient at `w` into `grad` (same length). */
  addGrad(grad: Float64Array, w: Readonly<Float64Array>): void;
  /** The penalty as config data (`{ l2: 1e-4 }`). */
  toConfig(): KernelRegularizerConfig;
}
