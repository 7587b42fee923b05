import type { GradientTransformation } from '../optimizer.js';
import { zerosLike } from '../params.js';
import { adamWasm64 } from '../wasm/wasmKernels.js';
import { checkBoolean, checkNumber } from './checkOption.js';

/** From this many parameters on, Adam's update runs on the WebAssembly SIMD kernel. */
const ADAM_WASM_MIN = 256;

/** Options of {@link scaleByAdam}; the defaults are Keras's and TensorFlow.js's. */
export interface ScaleByAdamOptions {
  /** Decay of the first moment, in [0, 1) (default 0.9). */
  readonly beta1?: number;
  /** Decay of the second moment, in [0, 1) (default 0.999). */
  readonly beta2?: number;
  /** Added to `√v̂`, > 0 (default 1e-7). */
  readonly epsilon?: number;
  /** AMSGrad: divide by the running maximum of the second moment (default false). */
  readonly amsgrad?: boolean;
}

/** State of {@link scaleByAdam}: update count, moments, and (AMSGrad only) the maximum second moment. */
export interface ScaleByAdamState {
  [key: string]: number | Float64Array | null;
  count: number;
  mu: Float64Array;
  nu: Float64Array;
  /** `null` unless `amsgrad`. */
  nuMax: Float64Array | null;
}

/**
 * Rescales updates as Adam does (Kingma & Ba 2015), in TensorFlow.js's form:
 * `m ← β₁m + (1−β₁)g`, `v ← β₂v + (1−β₂)g²`, `t ← t+1`,
 * `u ← m̂ / (√v̂ + ε)` with `m̂ = m/(1−β₁ᵗ)`, `v̂ = v/(1−β₂ᵗ)`. With `amsgrad`, `v̂` uses
 * `vmax ← max(vmax, v)` instead of `v` (as Keras and PyTorch do).
 *
 * @param name - the prefix of error paths.
 * @example
 * import { chain, scaleByAdam, scaleByLearningRate } from 'gradstream';
 * const adam = chain(scaleByAdam({ beta1: 0.9, beta2: 0.999, epsilon: 1e-7 }), scaleByLearningRate(0.001));
 */
export function scaleByAdam(options: ScaleByAdamOptions = {}, name = 'scaleByAdam'): GradientTransformation<ScaleByAdamState> {
  const b1 = checkNumber(`${name}.beta1`, options.beta1 ?? 0.9, '[0, 1)');
  const b2 = checkNumber(`${name}.beta2`, options.beta2 ?? 0.999, '[0, 1)');
  const eps = checkNumber(`${name}.epsilon`, options.epsilon ?? 1e-7, '> 0');
  const amsgrad = checkBoolean(`${name}.amsgrad`, options.amsgrad ?? false);
  return {
    init: (params) => {
      // The moments have the parameters' precision (Float32Array for a float32 model).
      const n = params.data.length;
      return { count: 0, mu: zerosLike(params.data, n), nu: zerosLike(params.data, n), nuMax: amsgrad ? zerosLike(params.data, n) : null };
    },
    update(updates, state) {
      const t = state.count + 1;
      const c1 = 1 - b1 ** t;
      const c2 = 1 - b2 ** t;
      const { mu, nu, nuMax } = state;
      // Long vectors without AMSGrad run on the WebAssembly SIMD kernel (bit-identical results).
      if (nuMax === null && updates.length >= ADAM_WASM_MIN && adamWasm64(updates, mu, nu, b1, b2, c1, c2, eps)) {
        state.count = t;
        return;
      }
      adamMoments(updates, mu, nu, nuMax, b1, b2, c1, c2, eps);
      state.count = t;
    },
  };
}

/**
 * Adam's step on `updates` (the gradients on entry), in place: `m ← β₁m + (1−β₁)g`,
 * `v ← β₂v + (1−β₂)g²` (`vmax ← max(vmax, v)` with AMSGrad), `u ← m/c1 / (√(v/c2) + ε)` with the
 * bias corrections `c1 = 1−β₁ᵗ`, `c2 = 1−β₂ᵗ`. The JavaScript reference of every Adam kernel.
 */
export function adamMoments(
  updates: Float64Array,
  mu: Float64Array,
  nu: Float64Array,
  nuMax: Float64Array | null,
  b1: number,
  b2: number,
  c1: number,
  c2: number,
  eps: number,
): void {
  for (let i = 0; i < updates.length; i++) {
    const g = updates[i]!;
    const m = mu[i]! * b1 + g * (1 - b1);
    let v = nu[i]! * b2 + g * g * (1 - b2);
    mu[i] = m;
    nu[i] = v;
    if (nuMax !== null) {
      if (nuMax[i]! > v) v = nuMax[i]!;
      else nuMax[i] = v;
    }
    updates[i] = m / c1 / (Math.sqrt(v / c2) + eps);
  }
}
