/** The JavaScript form of adam's one-pass kernel (used where WebAssembly is unavailable) equals the chain bit for bit. */
import { describe, expect, it, vi } from 'vitest';

vi.mock('../../../../src/core/wasm/wasmKernels.js', async (original) => ({
  ...(await original<object>()),
  adamApplyWasm64: () => false,
  adamWasm64: () => false,
}));

const { scaleByAdam } = await import('../../../../src/core/optimizers/scaleByAdam.js');
const { adamApply, adamScalars } = await import('../../../../src/core/optimizers/fused/adamApply.js');
const { createRng, createParams, dense, sequential } = await import('../../../../src/index.js');

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
