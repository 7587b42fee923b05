import { adamMoments } from '../scaleByAdam.js';
import { adamApplyWasm32, adamApplyWasm64 } from '../../wasm/wasmKernels.js';

/** From this many parameters on, the one-pass Adam runs (below, the chain is as fast). */
export const ADAM_FUSED_MIN = 256;

/** Adam's constants for one update `t`: `[b1, b2, 1 − b1ᵗ, 1 − b2ᵗ, eps, k]`. */
export function adamScalars(out: Float64Array, beta1: number, beta2: number, epsilon: number, t: number, k: number): Float64Array {
  out[0] = beta1;
  out[1] = beta2;
  out[2] = 1 - beta1 ** t;
  out[3] = 1 - beta2 ** t;
  out[4] = epsilon;
  out[5] = k;
  return out;
}

/**
 * Adam's moments, its rescaled update and `params += u · k` in one pass over any slice of the
 * elements (`s` from {@link adamScalars}), in place: the WebAssembly SIMD kernel, or
 * {@link adamMoments} then the scaled add where it is unavailable — bit-identical to
 * `scaleByAdam` then `scaleByLearningRate` then `applyUpdates`. `grads` may be overwritten.
 */
export function adamApply(params: Float64Array, grads: Float64Array, mu: Float64Array, nu: Float64Array, s: Readonly<Float64Array>): void {
  if (params.length === 0 || adamApplyWasm64(params, grads, mu, nu, s[0]!, s[1]!, s[2]!, s[3]!, s[4]!, s[5]!)) return;
  adamMoments(grads, mu, nu, null, s[0]!, s[1]!, s[2]!, s[3]!, s[4]!);
  const k = s[5]!;
  for (let i = 0; i < params.length; i++) params[i] = params[i]! + grads[i]! * k;
}

/** The float32 form of {@link adamApply} (float32 arithmetic, f32x4 kernel); false when unavailable. */
export function adamApply32(
  params: Float32Array,
  grads: Readonly<Float32Array>,
  mu: Float32Array,
  nu: Float32Array,
  s: Readonly<Float64Array>,
): boolean {
  return adamApplyWasm32(params, grads, mu, nu, s[0]!, s[1]!, s[2]!, s[3]!, s[4]!, s[5]!);
}

/**
 * Adam's update of any slice of a float32 model's elements, as the single-thread float32 run
 * makes it (`s` from {@link adamScalars}, `k = −lr`): the f32x4 kernel, which `fusedApply` runs;
 * or, where it is unavailable, what the optimizer's own `update` then computes on the
 * float32 arrays — {@link adamMoments} (float64 arithmetic, each store rounded to float32), the
 * scaled update rounded, then `params += u` rounded. Elementwise, so any split of the elements
 * gives the whole-array result bit for bit. `grads` may be overwritten. Arrays are float32 ones
 * (typed `Float64Array`, as float32 parameters are).
 */
export function adamApplyF32(
  params: Float64Array,
  grads: Float64Array,
  mu: Float64Array,
  nu: Float64Array,
  s: Readonly<Float64Array>,
): void {
  const k = s[5]!;
  if (
    params.length === 0 ||
    adamApplyWasm32(
      params as unknown as Float32Array,
      grads as unknown as Float32Array,
      mu as unknown as Float32Array,
      nu as unknown as Float32Array,
      s[0]!,
      s[1]!,
      s[2]!,
      s[3]!,
      s[4]!,
      -k,
    )
  )
    return;
  adamMoments(grads, mu, nu, null, s[0]!, s[1]!, s[2]!, s[3]!, s[4]!);
  for (let i = 0; i < params.length; i++) grads[i]! *= k;
  for (let i = 0; i < params.length; i++) params[i]! += grads[i]!;
}
