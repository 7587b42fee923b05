import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { lastValueFrom, Observable, pipe, type OperatorFunction } from 'rxjs';
import { describe, expect, it } from 'vitest';
import {
  adam,
  createParams,
  createRng,
  dataParallel,
  fromArrays,
  sgd,
  train,
  update,
  type Batch,
  type StepRecord,
  type WithGrads,
  type WithLoss,
} from '../../src/index.js';
import { fusedApply } from '../../src/core/optimizers/fused/fusedApply.js';
import { fusedFormOf } from '../../src/core/optimizers/fused/fusedForm.js';
import { sliceKernelOf } from '../../src/core/optimizers/fused/sliceKernel.js';
import { startNodeThreads } from '../../src/workers/nodeThreads.js';
import { startReplicaPool, type ReplicaPool } from '../../src/workers/replicaPool.js';
import { runPoolStep } from '../../src/workers/runPoolStep.js';
import { mlp } from './fixtures/replicas.js';

const fixtures = new URL('./fixtures/replicaModules.js', import.meta.url).href;

function batch(rows: number, seed: number): Batch {
  const rng = createRng(seed);
  return {
    x: Float64Array.from({ length: rows * 6 }, () => rng.uniform(-1, 1)),
    y: Float64Array.from({ length: rows }, (_, i) => i % 3),
    size: rows,
  };
}

/** Output and gradient of the whole batch on this thread. */
function reference(b: Batch, params = mlp().model.init(createRng(1))): { out: number[]; grads: Float64Array } {
  const { model, loss } = mlp();
  const cache = model.createCache(b.size);
  const out = model.forward(params, b.x, cache, { training: true });
  const d = new Float64Array(out.length);
  loss.grad(d, out, b.y, b.size, 3);
  const g = createParams(model.layout);
  model.backward(params, cache, d, g);
  return { out: Array.from(out), grads: g.data };
}

