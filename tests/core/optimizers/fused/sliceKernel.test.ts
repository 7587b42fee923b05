/**
 * The slice kernels (what each data-parallel replica runs on its slice of the weights) give the
 * single-thread update bit for bit on any split of the elements: here for float32 models, whose
 * single-thread update is the f32x4 kernel (`fusedApply`) where WebAssembly SIMD runs.
 */
import { describe, expect, it } from 'vitest';
import {
  adam,
  applyUpdates,
  createRng,
  dense,
  relu,
  sequential,
  sgd,
  type GradientTransformation,
  type OptState,
  type Params,
} from '../../../../src/index.js';
import { adamApplyF32 } from '../../../../src/core/optimizers/fused/adamApply.js';
import { fusedApply } from '../../../../src/core/optimizers/fused/fusedApply.js';
import { fusedFormOf } from '../../../../src/core/optimizers/fused/fusedForm.js';
import { sgdApply } from '../../../../src/core/optimizers/fused/sgdApply.js';
import { sliceKernelOf } from '../../../../src/core/optimizers/fused/sliceKernel.js';

/** What `update(opt)` does on one thread: the one-pass kernel where it runs, else the optimizer's own update. */
function oneThread(opt: GradientTransformation<OptState[]>, g: Float64Array, state: OptState[], params: Params): void {
  if (fusedApply(fusedFormOf(opt)!, g, state, params, new Float64Array(8))) return;
  opt.update(g, state, params);
  applyUpdates(params, g);
}

/** The slice kernel on the split `cuts` of the elements, as the replicas run it. */
function sliced(
  opt: GradientTransformation<OptState[]>,
  g: Float64Array,
  state: OptState[],
  params: Params,
  cuts: readonly number[],
): boolean {
  const kernel = sliceKernelOf(fusedFormOf(opt)!);
  const s = new Float64Array(8);
  if (!kernel.begin(state, params, s)) return false;
  const bounds = [0, ...cuts, params.data.length];
  for (let j = 0; j + 1 < bounds.length; j++) {
    const [a, b] = [bounds[j]!, bounds[j + 1]!];
    const p = params.data.subarray(a, b);
    const gs = g.subarray(a, b);
    if (kernel.kernel === 'sgd') sgdApply(p, gs, s[0]!);
    else adamApplyF32(p, gs, kernel.buffer(state, 0).subarray(a, b), kernel.buffer(state, 1).subarray(a, b), s);
  }
  return true;
}

const model = sequential([dense(30, 17), relu(), dense(17, 5)], { precision: 'float32' }); // 617 weights

describe('slice kernels of a float32 model', () => {
  for (const [name, make] of [
    ['adam', () => adam({ lr: 0.01 })],
    ['sgd', () => sgd({ lr: 0.05 })],
  ] as const) {
    it(`${name}: any split gives the single-thread float32 update bit for bit (weights and state)`, () => {
      const rng = createRng(9);
      const one = model.init(createRng(3));
      const many = model.init(createRng(3));
      const optOne = make();
      const optMany = make();
      const stateOne = optOne.init(one);
      const stateMany = optMany.init(many);
      for (let t = 0; t < 4; t++) {
        const g = model.init(createRng(100 + t)).data; // float32 "gradients"
        for (let i = 0; i < g.length; i++) g[i] = rng.uniform(-1, 1) * 10 ** ((i % 5) - 3);
        oneThread(optOne, g.slice(), stateOne, one);
        expect(sliced(optMany, g.slice(), stateMany, many, [1, 203, 204, 411])).toBe(true);
        expect(Array.from(many.data)).toEqual(Array.from(one.data));
      }
      expect(many.data).toBeInstanceOf(Float32Array);
      expect(JSON.stringify(stateMany)).toBe(JSON.stringify(stateOne));
      if (name === 'adam') {
        const kernel = sliceKernelOf(fusedFormOf(optMany)!);
        expect(kernel.buffer(stateMany, 0)).toBeInstanceOf(Float32Array);
        expect(Array.from(kernel.buffer(stateMany, 1))).toEqual(Array.from(kernel.buffer(stateOne, 1)));
      }
    });
  }

  it("adam declines a float32 model below the one-pass size (its single-thread update is the chain's)", () => {
    const small = sequential([dense(4, 4)], { precision: 'float32' });
    const opt = adam();
    const params = small.init(createRng(1));
    const state = opt.init(params);
    expect(sliceKernelOf(fusedFormOf(opt)!).begin(state, params, new Float64Array(8))).toBe(false);
    expect((state[0] as { count: number }).count).toBe(0);
  });
});
