/**
 * dataParallel with a float32 model: float32 shared memory, the f32 kernels on every replica, the
 * fixed-order reduction rounded to float32.
 */
import { lastValueFrom, pipe, tap } from 'rxjs';
import { describe, expect, it } from 'vitest';
import {
  adam,
  createRng,
  dataParallel,
  dense,
  forward,
  fromArrays,
  gradient,
  loss,
  precisionOf,
  relu,
  sequential,
  sgd,
  softmaxCrossEntropy,
  train,
  update,
  applyUpdates,
  type DataCursor,
  decodeCheckpoint,
  encodeCheckpoint,
  type GradientTransformation,
  type OptState,
  type StepRecord,
} from '../../src/index.js';
import type { ScaleByAdamState } from '../../src/core/optimizers/scaleByAdam.js';
import { fusedApply } from '../../src/core/optimizers/fused/fusedApply.js';
import { fusedFormOf } from '../../src/core/optimizers/fused/fusedForm.js';
import { sliceKernelOf } from '../../src/core/optimizers/fused/sliceKernel.js';
import { startNodeThreads } from '../../src/workers/nodeThreads.js';
import { startReplicaPool } from '../../src/workers/replicaPool.js';
import type { ThreadHooks } from '../../src/workers/replicaThreads.js';
import { labelledRows } from './labelledRows.js';

const fixtures = new URL('./fixtures/replicaModules.js', import.meta.url).href;

/** 50 rows of 12 features, 4 classes. */
const { x, y } = labelledRows(31, 50, 12, (u) => (u[0]! + u[1]! > 0.3 ? 0 : u[2]! > 0 ? 1 : u[3]! > 0 ? 2 : 3));

interface Run {
  readonly losses: number[];
  readonly grads0: number[];
  readonly params: number[];
  readonly precisions: string[];
  /** The last record's optimizer state. */
  readonly optState: OptState;
  /** The last record (its weights and state copied). */
  readonly last: StepRecord;
}

/** Where a resumed run starts: a decoded checkpoint's fields. */
interface Resume {
  readonly params: Float64Array;
  readonly step: number;
  readonly optState: OptState;
  readonly cursor: DataCursor | undefined;
}

/** 9 steps (batches of 16 and the partial one of 2) of a float32 MLP, one thread (`workers` null) or data-parallel. */
async function run(
  workers: number | null,
  opt: () => GradientTransformation = () => adam({ lr: 0.02 }),
  hooks: ThreadHooks = {},
  resume?: Resume,
  maxSteps = 9,
): Promise<Run> {
  const model = sequential([dense(12, 24), relu(), dense(24, 4)], { precision: 'float32' });
  const ce = softmaxCrossEntropy();
  const o = opt();
  const core =
    workers === null ? pipe(forward(model), loss(ce), gradient(model, ce), update(o)) : dataParallel(model, ce, o, { workers, hooks });
  const losses: number[] = [];
  const precisions: string[] = [];
  let grads0: number[] | null = null;
  let params: number[] = [];
  let optState: OptState = null;
  let last: StepRecord | null = null;
  const init = model.init(createRng(6));
  if (resume !== undefined) init.data.set(resume.params);
  await lastValueFrom(
    train({
      params: init,
      data: fromArrays(x, y, { batchSize: 16, epochs: 3, shuffle: true, seed: 8 }),
      scheduler: 'sync',
      maxSteps,
      ...(resume === undefined
        ? {}
        : { step: resume.step, optState: resume.optState, ...(resume.cursor === undefined ? {} : { cursor: resume.cursor }) }),
      pipeline: pipe(
        core,
        tap((r) => {
          losses.push(r.loss);
          grads0 ??= Array.from(r.grads.data);
          params = Array.from(r.params.data);
          optState = r.optState ?? null;
          last = { ...r, params: { ...r.params, data: r.params.data.slice() }, optState: structuredClone(r.optState) };
          precisions.push(`${precisionOf(r.params.data)}/${precisionOf(r.grads.data)}`);
        }),
      ),
    }),
  );
  return { losses, grads0: grads0!, params, precisions, optState, last: last! };
}

