/**
 * dataParallel(model, loss, optimizer, { workers }): data-parallel steps on worker threads. Each run starts real
 * threads (loaded through tsx from the sources: a few seconds each), so the runs are shared by
 * the assertions below.
 */
import { lastValueFrom, map, pipe, take, tap, toArray } from 'rxjs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  adam,
  dataParallel,
  createRng,
  decodeCheckpoint,
  dense,
  dropout,
  encodeCheckpoint,
  forward,
  fromArrays,
  gradient,
  GradstreamError,
  l2,
  loss,
  type GradientTransformation,
  type Loss,
  momentum,
  sgd,
  type ScaleByAdamState,
  type Model,
  relu,
  sequential,
  softmaxCrossEntropy,
  type StepRecord,
  train,
  update,
} from '../../src/index.js';
import type { BatchSource, DataCursor } from '../../src/streams/batchSource.js';
import { labelledRows } from './labelledRows.js';

const fixtures = new URL('./fixtures/replicaModules.js', import.meta.url).href;

/** 50 rows of 6 features, 3 classes: batches of 16, 16, 16 and a last partial batch of 2 per epoch. */
const { x, y } = labelledRows(11, 50, 6, (u) => (u[0]! + u[1]! > 0.3 ? 0 : u[2]! > 0 ? 1 : 2));
const data = (): BatchSource => fromArrays(x, y, { batchSize: 16, epochs: 3, shuffle: true, seed: 5 });

interface Run {
  readonly losses: number[];
  readonly grads0: Float64Array;
  readonly params: Float64Array;
  readonly steps: number[];
  readonly sizes: number[];
}

function mlp(penalized = false): { model: Model; ce: Loss } {
  return {
    model: sequential([dense(6, 8, penalized ? { kernelRegularizer: l2(0.01) } : {}), relu(), dense(8, 3)]),
    ce: softmaxCrossEntropy(),
  };
}

/** Trains 9 steps (every batch size, including the partial one) and collects what the records held. */
async function run(
  workers: number | null,
  opts: {
    penalized?: boolean;
    opt?: () => GradientTransformation;
    parallelApplyMin?: number;
    kernelsMemory?: boolean;
    source?: BatchSource;
    step?: number;
    params?: Float64Array;
    optState?: StepRecord['optState'];
    cursor?: DataCursor;
    maxSteps?: number;
  } = {},
): Promise<Run & { last: StepRecord }> {
  const { model, ce } = mlp(opts.penalized);
  const init = model.init(createRng(3));
  if (opts.params !== undefined) init.data.set(opts.params);
  // (the optimizer runs on the threads from 0 parameters on, unless the test says otherwise)
  const opt = opts.opt?.() ?? adam({ lr: 0.05 });
  const core =
    workers === null
      ? pipe(forward(model), loss(ce), gradient(model, ce), update(opt))
      : dataParallel(model, ce, opt, {
          workers,
          hooks: {
            parallelApplyMin: opts.parallelApplyMin ?? 0,
            ...(opts.kernelsMemory === undefined ? {} : { kernelsMemory: opts.kernelsMemory }),
          },
        });
  const losses: number[] = [];
  const steps: number[] = [];
  const sizes: number[] = [];
  let grads0: Float64Array | null = null;
  let last: StepRecord | null = null;
  await lastValueFrom(
    train({
      params: init,
      data: opts.source ?? data(),
      scheduler: 'sync',
      maxSteps: opts.maxSteps ?? 9,
      ...(opts.step === undefined ? {} : { step: opts.step }),
      ...(opts.optState === undefined ? {} : { optState: opts.optState }),
      ...(opts.cursor === undefined ? {} : { cursor: opts.cursor }),
      pipeline: pipe(
        core,
        tap((r) => {
          losses.push(r.loss);
          steps.push(r.step);
          sizes.push(r.batch.size);
          grads0 ??= r.grads.data.slice();
          last = { ...r, params: { ...r.params, data: r.params.data.slice() }, optState: structuredClone(r.optState) };
        }),
      ),
    }),
  );
  const l = last as unknown as StepRecord;
  return { losses, steps, sizes, grads0: grads0!, params: l.params.data, last: l };
}

/** max |a − b| relative to max |b|. */
function relDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0;
  let m = 0;
  for (let i = 0; i < b.length; i++) {
    d = Math.max(d, Math.abs(a[i]! - b[i]!));
    m = Math.max(m, Math.abs(b[i]!));
  }
  return d / m;
}

