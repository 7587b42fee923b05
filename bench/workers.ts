/**
 * Data-parallel training on worker threads: W3 (MLP 784 → 128 ReLU → 10, softmax cross-entropy,
 * Adam 1e-3, 8192 seeded samples, 3 epochs) at batch 64 and 256, float64 and float32
 * (`precision: 'float32'`), on one thread (`forward, loss, gradient, update`) and with
 * `dataParallel(model, loss, optimizer, { workers: N })`.
 *
 *   npm run bench:workers                      # workers 1 and 2, batches 64 and 256, both precisions, 5 rounds
 *   npm run bench:workers -- --workers 1,2,4 --batches 256 --precision float32 --rounds 7
 *
 * Throughput counts the steps after the first one (the first waits for the threads to load), by
 * the wall clock and by the process's CPU time (all its threads). Contenders run interleaved,
 * round after round; the table shows medians (the machine may be shared: expect noise). Then one
 * pool is driven directly to split a step's time: copying the weights and batch into shared
 * memory, each replica's compute, the update of its slice, and the rest — barrier, reduction and
 * wake-ups.
 */
import { lastValueFrom, pipe, tap, type OperatorFunction } from 'rxjs';
import {
  adam,
  createRng,
  dataParallel,
  dense,
  forward,
  fromArrays,
  gradient,
  loss,
  mse,
  relu,
  sequential,
  sgd,
  softmaxCrossEntropy,
  type StepRecord,
  train,
  update,
  type WithGrads,
  type WithLoss,
  zerosLike,
} from '../src/index.js';
import { fusedApply } from '../src/core/optimizers/fused/fusedApply.js';
import { fusedFormOf } from '../src/core/optimizers/fused/fusedForm.js';
import { sliceKernelOf } from '../src/core/optimizers/fused/sliceKernel.js';
import { startNodeThreads } from '../src/workers/nodeThreads.js';
import { startReplicaPool } from '../src/workers/replicaPool.js';

const N = 8192;
const IN = 784;
const HIDDEN = 128;
const OUT = 10;
const EPOCHS = 3;

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback;
}
const workerCounts = arg('workers', '1,2').split(',').map(Number);
const batches = arg('batches', '64,256').split(',').map(Number);
const rounds = Number(arg('rounds', '5'));
const precisions = arg('precision', 'float64,float32').split(',') as ('float64' | 'float32')[];

const rng = createRng(2024);
const x = new Float64Array(N * IN);
for (let i = 0; i < x.length; i++) x[i] = rng.uniform(0, 1);
const y = new Float64Array(N);
for (let i = 0; i < N; i++) y[i] = rng.int(OUT);
const models = {
  float64: sequential([dense(IN, HIDDEN), relu(), dense(HIDDEN, OUT)]),
  float32: sequential([dense(IN, HIDDEN), relu(), dense(HIDDEN, OUT)], { precision: 'float32' }),
};
const ce = softmaxCrossEntropy();

interface Result {
  readonly samplesPerSec: number;
  /** Samples per CPU second (every thread of the process). */
  readonly samplesPerCpuSec: number;
  readonly losses: number[];
}

async function runOnce(precision: 'float64' | 'float32', batch: number, workers: number | null): Promise<Result> {
  const model = models[precision];
  const init = model.init(createRng(7));
  const opt = adam({ lr: 1e-3 });
  const core: OperatorFunction<StepRecord, StepRecord & WithLoss & WithGrads> =
    workers === null ? pipe(forward(model), loss(ce), gradient(model, ce), update(opt)) : dataParallel(model, ce, opt, { workers });
  const losses: number[] = [];
  let t1 = 0;
  let c1 = process.cpuUsage();
  let samples = 0;
  await lastValueFrom(
    train({
      params: init,
      data: fromArrays(x, y, { rows: N, batchSize: batch, epochs: EPOCHS }),
      scheduler: 'sync',
      pipeline: pipe(
        core,
        tap((r) => {
          losses.push(r.loss);
          if (r.step === 1) {
            t1 = performance.now();
            c1 = process.cpuUsage();
          }
          if (r.step >= 1 && r.stopReason === undefined) samples += r.batch.size;
        }),
      ),
    }),
  );
  const c = process.cpuUsage(c1);
  return { samplesPerSec: samples / ((performance.now() - t1) / 1000), samplesPerCpuSec: samples / ((c.user + c.system) / 1e6), losses };
}

