import type { GradientTransformation } from '../optimizer.js';
import { zerosLike } from '../params.js';
import { adamApplyWasm32, adamApplyWasm64, adamWasm64 } from '../wasm/wasmKernels.js';
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
/** {@link scaleByAdam}'s transformation, with the one-pass form `adam` uses. */
export interface ScaleByAdamTransformation extends GradientTransformation<ScaleByAdamState> {
  /**
   * `params += k · adam(grads)` in one WebAssembly pass, advancing `state` — bit-identical to
   * `update` then scaling by `k` then `applyUpdates`. Returns false, changing nothing, for AMSGrad,
   * short vectors or without WebAssembly SIMD.
   */
  applyScaled(grads: Readonly<Float64Array>, state: ScaleByAdamState, params: Float64Array, k: number): boolean;
  /**
   * The scalars of `applyScaled` for threads that each run it on a slice (`[b1, b2, c1, c2, eps,
   * k]` into `out`), advancing the count as `applyScaled` does; false (nothing changed) for
   * AMSGrad.
   */
  beginScaled(state: ScaleByAdamState, k: number, out: Float64Array): boolean;
}

export function scaleByAdam(options: ScaleByAdamOptions = {}, name = 'scaleByAdam'): ScaleByAdamTransformation {
  const b1 = checkNumber(`${name}.beta1`, options.beta1 ?? 0.9, '[0, 1)');
  const b2 = checkNumber(`${name}.beta2`, options.beta2 ?? 0.999, '[0, 1)');
  const eps = checkNumber(`${name}.epsilon`, options.epsilon ?? 1e-7, '> 0');
  const amsgrad = checkBoolean(`${name}.amsgrad`, options.amsgrad ?? false);
  // float32 parameters: moments and update in float32 arithmetic on the f32x4 kernel.
  const applyScaled32 = (grads: Readonly<Float64Array>, state: ScaleByAdamState, params: Float64Array, k: number): boolean => {
    const t = state.count + 1;
    const f32 = (a: Readonly<Float64Array>): Float32Array => a as unknown as Float32Array;
    if (!adamApplyWasm32(f32(params), f32(grads), f32(state.mu), f32(state.nu), b1, b2, 1 - b1 ** t, 1 - b2 ** t, eps, -k)) return false;
    state.count = t;
    return true;
  };
  return {
    init: (params) => {
      // The moments have the parameters' precision (Float32Array for a float32 model).
      const n = params.data.length;
      return { count: 0, mu: zerosLike(params.data, n), nu: zerosLike(params.data, n), nuMax: amsgrad ? zerosLike(params.data, n) : null };
    },
    applyScaled(grads, state, params, k) {
      if (state.nuMax !== null || grads.length < ADAM_WASM_MIN) return false;
      if ((params as unknown) instanceof Float32Array) return applyScaled32(grads, state, params, k);
      const t = state.count + 1;
      if (!adamApplyWasm64(params, grads, state.mu, state.nu, b1, b2, 1 - b1 ** t, 1 - b2 ** t, eps, k)) return false;
      state.count = t;
      return true;
    },
    beginScaled(state, k, out) {
      if (state.nuMax !== null) return false;
      const t = state.count + 1;
      out[0] = b1;
      out[1] = b2;
      out[2] = 1 - b1 ** t;
      out[3] = 1 - b2 ** t;
      out[4] = eps;
      out[5] = k;
      state.count = t;
      return true;
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
      state.count = t;
    },
  };
}

/**
 * Adam, its learning rate and `params += u·k` in one pass, in place, on any slice of the elements
 * (the WebAssembly kernel, or the same operations in JavaScript where it is unavailable): what
 * `adam()`'s one-pass update does, for a worker thread's slice.
 */
export function adamApplyInPlace(params: Float64Array, grads: Readonly<Float64Array>, mu: Float64Array, nu: Float64Array, b1: number, b2: number, c1: number, c2: number, eps: number, k: number): void {
  if (params.length === 0 || adamApplyWasm64(params, grads, mu, nu, b1, b2, c1, c2, eps, k)) return;
  for (let i = 0; i < params.length; i++) {
    const g = grads[i]!;
    const m = mu[i]! * b1 + g * (1 - b1);
    const v = nu[i]! * b2 + g * g * (1 - b2);
    mu[i] = m;
    nu[i] = v;
    params[i] = params[i]! + (m / c1 / (Math.sqrt(v / c2) + eps)) * k;
  }
}
