import { GradstreamError, describeTyped } from '../errors.js';
import type { ActivationLayerConfig } from '../config/modelConfig.js';
import type { Layer } from '../layer.js';

/**
 * A parameter-free layer whose output has the shape of its input (activations, softmax). Made
 * without a size (`relu()`), it takes the size of the layer before it inside {@link sequential};
 * `withSize(n)` gives the sized layer.
 */
export interface ActivationLayer extends Layer {
  /** The same activation for `n` features per row. */
  withSize(n: number): ActivationLayer;
}

/** Whether `layer` is an {@link ActivationLayer} (size-polymorphic, parameter free). */
export function isActivationLayer(layer: Layer): layer is ActivationLayer {
  return typeof (layer as Partial<ActivationLayer>).withSize === 'function';
}

/** Whether `size` is a valid number of features: a safe integer ≥ 1. */
export function isLayerSize(size: unknown): size is number {
  return typeof size === 'number' && Number.isSafeInteger(size) && size >= 1;
}

/** Element counts are passed to the kernels: `n = batch · features`; `cols` = features per row. */
export interface ActivationKernels {
  /** `y = f(x)` over `n` values (`rows × cols`). */
  forward(x: Readonly<Float64Array>, y: Float64Array, n: number, cols: number): void;
  /** `dX = f'(x) ⊙ dY` (or the row-wise Jacobian product) over `n` values. */
  backward(
    x: Readonly<Float64Array>,
    y: Readonly<Float64Array>,
    dY: Readonly<Float64Array>,
    dX: Float64Array,
    n: number,
    cols: number,
  ): void;
}

/**
 * Builds an {@link ActivationLayer} of kind `kind` from its two kernels. An undefined `size`
 * means "the size of the previous layer", resolved by `sequential`. `config` (the built-in
 * activations pass theirs) gives the layer a `toConfig`; without it the layer cannot be saved as
 * config data.
 */
export function activationLayer(
  kind: string,
  size: number | undefined,
  kernels: ActivationKernels,
  config?: ActivationLayerConfig,
): ActivationLayer {
  if (typeof kind !== 'string' || kind === '') {
    throw new GradstreamError({
      code: 'invalid_config',
      path: 'activationLayer(kind)',
      expected: 'a non-empty name (e.g. "swish")',
      received: describeTyped(kind),
    });
  }
  if (typeof kernels !== 'object' || kernels === null || typeof kernels.forward !== 'function' || typeof kernels.backward !== 'function') {
    throw new GradstreamError({
      code: 'invalid_config',
      path: `activationLayer(${JSON.stringify(kind)}).kernels`,
      expected: 'an object with forward and backward functions',
      received: describeTyped(kernels),
    });
  }
  if (config !== undefined && (typeof config !== 'object' || config === null || typeof config.type !== 'string')) {
    throw new GradstreamError({
      code: 'invalid_config',
      path: `activationLayer(${JSON.stringify(kind)}).config`,
      expected: 'a layer config ({ type: … }) or nothing',
      received: describeTyped(config),
    });
  }
  const n = size ?? 0;
  if (size !== undefined && !isLayerSize(size)) {
    throw new GradstreamError({
      code: 'invalid_shape',
      path: `${kind}(size)`,
      expected: 'a positive integer (or nothing: the size of the previous layer)',
      received: describeTyped(size),
    });
  }
  const unsized = (): never => {
    throw new GradstreamError({
      code: 'invalid_shape',
      path: kind,
      expected: `a size: ${kind}(n), or a place after a sized layer in sequential([...])`,
      received: 'no size',
    });
  };
  return {
    kind,
    inputs: n,
    outputs: n,
    params: [],
    init() {},
    forward(_p, x, y, batch) {
      if (n === 0) unsized();
      kernels.forward(x, y, batch * n, n);
    },
    backward(_p, x, y, dY, dX, _g, batch) {
      if (n === 0) unsized();
      if (dX !== null) kernels.backward(x, y, dY, dX, batch * n, n);
    },
    withSize: (m) => activationLayer(kind, m, kernels, config),
    // Element-wise kernels compute on either array type: the float32 form is the layer itself.
    float32() {
      return this;
    },
    ...(config === undefined ? {} : { toConfig: () => ({ ...config }) }),
  };
}