describe('replica pool (Node threads)', () => {
  it('grows its batch buffers, counts its time, refuses steps once closed, and reports a killed worker', () => {
    const { model } = mlp();
    const params = model.init(createRng(1));
    const pool = startReplicaPool({
      workers: 2,
      model,
      loss: mlp().loss,
      spec: { kind: 'module', module: fixtures, export: 'mlp' },
      start: startNodeThreads,
    });
    for (const [rows, seed] of [
      [3, 1],
      [9, 2],
      [4, 3],
      [1, 4],
    ] as const) {
      const b = batch(rows, seed);
      const out = pool.step(params, b, 0);
      const ref = reference(b, params);
      expect(Array.from(out)).toEqual(ref.out); // rows are computed independently: the same bits
      for (let k = 0; k < ref.grads.length; k++) expect(Math.abs(pool.grads.data[k]! - ref.grads[k]!)).toBeLessThan(1e-15);
    }
    const s = pool.stats();
    expect(s.steps).toBe(4);
    expect(s.computeMs).toHaveLength(2);
    expect(s.waitMs).toBeGreaterThan(0);
    // the kill takes effect a little later: steps may still complete until it does
    pool.kill(1);
    let failure: unknown = null;
    for (const until = performance.now() + 20_000; failure === null && performance.now() < until; ) {
      try {
        pool.step(params, batch(4, 5), 1);
      } catch (e: unknown) {
        failure = e;
      }
    }
    expect((failure as Error).message).toBe('gradstream: worker 1 of 2 exited during training (exit code 1)');
    pool.close();
    pool.close();
    expect(() => pool.step(params, batch(4, 5), 1)).toThrow('workers: expected a running pool, received a closed one');
  });

  it('a failure published between two steps fails the next step at once (its counters reset do not hide it)', async () => {
    const { model, loss } = mlp();
    const params = model.init(createRng(1));
    const pool = startReplicaPool({
      workers: 2,
      model,
      loss,
      spec: { kind: 'module', module: fixtures, export: 'mlp' },
      start: startNodeThreads,
    });
    try {
      await pool.whenReady();
      pool.step(params, batch(4, 1), 0);
      pool.kill(1);
      // the supervisor reports the exit while this thread is free, between steps
      await new Promise((r) => setTimeout(r, 1000));
      let failure: unknown = null;
      for (let i = 0; i < 1000 && failure === null; i++) {
        try {
          pool.step(params, batch(4, 2), 1);
        } catch (e: unknown) {
          failure = e;
        }
      }
      expect((failure as Error).message).toBe('gradstream: worker 1 of 2 exited during training (exit code 1)');
    } finally {
      pool.close();
    }
  });

  it("keeps adam's moments in the kernels' shared memory beside the weights and updates them there, bit for bit as one thread", () => {
    const { model, loss } = mlp();
    const pool = startReplicaPool({
      workers: 2,
      model,
      loss,
      spec: { kind: 'module', module: fixtures, export: 'mlp' },
      start: startNodeThreads,
      hooks: { parallelApplyMin: 0 },
    });
    try {
      const params = model.init(createRng(1));
      const opt = adam({ lr: 0.01 });
      const form = fusedFormOf(opt)!;
      const kernel = sliceKernelOf(form);
      const state = opt.init(params);
      const one = createParams(model.layout, params.data.slice());
      const oneState = opt.init(one);
      for (const seed of [1, 2, 3]) {
        pool.step(seed === 1 ? params : pool.params, batch(7, seed), seed);
        const g = Float64Array.from(pool.grads.data);
        expect(pool.apply(kernel, pool.grads.data, state, pool.params)).toBe(true);
        // one thread: the fused pass where it runs (large models), else the chain (bit for bit the same)
        if (!fusedApply(form, g, oneState, one, new Float64Array(8))) {
          opt.update(g, oneState, one);
          for (let k = 0; k < g.length; k++) one.data[k]! += g[k]!;
        }
        expect(Array.from(pool.params.data)).toEqual(Array.from(one.data));
        // the next step's gradient on one thread from the same weights
        one.data.set(pool.params.data);
      }
      // in the same memory as the weights: the kernels update them in place
      expect(kernel.buffer(state, 0).buffer).toBe(pool.params.data.buffer);
      expect(kernel.buffer(state, 1).buffer).toBe(pool.params.data.buffer);
      expect(pool.stats().applyMs.every((ms) => ms > 0)).toBe(true);
    } finally {
      pool.close();
    }
  });

  it('sums the shards in the fixed order on SIMD lanes in shared memory, bit for bit as the scalar sum (2 and 3 workers)', () => {
    const { model, loss } = mlp();
    const params = model.init(createRng(5));
    const b = batch(11, 4);
    for (const workers of [2, 3]) {
      const pool = startReplicaPool({
        workers,
        model,
        loss,
        spec: { kind: 'module', module: fixtures, export: 'mlp' },
        start: startNodeThreads,
      });
      try {
        pool.step(params, b, 0);
        // each shard's mean gradient on this thread, then g = ((w0·s0 + w1·s1) + w2·s2) in JavaScript
        const shards = Array.from({ length: workers }, (_, j) => {
          const lo = Math.floor((j * 11) / workers);
          const hi = Math.floor(((j + 1) * 11) / workers);
          const shard = { x: b.x.subarray(lo * 6, hi * 6), y: b.y.subarray(lo, hi), size: hi - lo };
          return { w: (hi - lo) / 11, g: reference(shard, params).grads };
        });
        const want = shards[0]!.g.map((v, k) => shards[0]!.w * v + shards[1]!.w * shards[1]!.g[k]!);
        for (let j = 2; j < workers; j++) for (let k = 0; k < want.length; k++) want[k] = want[k]! + shards[j]!.w * shards[j]!.g[k]!;
        expect(Array.from(pool.grads.data)).toEqual(Array.from(want));
        expect(pool.params.data.buffer).not.toBeInstanceOf(ArrayBuffer); // the kernels' shared memory
      } finally {
        pool.close();
      }
    }
  });

  it('refuses a replica whose model differs from the main thread', () => {
    const { model } = mlp();
    const pool = startReplicaPool({
      workers: 2,
      model,
      loss: mlp().loss,
      spec: { kind: 'module', module: fixtures, export: 'linear' },
      start: startNodeThreads,
    });
    try {
      expect(() => pool.step(model.init(createRng(1)), batch(2, 1), 0)).toThrow(
        "workers[1].model: expected the main thread's model (83 parameters, 6 inputs, 3 outputs), received 16 parameters, 4 inputs, 4 outputs",
      );
    } finally {
      pool.close();
    }
  });

  it('waits asynchronously for the threads to load (on either platform), and not at all without threads', async () => {
    const { model } = mlp();
    const pool = startReplicaPool({
      workers: 2,
      model,
      loss: mlp().loss,
      spec: { kind: 'module', module: fixtures, export: 'mlp' },
      start: startNodeThreads,
    });
    try {
      expect(pool.canStep()).toBe(false);
      await pool.whenReady();
      expect(pool.canStep()).toBe(true);
      const b = batch(5, 7);
      expect(Array.from(pool.step(model.init(createRng(1)), b, 0))).toEqual(reference(b).out);
    } finally {
      pool.close();
    }
    // without threads (one replica) there is nothing to wait for
    const alone = startReplicaPool({
      workers: 1,
      model,
      loss: mlp().loss,
      spec: { kind: 'module', module: fixtures, export: 'mlp' },
      start: startNodeThreads,
    });
    expect(alone.canStep()).toBe(true);
    alone.close();
    const never = () => ({ heartbeat: false, post() {}, kill() {}, terminate() {} });
    const stuck = startReplicaPool({
      workers: 2,
      model,
      loss: mlp().loss,
      spec: { kind: 'module', module: fixtures, export: 'mlp' },
      start: never,
      startTimeoutMs: 30,
    });
    await expect(stuck.whenReady()).rejects.toThrow('workers: expected 1 worker thread ready within 30 ms, received 0 ready (0 started)');
    stuck.close();
  });

  it('times out clearly when the threads do not start', () => {
    const { model } = mlp();
    const never = () => ({ heartbeat: false, post() {}, kill() {}, terminate() {} });
    const pool = startReplicaPool({
      workers: 2,
      model,
      loss: mlp().loss,
      spec: { kind: 'module', module: fixtures, export: 'mlp' },
      start: never,
      startTimeoutMs: 50,
    });
    expect(() => pool.step(model.init(createRng(1)), batch(2, 1), 0)).toThrow(
      'workers: expected 1 worker thread ready within 50 ms, received 0 ready (0 started)',
    );
    pool.close();
  });

  it('unsubscribing mid-run ends the threads and the process exits by itself', () => {
    const script = fileURLToPath(new URL('./fixtures/unsubscribeMidRun.ts', import.meta.url));
    const t0 = performance.now();
    const r = spawnSync(process.execPath, ['--import', 'tsx', script], { encoding: 'utf8', timeout: 30_000 });
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toMatch(/^threads ended \(1\) after \d+ steps$/);
    expect(performance.now() - t0).toBeLessThan(30_000);
  });

  it('unsubscribing while the threads start (the first step waits for them asynchronously) ends them, and the process exits at once', () => {
    const script = fileURLToPath(new URL('./fixtures/unsubscribeMidRun.ts', import.meta.url));
    const r = spawnSync(process.execPath, ['--import', 'tsx', script, '--at-start'], { encoding: 'utf8', timeout: 30_000 });
    expect(r.status).toBe(0);
    const [ended, exit] = r.stdout.trim().split('\n');
    expect(ended).toMatch(/^threads ended \(\d\) after 0 steps$/);
    // not the 30 s start timeout: the wait ends with the pool
    expect(Number(/^exit after (\d+) ms$/.exec(exit ?? '')?.[1])).toBeLessThan(5000);
  });

  it('a closed pool is not waited for', async () => {
    const { model } = mlp();
    const pool = startReplicaPool({
      workers: 2,
      model,
      loss: mlp().loss,
      spec: { kind: 'module', module: fixtures, export: 'mlp' },
      start: startNodeThreads,
    });
    expect(pool.canStep()).toBe(false);
    pool.close();
    await expect(pool.whenReady()).rejects.toThrow('workers: expected a running pool, received a closed one');
  });
});

