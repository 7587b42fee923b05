/**
 * Weight initializers: each fills a tensor of shape `[fanIn, fanOut]` (or a bias of length
 * `fanOut`) in place from a seeded {@link Rng}, with Keras' formulas.
 */
import type { Rng } from './rng.js';

/** Fills `out` for a weight of `fanIn` inputs and `fanOut` outputs. */
export type Initializer = (out: Float64Array, fanIn: number, fanOut: number, rng: Rng) => void;

/** All zeros. */
export const zeros: Initializer = (out) => {
  out.fill(0);
};

/** Glorot (Xavier) uniform: U(−l, l) with `l = sqrt(6 / (fanIn + fanOut))` (the Keras default). */
export const glorotUniform: Initializer = (out, fanIn, fanOut, rng) => {
  const limit = Math.sqrt(6 / (fanIn + fanOut));
  for (let i = 0; i < out.length; i++) out[i] = rng.uniform(-limit, limit);
};