/** max |a − b| relative to max |b|. */
function relDiff(a: readonly number[], b: readonly number[]): number {
  let d = 0;
  let m = 0;
  for (let i = 0; i < b.length; i++) {
    d = Math.max(d, Math.abs(a[i]! - b[i]!));
    m = Math.max(m, Math.abs(b[i]!));
  }
  return d / m;
}

describe('dataParallel with a float32 model', () => {
  it('1 worker equals the float32 single-thread run bit for bit; 2 workers agree to float32 round-off', async () => {
    const single = await run(null);
    const one = await run(1);
    const two = await run(2);
    const again = await run(2);
    expect(single.losses).toHaveLength(10);
    expect(one.precisions.every((p) => p === 'float32/float32')).toBe(true);
    expect(two.precisions.every((p) => p === 'float32/float32')).toBe(true);
    expect(one.losses).toEqual(single.losses);
    expect(one.grads0).toEqual(single.grads0);
    expect(one.params).toEqual(single.params);
    // 2 workers: the first gradient to a few float32 roundings, the run after 9 Adam steps close
    expect(relDiff(two.grads0, single.grads0)).toBeLessThan(8 * 2 ** -24);
    two.losses.forEach((l, i) => expect(Math.abs(l - single.losses[i]!)).toBeLessThan(1e-5 * Math.abs(single.losses[i]!)));
    expect(relDiff(two.params, single.params)).toBeLessThan(1e-4);
    // deterministic: the same N gives the same bits on every run
    expect(again.losses).toEqual(two.losses);
    expect(again.params).toEqual(two.params);
  }, 60_000);

  it('with sgd and 3 workers (more shards than cores) agrees to float32 round-off', async () => {
    const single = await run(null, () => sgd({ lr: 0.1 }));
    const three = await run(3, () => sgd({ lr: 0.1 }));
    expect(relDiff(three.grads0, single.grads0)).toBeLessThan(8 * 2 ** -24);
    expect(relDiff(three.params, single.params)).toBeLessThan(1e-5);
  }, 60_000);
});