/**
 * A data-parallel step on the pool that never blocks the loop's thread for long (`runPoolStep`:
 * `run`, and when it answers with a promise the record is held until it settles).
 */
function poolStep(pool: ReplicaPool): OperatorFunction<StepRecord, StepRecord & WithGrads & WithLoss> {
  return (source) =>
    new Observable((subscriber) => {
      const pass = (r: StepRecord, out: Float64Array): void => {
        const rec = r as StepRecord & WithGrads & WithLoss & { output: Float64Array };
        rec.params = pool.params;
        rec.output = out;
        rec.grads = pool.grads;
        rec.loss = 0;
        subscriber.next(rec);
      };
      return source.subscribe({
        next: (r) =>
          runPoolStep(
            pool,
            r,
            (out) => pass(r, out),
            (e: unknown) => subscriber.error(e),
          ),
        error: (e: unknown) => subscriber.error(e),
        complete: () => subscriber.complete(),
      });
    });
}

describe('runPoolStep', () => {
  it('trains as dataParallel does, bit for bit, holding records only when the replicas take longer', async () => {
    const { model, loss } = mlp();
    const rng = createRng(4);
    const x = Array.from({ length: 48 }, () => Array.from({ length: 6 }, () => rng.uniform(-1, 1)));
    const y = x.map((_, i) => i % 3);
    const data = () => fromArrays(x, y, { batchSize: 8, shuffle: false, epochs: 2 });
    const pool = startReplicaPool({
      workers: 2,
      model,
      loss,
      spec: { kind: 'module', module: fixtures, export: 'mlp' },
      start: startNodeThreads,
    });
    let viaPool: number[];
    try {
      await pool.whenReady();
      const end = await lastValueFrom(
        train({
          params: model.init(createRng(1)),
          data: data(),
          scheduler: 'sliced',
          pipeline: pipe(poolStep(pool), update(sgd({ lr: 0.1 }))),
        }),
      );
      viaPool = Array.from(end.params.data);
      expect(end.step).toBe(12);
    } finally {
      pool.close();
    }
    const end = await lastValueFrom(
      train({
        params: model.init(createRng(1)),
        data: data(),
        scheduler: 'sync',
        pipeline: dataParallel(model, loss, sgd({ lr: 0.1 }), { workers: 2, replica: { module: fixtures, export: 'mlp' } }),
      }),
    );
    expect(viaPool).toEqual(Array.from(end.params.data));
  });
});