/** A full garbage collection when the process runs with --expose-gc (npm run bench:workers does). */
function collectGarbage(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

function maxRelDiff(a: readonly number[], b: readonly number[]): number {
  let d = 0;
  for (let i = 0; i < Math.min(a.length, b.length); i++) d = Math.max(d, Math.abs(a[i]! - b[i]!) / Math.max(1e-300, Math.abs(b[i]!)));
  return d;
}

console.log(
  `W3 on worker threads: MLP ${IN}→${HIDDEN} ReLU→${OUT}, softmax CE, Adam 1e-3, ${N} samples × ${EPOCHS} epochs; medians of ${rounds} interleaved rounds`,
);
for (const batch of batches) {
  // every precision's contenders interleaved: [precision, workers (null: one thread)]
  const contenders: (readonly ['float64' | 'float32', number | null])[] = [];
  for (const p of precisions) for (const w of [null, ...workerCounts]) contenders.push([p, w]);
  const speeds = new Map(contenders.map((c) => [c, [] as number[]]));
  const cpuSpeeds = new Map(contenders.map((c) => [c, [] as number[]]));
  const losses = new Map<(typeof contenders)[number], number[]>();
  // one untimed round first (V8 and the WebAssembly tiers compile), then the timed rounds, each
  // contender after a full garbage collection (no contender pays for another's garbage)
  for (let round = -1; round < rounds; round++) {
    for (const c of contenders) {
      collectGarbage();
      const r = await runOnce(c[0], batch, c[1]);
      if (round < 0) continue;
      speeds.get(c)!.push(r.samplesPerSec);
      cpuSpeeds.get(c)!.push(r.samplesPerCpuSec);
      losses.set(c, r.losses);
    }
  }
  console.log(`\nbatch ${batch} (${Math.ceil(N / batch) * EPOCHS} steps)`);
  console.log(
    'contender                     samples/s   speedup   runs (min–max)      samples/CPU s   losses vs one thread (max rel. diff)',
  );
  for (const c of contenders) {
    const single = contenders.find((o) => o[0] === c[0] && o[1] === null)!;
    const all = speeds.get(c)!;
    const s = median(all);
    const name = `${c[0]} ${c[1] === null ? 'one thread' : `workers: ${c[1]}`}`;
    const diff = c[1] === null ? '' : maxRelDiff(losses.get(c)!, losses.get(single)!).toExponential(1);
    const spread = `${Math.round(Math.min(...all))}–${Math.round(Math.max(...all))}`;
    console.log(
      `${name.padEnd(29)} ${Math.round(s).toString().padStart(9)}   ${(s / median(speeds.get(single)!)).toFixed(2).padStart(6)}×   ${spread.padEnd(18)}  ${Math.round(
        median(cpuSpeeds.get(c)!),
      )
        .toString()
        .padStart(13)}   ${diff}`,
    );
  }
}

// Where a step's time goes, with one pool driven directly (2 workers, or the largest count given).
const workers = Math.max(2, ...workerCounts);
console.log(
  `\ncost per step with ${workers} workers (pool driven directly: gradient step, then adam on the replicas; 200 steps after 20 warm-up steps)`,
);
console.log(
  'precision batch   step ms   copy ms   compute ms (slowest replica)   barrier wait ms   reduce ms   adam ms   adam+wake ms   sync+reduce ms (step − copy − compute − adam)',
);
for (const precision of precisions)
  for (const batch of batches) {
    const model = models[precision];
    const params = model.init(createRng(7));
    // the same gradient step on this thread (forward, loss gradient, backward; no optimizer)
    const cache = model.createCache(batch);
    const dPred = zerosLike(params.data, batch * OUT);
    const g1 = model.init(createRng(1));
    // the optimizer too: adam's one-pass update, on this thread / on the replicas' slices
    const opt1 = adam({ lr: 1e-3 });
    const form = fusedFormOf(opt1)!;
    const scratch = new Float64Array(8);
    const p1 = model.init(createRng(7));
    const st1 = opt1.init(p1);
    const oneStep = (): void => {
      const out = model.forward(p1, x.subarray(0, batch * IN), cache, { training: true });
      ce.grad(dPred, out, y.subarray(0, batch), batch, OUT);
      model.backward(p1, cache, dPred, g1);
      fusedApply(form, g1.data, st1, p1, scratch);
    };
    for (let i = 0; i < 20; i++) oneStep();
    const ts = performance.now();
    for (let i = 0; i < 200; i++) oneStep();
    const single = (performance.now() - ts) / 200;
    const pool = startReplicaPool({
      workers,
      model,
      loss: ce,
      spec: { kind: 'config', model: model.toConfig!(), loss: ce.toConfig!() },
      start: startNodeThreads,
    });
    const bx = x.subarray(0, batch * IN);
    const by = y.subarray(0, batch);
    const b = { x: bx, y: by, size: batch };
    const opt2 = adam({ lr: 1e-3 });
    const st2 = opt2.init(params);
    const form2 = fusedFormOf(opt2)!;
    const kernel = sliceKernelOf(form2);
    // where the pool declines the update, it runs on this thread as dataParallel would run it
    let onLoop = 0;
    let onLoopMs = 0;
    const poolStep = (i: number): void => {
      pool.step(pool.params, b, i);
      if (pool.apply(kernel, pool.grads.data, st2, pool.params)) return;
      const t = performance.now();
      if (!fusedApply(form2, pool.grads.data, st2, pool.params, scratch)) throw new Error('bench: no one-pass adam');
      onLoopMs += performance.now() - t;
      onLoop += 1;
    };
    pool.step(params, b, 0);
    for (let i = 1; i < 20; i++) poolStep(i);
    const s0 = pool.stats();
    const t0 = performance.now();
    const steps = 200;
    onLoop = 0;
    onLoopMs = 0;
    for (let i = 0; i < steps; i++) poolStep(i);
    const wall = (performance.now() - t0) / steps;
    const s1 = pool.stats();
    pool.close();
    const copy = (s1.copyMs - s0.copyMs) / steps;
    const compute = Math.max(...s1.computeMs.map((v, i) => (v - s0.computeMs[i]!) / steps));
    const barrier = Math.max(...s1.barrierMs.map((v, i) => (v - s0.barrierMs[i]!) / steps));
    const reduce = Math.max(...s1.reduceMs.map((v, i) => (v - s0.reduceMs[i]!) / steps));
    // adam on the loop's thread (the whole update) where the pool declined it
    const apply = onLoop > 0 ? onLoopMs / steps : Math.max(...s1.applyMs.map((v, i) => (v - s0.applyMs[i]!) / steps));
    const applyWait = onLoop > 0 ? onLoopMs / steps : (s1.applyWaitMs - s0.applyWaitMs) / steps;
    console.log(
      `${precision.padEnd(9)} ${String(batch).padEnd(7)} ${wall.toFixed(3).padStart(7)}   ${copy.toFixed(3).padStart(7)}   ${compute.toFixed(3).padStart(28)}   ${barrier.toFixed(3).padStart(15)}   ${reduce.toFixed(3).padStart(9)}   ${apply.toFixed(3).padStart(8)}   ${applyWait.toFixed(3).padStart(13)}   ${(wall - copy - compute - apply).toFixed(3).padStart(8)}`,
    );
    if (onLoop > 0) console.log(`                  (adam ran on the loop's thread in ${onLoop} of ${steps} steps: the pool declined it)`);
    console.log(
      `                  one thread, same step (gradient + adam): ${single.toFixed(3)} ms → measured speedup ${(single / wall).toFixed(2)}×; ` +
        `without barrier waits and wake-ups (slowest shard + copies + reduction + adam slice) ${(single / (compute + copy + reduce + apply)).toFixed(2)}×`,
    );
  }

// When it does not pay: the seed lesson's 4×4 linear layer (one row, MSE, SGD).
{
  const lesson = sequential([dense(4, 4, { bias: false })]);
  const l = mse();
  const p0 = lesson.init(createRng(1));
  const xs = new Float64Array([1, 2, 3, 4]);
  const ys = new Float64Array([2, 3, 4, 5]);
  const time = async (workers: number | null): Promise<number> => {
    const core: OperatorFunction<StepRecord, StepRecord & WithLoss & WithGrads> =
      workers === null
        ? pipe(forward(lesson), loss(l), gradient(lesson, l), update(sgd({ lr: 0.01 })))
        : dataParallel(lesson, l, sgd({ lr: 0.01 }), { workers });
    let t1 = 0;
    const steps = 20_000;
    await lastValueFrom(
      train({
        params: p0,
        data: fromArrays(xs, ys, { rows: 1, batchSize: 1, epochs: steps + 1 }),
        scheduler: 'sync',
        maxSteps: steps,
        pipeline: pipe(
          core,
          tap((r) => void (r.step === 1 && (t1 = performance.now()))),
        ),
      }),
    );
    return ((performance.now() - t1) / (steps - 1)) * 1e6;
  };
  console.log('\nthe lesson (4×4 linear, 1 row, MSE, SGD): ns per step, medians of 3');
  for (const w of [null, 1, 2]) {
    const ns: number[] = [];
    for (let i = 0; i < 3; i++) ns.push(await time(w));
    console.log(`${(w === null ? 'one thread' : `workers: ${w}`).padEnd(20)} ${Math.round(median(ns)).toString().padStart(9)} ns/step`);
  }
}