describe('dataParallel', () => {
  let single: Run & { last: StepRecord };
  let two: Run & { last: StepRecord };
  beforeAll(async () => {
    single = await run(null);
    two = await run(2);
  }, 60_000); // threads start in each run: slow on a busy machine

  it('covers batches of 16 and the last partial batch of 2 rows', () => {
    expect(single.sizes).toEqual([16, 16, 16, 2, 16, 16, 16, 2, 16, 16]);
    expect(two.steps).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('with 1 worker equals the single-thread run bit for bit', async () => {
    const one = await run(1);
    expect(one.losses).toEqual(single.losses);
    expect(Array.from(one.grads0)).toEqual(Array.from(single.grads0));
    expect(Array.from(one.params)).toEqual(Array.from(single.params));
  });

  it('with 2 workers equals the single-thread run to round-off, and itself bit for bit', async () => {
    // first gradient: within the documented bound, (B + 2)·2⁻⁵³ relative to the terms
    expect(relDiff(two.grads0, single.grads0)).toBeLessThan(18 * 2 ** -53 * 16);
    for (let i = 0; i < single.losses.length; i++) expect(Math.abs(two.losses[i]! - single.losses[i]!)).toBeLessThan(1e-12);
    expect(relDiff(two.params, single.params)).toBeLessThan(1e-10);
    const again = await run(2);
    expect(again.losses).toEqual(two.losses);
    expect(Array.from(again.params)).toEqual(Array.from(two.params));
  });

  it('with 3 workers (16 rows: shards of 5, 5, 6; 2 rows: an empty shard) equals the single-thread run to round-off', async () => {
    const three = await run(3);
    expect(relDiff(three.grads0, single.grads0)).toBeLessThan(1e-14);
    expect(relDiff(three.params, single.params)).toBeLessThan(1e-10);
  });

  it('adds a weight penalty once (not once per shard)', async () => {
    const [s, w] = [await run(null, { penalized: true, maxSteps: 3 }), await run(2, { penalized: true, maxSteps: 3 })];
    expect(relDiff(w.grads0, s.grads0)).toBeLessThan(1e-14);
    for (let i = 0; i < s.losses.length; i++) expect(Math.abs(w.losses[i]! - s.losses[i]!)).toBeLessThan(1e-12);
    expect(w.last).toHaveProperty('penalty');
  });

  it('runs adam and sgd on the replicas (state in shared memory), other optimizers on this thread, all equal to one thread', async () => {
    // adam: its moments moved into shared memory, where each replica updated its slice
    const moments = (two.last.optState as ScaleByAdamState[])[0]!;
    expect(moments.mu.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(moments.nu.buffer).toBeInstanceOf(SharedArrayBuffer);
    const one = await run(1);
    expect((one.last.optState as ScaleByAdamState[])[0]!.mu.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(Array.from((one.last.optState as ScaleByAdamState[])[0]!.mu)).toEqual(
      Array.from((single.last.optState as ScaleByAdamState[])[0]!.mu),
    );
    // in SharedArrayBuffers instead of the kernels' shared WebAssembly memory (the kernels copy
    // their operands, the reduction runs in JavaScript): the same bits
    const buffers = await run(2, { kernelsMemory: false });
    expect((buffers.last.optState as ScaleByAdamState[])[0]!.mu.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(buffers.losses).toEqual(two.losses);
    expect(Array.from(buffers.params)).toEqual(Array.from(two.params));
    // a model below the default threshold (16 384 parameters) updates on the loop's thread
    const small = await run(2, { parallelApplyMin: 16_384, maxSteps: 3 });
    expect((small.last.optState as ScaleByAdamState[])[0]!.mu.buffer).toBeInstanceOf(ArrayBuffer);
    // sgd (a slice kernel), momentum and clipped adam (this thread): equal to one thread
    const opts: (() => GradientTransformation)[] = [
      () => sgd({ lr: 0.1 }) as GradientTransformation,
      () => momentum({ lr: 0.1, momentum: 0.9 }) as GradientTransformation,
      () => adam({ lr: 0.05, clipNorm: 1 }) as GradientTransformation,
    ];
    for (const opt of opts) {
      const [s1, w1, w2] = [await run(null, { opt, maxSteps: 5 }), await run(1, { opt, maxSteps: 5 }), await run(2, { opt, maxSteps: 5 })];
      expect(Array.from(w1.params)).toEqual(Array.from(s1.params));
      expect(w1.losses).toEqual(s1.losses);
      expect(relDiff(w2.params, s1.params)).toBeLessThan(1e-12);
    }
  });

  it('resumes exactly from a checkpoint taken with workers', async () => {
    const first = await run(2, { maxSteps: 4 });
    const file = JSON.parse(JSON.stringify(encodeCheckpoint(first.last))) as unknown;
    const { model } = mlp();
    const c = decodeCheckpoint(file, model.layout);
    expect(c.step).toBe(4);
    const rest = await run(2, { params: c.params.data, step: c.step, optState: c.optState, cursor: c.cursor });
    expect(rest.steps[0]).toBe(4);
    expect(rest.losses).toEqual(two.losses.slice(4));
    expect(Array.from(rest.params)).toEqual(Array.from(two.params));
  });
});

describe('dataParallel: replicas that answer asynchronously', () => {
  it('emits every record, the final one included, before completing, with the same weights as fast replicas', async () => {
    const { model, ce } = mlp();
    const go = (exp: string) =>
      lastValueFrom(
        train({
          params: model.init(createRng(1)),
          data: data(),
          scheduler: 'sync',
          maxSteps: 3,
          pipeline: pipe(
            dataParallel(model, ce, adam({ lr: 0.05 }), { workers: 2, replica: { module: fixtures, export: exp } }),
            map((r) => ({ step: r.step, stop: r.stopReason, params: Array.from(r.params.data) })),
            toArray(),
          ),
        }),
      );
    const slow = await go('slow');
    const fast = await go('mlp');
    expect(slow.map((r) => [r.step, r.stop])).toEqual([
      [0, undefined],
      [1, undefined],
      [2, undefined],
      [3, 'maxSteps'],
    ]);
    expect(slow.at(-1)!.params).toEqual(fast.at(-1)!.params);
  }, 60_000);
});

describe('dataParallel: failures and lifecycle', () => {
  it('errors the run with the error a worker throws', async () => {
    const { model, ce } = mlp();
    const xs = x.map((r, i) => (i === 24 ? [999, ...r.slice(1)] : r)); // row 24: the first of shard 1 of the second batch
    const run$ = train({
      params: model.init(createRng(1)),
      data: fromArrays(xs, y, { batchSize: 16 }),
      scheduler: 'sync',
      maxSteps: 20,
      pipeline: dataParallel(model, ce, adam(), { workers: 2, replica: { module: fixtures, export: 'throwing' } }),
    });
    const seen: number[] = [];
    const err = await lastValueFrom(run$.pipe(tap((r) => seen.push(r.step)))).catch((e: unknown) => e);
    expect(seen).toEqual([0]);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toBe('replica exploded at x = 999');
    expect((err as { worker?: number }).worker).toBe(1);
  });

  it('errors the run clearly when a worker thread dies (process.exit inside it)', async () => {
    const { model, ce } = mlp();
    const xs = x.map((r, i) => (i === 8 ? [777, ...r.slice(1)] : r)); // row 8: the first of shard 1 (worker 1's)
    const err = await lastValueFrom(
      train({
        params: model.init(createRng(1)),
        data: fromArrays(xs, y, { batchSize: 16 }),
        scheduler: 'sync',
        maxSteps: 20,
        pipeline: dataParallel(model, ce, adam(), { workers: 2, replica: { module: fixtures, export: 'exiting' } }),
      }),
    ).catch((e: unknown) => e);
    expect((err as Error).message).toBe('gradstream: worker 1 of 2 exited during training (exit code 3)');
  });

  it('refuses more replicas than 64 before starting a thread, naming the allowed range', () => {
    const { model, ce } = mlp();
    expect(() => dataParallel(model, ce, adam(), { workers: 100_000 })).toThrow(
      'dataParallel.workers: expected an integer from 1 to 64, received 100000',
    );
  });

  it('errors when a replica cannot be built, with the GradstreamError of the worker', async () => {
    const { model, ce } = mlp();
    const err = await lastValueFrom(
      train({
        params: model.init(createRng(1)),
        data: data(),
        scheduler: 'sync',
        maxSteps: 20,
        pipeline: dataParallel(model, ce, adam(), { workers: 2, replica: { module: fixtures, export: 'notAReplica' } }),
      }),
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GradstreamError);
    expect((err as Error).message).toMatch(
      /^workers\.replica \(.*#notAReplica\): expected \{ model, loss \} \(or a function returning it\), received 42$/,
    );
  });

  // The supervisor is terminated right after the first steps, often before its first
  // 100 ms heartbeat tick: the count then stays at the one beat made at its start. Termination
  // takes effect a little later (the steps go on meanwhile), so the data outlasts it.
  it('errors the run clearly when its threads are terminated between steps', async () => {
    const { model, ce } = mlp();
    let thread: { terminate(): unknown } | null = null;
    const hooks = { heartbeatTimeoutMs: 600, onStart: (t: { terminate(): unknown }) => void (thread = t) };
    const seen: number[] = [];
    const err = await lastValueFrom(
      train({
        params: model.init(createRng(1)),
        data: fromArrays(x, y, { batchSize: 16, epochs: 1_000_000 }),
        scheduler: 'sync',
        pipeline: pipe(
          dataParallel(model, ce, adam(), { workers: 2, hooks }),
          tap((r) => {
            seen.push(r.step);
            if (r.step === 1) void thread!.terminate();
          }),
        ),
      }),
    ).catch((e: unknown) => e);
    expect(seen.slice(0, 2)).toEqual([0, 1]);
    expect(seen.length).toBeLessThan(1_000_000);
    // whichever the loop's thread sees first: the missing heartbeat, or the supervisor's exit
    expect((err as Error).message).toMatch(
      /^gradstream: the worker (threads stopped responding \(no heartbeat for 600 ms; terminated\?\)|supervisor exited during training \(exit code 1\))$/,
    );
  });

  it('ends its threads when the run is unsubscribed (take) and when it completes', async () => {
    const { model, ce } = mlp();
    const exits: Promise<number>[] = [];
    const hooks = {
      onStart: (t: { on(e: 'exit', l: (code: number) => void): unknown; terminate(): unknown }) =>
        void exits.push(new Promise<number>((resolve) => t.on('exit', resolve))),
    };
    const losses = await lastValueFrom(
      train({
        params: model.init(createRng(1)),
        data: data(),
        scheduler: 'sliced',
        pipeline: dataParallel(model, ce, adam(), { workers: 2, hooks }),
      }).pipe(
        take(3),
        map((r) => r.loss),
        toArray(),
      ),
    );
    expect(losses).toHaveLength(3);
    expect(exits).toHaveLength(1);
    await expect(exits[0]).resolves.toBe(1); // terminated
  });
});

describe('dataParallel: options', () => {
  it('refuses a bad worker count, a model without config and dropout; takes a float32 model', () => {
    const { model, ce } = mlp();
    expect(() => dataParallel(model, ce, adam(), { workers: 0 })).toThrow(
      'dataParallel.workers: expected an integer from 1 to 64, received 0',
    );
    expect(() => dataParallel(model, ce, adam(), { workers: 1.5 })).toThrow(GradstreamError);
    const custom: Model = { ...model, toConfig: undefined } as Model;
    expect(() => dataParallel(custom, ce, adam(), { workers: 2 })).toThrow(
      'dataParallel.replica: expected a model and loss with toConfig() (built-in layers and losses), or options.replica { module, export }, received a model without toConfig',
    );
    // a config the threads could not build is refused here, once, by the schemas
    const odd: Model = { ...model, toConfig: () => ({ layers: [{ type: 'dense', inputs: 6, units: 'eight' }] }) } as unknown as Model;
    expect(() => dataParallel(odd, ce, adam(), { workers: 2 })).toThrow(/^dataParallel\.model\.toConfig\(\)\.layers\[0\]\.units: expected/);
    const custom2 = sequential([dense(6, 8), { ...relu(8), toConfig: undefined }, dense(8, 3)]);
    expect(() => dataParallel(custom2, ce, adam(), { workers: 2 })).toThrow(
      /^dataParallel\.replica: expected a model whose layers all have a config, or options\.replica \{ module, export \}, received a model that cannot be saved as config \(layers\[1\]/,
    );
    expect(() => dataParallel(custom2, ce, adam(), { workers: 2, replica: { module: fixtures, export: 'mlp' } })).not.toThrow();
    expect(() => dataParallel(sequential([dense(6, 8), dropout(0.5), dense(8, 3)]), ce, adam(), { workers: 2 })).toThrow(
      'dataParallel.model.layers[1]: expected layers that treat rows independently (no dropout or batchNorm with workers), received dropout',
    );
    // float32 models run on the workers (tests/workers/float32Parallel.test.ts)
    expect(() =>
      dataParallel(sequential([dense(6, 8), relu(), dense(8, 3)], { precision: 'float32' }), ce, adam(), { workers: 2 }),
    ).not.toThrow();
  });

  it('falls back to one thread with a single warning where SharedArrayBuffer is unavailable', async () => {
    const g = globalThis as { crossOriginIsolated?: boolean };
    g.crossOriginIsolated = false;
    const warnings: string[] = [];
    const { model, ce } = mlp();
    let op: ReturnType<typeof dataParallel>;
    try {
      op = dataParallel(model, ce, adam({ lr: 0.05 }), { workers: 2, logger: { warn: (m) => warnings.push(m) } });
    } finally {
      delete g.crossOriginIsolated;
    }
    const single = await run(null, { maxSteps: 3 });
    const go = (): Promise<number[]> =>
      lastValueFrom(
        train({ params: model.init(createRng(3)), data: data(), scheduler: 'sync', maxSteps: 3, pipeline: op }).pipe(
          map((r) => r.loss),
          toArray(),
        ),
      );
    expect(await go()).toEqual(single.losses);
    await go();
    expect(warnings).toEqual([
      'gradstream: dataParallel({ workers: 2 }) runs on one thread: SharedArrayBuffer is unavailable (a page needs the headers Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp)',
    ]);
  });
});
