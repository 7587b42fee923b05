/** The JavaScript form of adam's one-pass kernel (used where WebAssembly is unavailable) equals the chain bit for bit. */
import { describe, expect, it, vi } from 'vitest';

vi.mock('../../../../src/core/wasm/wasmKernels.js', async (original) => ({
  ...(await original<object>()),
  adamApplyWasm64: () => false,
  adamApplyWasm32: () => false,
  adamWasm64: () => false,
}));

const { scaleByAdam } = await import('../../../../src/core/optimizers/scaleByAdam.js');
const { adamApply, adamApplyF32, adamScalars } = await import('../../../../src/core/optimizers/fused/adamApply.js');
const { fusedApply } = await import('../../../../src/core/optimizers/fused/fusedApply.js');
const { fusedFormOf } = await import('../../../../src/core/optimizers/fused/fusedForm.js');
const { sliceKernelOf } = await import('../../../../src/core/optimizers/fused/sliceKernel.js');
const { adam, applyUpdates, createRng, createParams, dense, relu, sequential } = await import('../../../../src/index.js');

describe('adamApply without WebAssembly', () => {
  it('equals scaleByAdam, the learning rate and params += u, on any split of the elements', () => {
    const layout = sequential([dense(7, 5)]).layout;
    const rng = createRng(4);
    const p0 = Float64Array.from({ length: layout.size }, () => rng.uniform(-1, 1));
    const grads = Array.from({ length: 3 }, () => Float64Array.from({ length: layout.size }, () => rng.uniform(-1, 1)));
    const lr = 0.01;
    // the chain, on this thread
    const chain = scaleByAdam();
    const pc = createParams(layout, p0.slice());
    const sc = chain.init(pc);
    // the one pass, in two slices (as two replicas would)
    const pf = p0.slice();
    const mu = new Float64Array(layout.size);
    const nu = new Float64Array(layout.size);
    const cut = 13;
    for (let t = 1; t <= 3; t++) {
      const u = grads[t - 1]!.slice();
      chain.update(u, sc, pc);
      for (let i = 0; i < u.length; i++) pc.data[i]! += u[i]! * -lr;
      const s = adamScalars(new Float64Array(6), 0.9, 0.999, 1e-7, t, -lr);
      const g = grads[t - 1]!.slice();
      adamApply(pf.subarray(0, cut), g.subarray(0, cut), mu.subarray(0, cut), nu.subarray(0, cut), s);
      adamApply(pf.subarray(cut), g.subarray(cut), mu.subarray(cut), nu.subarray(cut), s);
    }
    expect(Array.from(pf)).toEqual(Array.from(pc.data));
    expect(Array.from(mu)).toEqual(Array.from(sc.mu));
    expect(Array.from(nu)).toEqual(Array.from(sc.nu));
    adamApply(
      new Float64Array(0),
      new Float64Array(0),
      new Float64Array(0),
      new Float64Array(0),
      adamScalars(new Float64Array(6), 0.9, 0.999, 1e-7, 1, -lr),
    ); // an empty slice: nothing to do
  });
});

describe('adamApplyF32 without WebAssembly', () => {
  it("equals a float32 model's single-thread update (the chain on float32 arrays), on any split of the elements", () => {
    const model = sequential([dense(30, 17), relu(), dense(17, 5)], { precision: 'float32' });
    const rng = createRng(5);
    const one = model.init(createRng(2));
    const many = model.init(createRng(2));
    const opt = adam({ lr: 0.01 });
    const form = fusedFormOf(opt)!;
    const stateOne = opt.init(one);
    const stateMany = opt.init(many);
    const kernel = sliceKernelOf(form);
    const s = new Float64Array(8);
    for (let t = 0; t < 3; t++) {
      const g = model.init(createRng(50 + t)).data;
      for (let i = 0; i < g.length; i++) g[i] = rng.uniform(-1, 1) * 10 ** ((i % 4) - 2);
      // one thread: the one-pass kernel declines (no WebAssembly), the optimizer's own update runs
      const g1 = g.slice();
      expect(fusedApply(form, g1, stateOne, one, new Float64Array(8))).toBe(false);
      opt.update(g1, stateOne, one);
      applyUpdates(one, g1);
      // the replicas' slices
      const g2 = g.slice();
      expect(kernel.begin(stateMany, many, s)).toBe(true);
      const mu = kernel.buffer(stateMany, 0);
      const nu = kernel.buffer(stateMany, 1);
      for (const [a, b] of [
        [0, 7],
        [7, 300],
        [300, g.length],
      ] as const)
        adamApplyF32(many.data.subarray(a, b), g2.subarray(a, b), mu.subarray(a, b), nu.subarray(a, b), s);
      expect(Array.from(many.data)).toEqual(Array.from(one.data));
      expect(Array.from(mu)).toEqual(Array.from(kernel.buffer(stateOne, 0)));
      expect(Array.from(nu)).toEqual(Array.from(kernel.buffer(stateOne, 1)));
    }
    expect(many.data).toBeInstanceOf(Float32Array);
    expect(kernel.buffer(stateMany, 0)).toBeInstanceOf(Float32Array);
  });
});