describe('a replica that throws', () => {
  it("fails run() with the replica's error, and the pool stays failed", async () => {
    const { model, loss } = mlp();
    const pool = startReplicaPool({
      workers: 2,
      model,
      loss,
      spec: { kind: 'module', module: fixtures, export: 'throwing' },
      start: startNodeThreads,
    });
    try {
      await pool.whenReady();
      const params = model.init(createRng(1));
      const b = batch(6, 1);
      b.x[3 * 6] = 999; // replica 1's shard
      // a sync throw or a rejection, whichever way the step ends
      await expect(Promise.resolve().then(() => pool.run(params, b, 0))).rejects.toThrow('replica exploded at x = 999');
      expect(() => pool.run(params, batch(6, 2), 1)).toThrow('replica exploded at x = 999');
    } finally {
      pool.close();
    }
  });
});

describe('a replica that hangs', () => {
  const hanging = (stallTimeoutMs: number) => {
    const { model, loss } = mlp();
    return {
      model,
      pool: startReplicaPool({
        workers: 2,
        model,
        loss,
        spec: { kind: 'module', module: fixtures, export: 'hanging' },
        start: startNodeThreads,
        stallTimeoutMs,
      }),
    };
  };
  const stalled =
    /^workers\[1\]: expected every replica to make progress within 1000 ms \(stallTimeoutMs\), received none for \d+ ms: replica 1 of 2 has not finished its shard of step 1$/;

  it('fails run() within stallTimeoutMs, naming it, while the thread serves timers meanwhile', async () => {
    const { model, pool } = hanging(1000);
    try {
      await pool.whenReady();
      const params = model.init(createRng(1));
      const b = batch(6, 1);
      expect(Array.from(await pool.run(params, b, 0))).toEqual(reference(b, params).out);
      b.x[3 * 6] = 555; // the first input of replica 1's shard (rows 3 … 5)
      let ticks = 0;
      const timer = setInterval(() => (ticks += 1), 10);
      const t0 = performance.now();
      const out = pool.run(params, b, 1);
      expect(out).toBeInstanceOf(Promise);
      const error = await (out as Promise<Float64Array>).then(
        () => null,
        (e: unknown) => e,
      );
      clearInterval(timer);
      expect((error as Error).message).toMatch(stalled);
      expect((error as { worker?: number }).worker).toBe(1);
      expect(ticks).toBeGreaterThan(0);
      expect(performance.now() - t0).toBeLessThan(20_000);
      // the pool stays failed with that error
      expect(() => pool.run(params, batch(6, 2), 2)).toThrow(stalled);
    } finally {
      pool.close();
    }
  });

  it('closing the pool settles a step that waits asynchronously', async () => {
    const { model, pool } = hanging(60_000);
    await pool.whenReady();
    const params = model.init(createRng(1));
    const b = batch(6, 1);
    pool.step(params, b, 0);
    b.x[3 * 6] = 555;
    const out = pool.run(params, b, 1) as Promise<Float64Array>;
    pool.close();
    await expect(out).rejects.toThrow('workers: expected a running pool, received a closed one');
  });

  it('fails the blocking step() within stallTimeoutMs, naming it', async () => {
    const { model, pool } = hanging(1000);
    try {
      await pool.whenReady();
      const params = model.init(createRng(1));
      const b = batch(6, 1);
      pool.step(params, b, 0);
      b.x[3 * 6] = 555;
      const t0 = performance.now();
      expect(() => pool.step(params, b, 1)).toThrow(stalled);
      expect(performance.now() - t0).toBeLessThan(20_000);
    } finally {
      pool.close();
    }
  });

  it('errors a training run within stallTimeoutMs, naming it, and timers fire meanwhile', async () => {
    const { model, pool } = hanging(1000);
    const rng = createRng(3);
    const x = Array.from({ length: 24 }, () => Array.from({ length: 6 }, () => rng.uniform(-1, 1)));
    const y = x.map((_, i) => i % 3);
    x[15]![0] = 555; // step 2 reads rows 12 … 17: replica 1's shard starts at row 15
    let ticks = 0;
    const timer = setInterval(() => (ticks += 1), 10);
    const t0 = performance.now();
    try {
      const run = train({
        params: model.init(createRng(1)),
        data: fromArrays(x, y, { batchSize: 6, shuffle: false, epochs: 1 }),
        scheduler: 'sliced',
        pipeline: pipe(poolStep(pool), update(sgd({ lr: 0.1 }))),
      });
      const error = await lastValueFrom(run).then(
        () => null,
        (e: unknown) => e,
      );
      expect((error as Error).message).toMatch(
        /^workers\[1\]: expected every replica to make progress within 1000 ms \(stallTimeoutMs\), received none for \d+ ms: replica 1 of 2 has not finished its shard of step 2$/,
      );
      expect(ticks).toBeGreaterThan(0);
      expect(performance.now() - t0).toBeLessThan(20_000);
    } finally {
      clearInterval(timer);
      pool.close();
    }
  });
});

