/** Probabilities are clipped to `[EPSILON, 1 − EPSILON]` before a log (Keras' backend epsilon). */
export const EPSILON = 1e-7;
