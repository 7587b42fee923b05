import type { Layer } from './layer.js';

/**
 * The shape of one sample after `layer`, given the shape of one sample before it (undefined
 * before the first layer): the layer's `outputShape` when it has one; the shape before when the
 * layer keeps it (a parameter-free layer of equal sizes: activations, dropout); else
 * `[layer.outputs]`.
 */
export function outputShapeOf(layer: Layer, before: readonly number[] | undefined): readonly number[] {
  if (layer.outputShape !== undefined) return layer.outputShape;
  if (
    before !== undefined &&
    before.length > 1 &&
    layer.params.length === 0 &&
    layer.inputs === layer.outputs &&
    shapeSize(before) === layer.outputs
  )
    return before;
  return [layer.outputs];
}

/** The number of values in a sample of `shape` (the product of its sizes). */
export function shapeSize(shape: readonly number[]): number {
  let n = 1;
  for (let i = 0; i < shape.length; i++) n *= shape[i]!;
  return n;
}
