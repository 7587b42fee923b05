import type { OptState } from '../../optimizer.js';
import type { Params } from '../../params.js';
import type { ScaleByAdamState } from '../scaleByAdam.js';
import type { ScaleByLearningRateState } from '../scaleByLearningRate.js';
import { ADAM_FUSED_MIN, adamApply, adamApply32, adamScalars } from './adamApply.js';
import type { FusedForm } from './fusedForm.js';
import { sgdApply } from './sgdApply.js';

/**
 * Computes the update of the optimizer of `form` and adds it to `params` in one pass (what `update` then
 * `applyUpdates` do, bit for bit), advancing `state`. Returns false, having changed nothing, when
 * the kernel does not apply (non-trainable tensors, AMSGrad, short vectors, no WebAssembly); the
 * caller then runs the optimizer's own `update`. `grads` may be overwritten.
 */
export function fusedApply(form: FusedForm, grads: Float64Array, state: OptState[], params: Params, scratch: Float64Array): boolean {
  if (params.layout.trainableSize !== params.layout.size) return false;
  if (form.kind === 'sgd') {
    const rate = state[0] as ScaleByLearningRateState;
    const lr = form.constantRate;
    sgdApply(params.data, grads, -(lr === undefined ? form.rate(rate) : lr));
    rate.count += 1;
    return true;
  }
  const moments = state[0] as ScaleByAdamState;
  if (moments.nuMax !== null || grads.length < ADAM_FUSED_MIN) return false;
  const rate = state[1] as ScaleByLearningRateState;
  const lr = form.rate(rate);
  const s = adamScalars(scratch, form.beta1, form.beta2, form.epsilon, moments.count + 1, -lr);
  if ((params.data as unknown) instanceof Float32Array) {
    s[5] = lr; // the float32 kernel subtracts lr · u
    if (
      !adamApply32(
        params.data as unknown as Float32Array,
        grads as unknown as Float32Array,
        moments.mu as unknown as Float32Array,
        moments.nu as unknown as Float32Array,
        s,
      )
    )
      return false;
  } else {
    adamApply(params.data, grads, moments.mu, moments.nu, s);
  }
  moments.count += 1;
  rate.count += 1;
  return true;
}