describe('replica modules', () => {
  it('refuses a TypeScript replica module: worker threads load JavaScript only', async () => {
    const { model, loss } = mlp();
    const ts = new URL('./fixtures/replicas.ts', import.meta.url).href;
    const pool = startReplicaPool({
      workers: 2,
      model,
      loss,
      spec: { kind: 'module', module: ts, export: 'mlp' },
      start: startNodeThreads,
    });
    try {
      const e = await pool.whenReady().then(
        () => null,
        (err: unknown) => err,
      );
      expect((e as Error).message).toMatch(
        /^workers\.replica \(.*replicas\.ts#mlp\): expected a JavaScript module \(worker threads load no TypeScript: point to the built \.js file\), received Unknown file extension "\.ts"/,
      );
      expect((e as { worker?: number }).worker).toBe(1);
    } finally {
      pool.close();
    }
  });
});

describe('replica pool options', () => {
  it('refuses a replica count outside 1 … 64 and a stall timeout that is not positive', () => {
    const { model, loss } = mlp();
    const start = (workers: number, stallTimeoutMs?: number) => () =>
      startReplicaPool({
        workers,
        model,
        loss,
        spec: { kind: 'module', module: fixtures, export: 'mlp' },
        start: startNodeThreads,
        ...(stallTimeoutMs === undefined ? {} : { stallTimeoutMs }),
      });
    expect(start(65)).toThrow('workers: expected an integer from 1 to 64, received 65');
    expect(start(2e9)).toThrow('workers: expected an integer from 1 to 64, received 2000000000');
    expect(start(0)).toThrow('workers: expected an integer from 1 to 64, received 0');
    expect(start(1, 0)).toThrow('workers.stallTimeoutMs: expected a number of milliseconds > 0, received 0');
    start(1, 5)().close();
  });
});