describe('the optimizer update of a float32 model on the replicas', () => {
  it('adam and sgd update each slice on its replica, bit for bit as one thread, the state in float32 shared memory', () => {
    const model = sequential([dense(12, 24), relu(), dense(24, 4)], { precision: 'float32' });
    const ce = softmaxCrossEntropy();
    const rows = labelledRows(4, 11, 12, (u) => (u[0]! > 0 ? 1 : 0));
    const b = { x: Float64Array.from(rows.x.flat()), y: Float64Array.from(rows.y), size: 11 };
    const cases = [
      { workers: 2, opt: () => adam({ lr: 0.01 }), kernelsMemory: true },
      { workers: 3, opt: () => adam({ lr: 0.01 }), kernelsMemory: false },
      { workers: 2, opt: () => sgd({ lr: 0.1 }), kernelsMemory: true },
    ];
    for (const c of cases) {
      const pool = startReplicaPool({
        workers: c.workers,
        model,
        loss: ce,
        spec: { kind: 'config', model: model.toConfig!(), loss: ce.toConfig!() },
        start: startNodeThreads,
        hooks: { parallelApplyMin: 0, kernelsMemory: c.kernelsMemory },
      });
      try {
        const opt = c.opt();
        const form = fusedFormOf(opt)!;
        const kernel = sliceKernelOf(form);
        const params = model.init(createRng(1));
        const state = opt.init(params) as OptState[];
        const one = model.init(createRng(1));
        const oneState = opt.init(one) as OptState[];
        for (const step of [0, 1, 2]) {
          pool.step(step === 0 ? params : pool.params, b, step);
          const g = pool.grads.data.slice();
          expect(pool.apply(kernel, pool.grads.data, state, pool.params)).toBe(true);
          // one thread, on the same gradient: what update(opt) does
          if (!fusedApply(form, g, oneState, one, new Float64Array(8))) {
            opt.update(g, oneState, one);
            applyUpdates(one, g);
          }
          expect(Array.from(pool.params.data)).toEqual(Array.from(one.data));
          one.data.set(pool.params.data);
        }
        expect(pool.params.data).toBeInstanceOf(Float32Array);
        if (kernel.kernel === 'adam') {
          const m = state[0] as ScaleByAdamState;
          expect(m.mu).toBeInstanceOf(Float32Array);
          expect(Array.from(m.mu)).toEqual(Array.from((oneState[0] as ScaleByAdamState).mu));
          expect(Array.from(m.nu)).toEqual(Array.from((oneState[0] as ScaleByAdamState).nu));
          expect(m.count).toBe(3);
          // beside the weights in the kernels' shared memory (updated in place), or in a buffer of their own
          if (c.kernelsMemory) expect(m.nu.buffer).toBe(pool.params.data.buffer);
          else expect(m.nu.buffer).toBeInstanceOf(SharedArrayBuffer);
        }
        expect(pool.stats().applyMs.every((ms) => ms > 0)).toBe(true);
      } finally {
        pool.close();
      }
    }
  }, 60_000);

  it('in training: 1 worker equals one thread bit for bit, 2 workers agree to round-off and with themselves', async () => {
    const hooks = { parallelApplyMin: 0 };
    const single = await run(null);
    const one = await run(1, undefined, hooks);
    const two = await run(2, undefined, hooks);
    const again = await run(2, undefined, hooks);
    const moments = (one.optState as ScaleByAdamState[])[0]!;
    expect(moments.mu).toBeInstanceOf(Float32Array);
    expect(moments.mu.buffer).not.toBeInstanceOf(ArrayBuffer); // moved into shared memory
    expect(one.params).toEqual(single.params);
    expect(one.losses).toEqual(single.losses);
    expect(Array.from(moments.nu)).toEqual(Array.from((single.optState as ScaleByAdamState[])[0]!.nu));
    expect(relDiff(two.params, single.params)).toBeLessThan(1e-4);
    expect(again.params).toEqual(two.params);
    expect(again.losses).toEqual(two.losses);
    // sgd, 3 workers: the same with the plain kernel
    const sgdOne = await run(null, () => sgd({ lr: 0.1 }));
    const sgdThree = await run(3, () => sgd({ lr: 0.1 }), hooks);
    expect(relDiff(sgdThree.params, sgdOne.params)).toBeLessThan(1e-5);
    // resuming a float32 checkpoint (its moments come back as Float32Arrays) continues bit for bit
    const model = sequential([dense(12, 24), relu(), dense(24, 4)], { precision: 'float32' });
    const first = await run(2, undefined, { ...hooks }, undefined, 4);
    const c = decodeCheckpoint(JSON.parse(JSON.stringify(encodeCheckpoint(first.last))), model.layout);
    expect(((c.optState as ScaleByAdamState[])[0]!.mu as unknown) instanceof Float32Array).toBe(true);
    const rest = await run(2, undefined, hooks, { params: c.params.data, step: c.step, optState: c.optState ?? null, cursor: c.cursor });
    expect((rest.optState as ScaleByAdamState[])[0]!.mu.buffer).not.toBeInstanceOf(ArrayBuffer); // updated on the replicas
    expect(rest.losses).toEqual(two.losses.slice(4));
    expect(rest.params).toEqual(two.params);
  }, 60_000);
});

describe('a replica of another precision', () => {
  it('is refused: the threads would read float32 memory as float64', () => {
    const model = sequential([dense(6, 8), relu(), dense(8, 3)], { precision: 'float32' });
    const pool = startReplicaPool({
      workers: 2,
      model,
      loss: softmaxCrossEntropy(),
      spec: { kind: 'module', module: fixtures, export: 'mlp' },
      start: startNodeThreads,
    });
    try {
      const batch = { x: new Float64Array(12), y: new Float64Array(2), size: 2 };
      expect(() => pool.step(model.init(createRng(1)), batch, 0)).toThrow(
        "workers[1].model: expected the main thread's model (83 parameters, 6 inputs, 3 outputs, float32), received 83 parameters, 6 inputs, 3 outputs",
      );
    } finally {
      pool.close();
    }
  }, 60_000);
});
