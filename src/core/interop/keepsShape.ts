import type { Layer } from '../layer.js';

/**
 * Whether `layer` computes number by number (an activation, dropout), so that Keras applies it to a
 * sample of any shape as gradstream does to the row: parameter-free, as many outputs as inputs,
 * and not `softmax` (Keras normalizes over the last axis only).
 */
export function keepsShape(layer: Layer): boolean {
  return layer.params.length === 0 && layer.inputs === layer.outputs && layer.kind !== 'softmax';
}
