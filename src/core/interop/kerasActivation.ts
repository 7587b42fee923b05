import { GradstreamError, describeTyped } from '../errors.js';
import type { Layer } from '../layer.js';
import { elu } from '../layers/elu.js';
import { identity } from '../layers/identity.js';
import { relu } from '../layers/relu.js';
import { sigmoid } from '../layers/sigmoid.js';
import { softmax } from '../layers/softmax.js';
import { softplus } from '../layers/softplus.js';
import { tanh } from '../layers/tanh.js';

/** The Keras activation names gradstream has a layer for, and that layer for `size` features. */
const KERAS_ACTIVATIONS: Readonly<Record<string, (size: number) => Layer>> = {
  linear: (n) => identity(n),
  relu: (n) => relu(n),
  sigmoid: (n) => sigmoid(n),
  tanh: (n) => tanh(n),
  softplus: (n) => softplus(n),
  softmax: (n) => softmax(n),
  elu: (n) => elu(1, n),
};

/**
 * The gradstream layer of a Keras activation name (`'relu'`, `'linear'`, …) for `size` features,
 * or a `GradstreamError` naming `path` and the activations supported.
 */
export function kerasActivation(name: unknown, size: number, path: string): Layer {
  const make = typeof name === 'string' && Object.hasOwn(KERAS_ACTIVATIONS, name) ? KERAS_ACTIVATIONS[name] : undefined;
  if (make === undefined) {
    throw new GradstreamError({
      code: 'invalid_config',
      path,
      expected: `a supported activation (${Object.keys(KERAS_ACTIVATIONS).join(', ')})`,
      received: describeTyped(name),
    });
  }
  return make(size);
}
