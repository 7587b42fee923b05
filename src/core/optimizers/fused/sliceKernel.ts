import type { OptState } from '../../optimizer.js';
import { precisionOf, type Params } from '../../params.js';
import type { ScaleByAdamState } from '../scaleByAdam.js';
import type { ScaleByLearningRateState } from '../scaleByLearningRate.js';
import { ADAM_FUSED_MIN, adamScalars } from './adamApply.js';
import type { FusedForm } from './fusedForm.js';

/**
 * An optimizer's one-pass update as a named elementwise kernel over `params`, `grads` and
 * `buffers` params-length state buffers, with a few scalars per step: run on any split of the
 * elements it gives the whole-array result bit for bit (how worker threads each update a slice).
 * Float64 and float32 params alike: the state buffers have the params' precision, and the
 * kernel's float32 form computes as the single-thread float32 run does (`adamApplyF32`).
 */
export interface SliceKernel {
  /** `'sgd'`: `p += k·g`, scalars `[k]`. `'adam'`: `adamApply`, scalars `[b1, b2, c1, c2, eps, k]`, buffers `[mu, nu]`. */
  readonly kernel: FusedForm['kind'];
  /** Number of state buffers the kernel updates. */
  readonly buffers: number;
  /** State buffer `i`. */
  buffer(state: OptState, i: number): Float64Array;
  /** Replaces state buffer `i` by `shared` (holding the same values), so that threads update it in place. */
  setBuffer(state: OptState, i: number, shared: Float64Array): void;
  /**
   * Writes this step's scalars into `out` and advances the state's counters as the kernel's run
   * will; returns false, having changed nothing, when the kernel cannot run on these params.
   */
  begin(state: OptState, params: Params, out: Float64Array): boolean;
}

const rateOf = (state: OptState, i: number): ScaleByLearningRateState => (state as OptState[])[i] as ScaleByLearningRateState;
const momentsOf = (state: OptState): ScaleByAdamState => (state as OptState[])[0] as ScaleByAdamState;
const sliceable = (params: Params): boolean =>
  params.layout.trainableSize === params.layout.size && (params.data instanceof Float64Array || isFloat32(params));
const isFloat32 = (params: Params): boolean => precisionOf(params.data) === 'float32';

function sgdKernel(form: Extract<FusedForm, { kind: 'sgd' }>): SliceKernel {
  return {
    kernel: 'sgd',
    buffers: 0,
    buffer: () => new Float64Array(0),
    setBuffer: () => undefined,
    begin(state, params, out) {
      if (!sliceable(params)) return false;
      const rate = rateOf(state, 0);
      out[0] = -form.rate(rate);
      rate.count += 1;
      return true;
    },
  };
}

function adamKernel(form: Extract<FusedForm, { kind: 'adam' }>): SliceKernel {
  return {
    kernel: 'adam',
    buffers: 2,
    buffer: (state, i) => (i === 0 ? momentsOf(state).mu : momentsOf(state).nu),
    setBuffer(state, i, shared) {
      if (i === 0) momentsOf(state).mu = shared;
      else momentsOf(state).nu = shared;
    },
    begin(state, params, out) {
      const m = momentsOf(state);
      if (!sliceable(params) || m.nuMax !== null) return false;
      // float32: below this size the single-thread run takes the chain, whose roundings differ from the f32 kernel's
      if (isFloat32(params) && params.data.length < ADAM_FUSED_MIN) return false;
      const rate = rateOf(state, 1);
      m.count += 1;
      adamScalars(out, form.beta1, form.beta2, form.epsilon, m.count, -form.rate(rate));
      rate.count += 1;
      return true;
    },
  };
}

/** The slice kernel of a one-pass form. */
export function sliceKernelOf(form: FusedForm): SliceKernel {
  return form.kind === 'sgd' ? sgdKernel(form) : adamKernel(form);
}
