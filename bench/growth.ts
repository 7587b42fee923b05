/**
 * How cost grows: W3's training step (MLP 784 → H ReLU → 10, softmax cross-entropy, Adam 1e-3) in
 * GFLOP/s for batch 16 … 1024 (H = 128) and hidden width 32 … 1024 (batch 64), on one thread and
 * with 2 workers (`dataParallel`), float64 and float32 — beside numpy (float64, one BLAS thread),
 * run in the same bench when `python3` with numpy is present (else skipped with a note).
 *
 *   npm run bench:growth                                  # every point, 3 interleaved rounds
 *   npm run bench:growth -- --rounds 1 --batches 64,1024 --hidden 128
 *
 * Each contender trains 30 untimed steps (the worker threads start and the WebAssembly kernels reach
 * their optimizing tier, in the threads as on the main one), then a timed run of about 6 GFLOP
 * (12 … 1000 steps);
 * the table shows medians over the rounds, from the wall clock and from the process's CPU time
 * (all its threads: on a shared machine it leaves out the time spent waiting for a core). FLOPs
 * count the matrix products of a step: forward, both weight gradients and the second layer's input
 * gradient. The same data and initial weights for every gradstream contender; numpy draws its own.
 *
 * Last, fit() on W3's 8192 rows: the event loop's delay (p99, max) during the first 300 ms.
 */
import { spawnSync } from 'node:child_process';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { lastValueFrom, pipe, tap } from 'rxjs';
import {
  adam,
  createRng,
  dataParallel,
  dense,
  fit,
  forward,
  fromArrays,
  gradient,
  loss,
  relu,
  sequential,
  softmaxCrossEntropy,
  train,
  update,
  type Model,
} from '../src/index.js';
import { median, printTable, say } from './harness.js';

const IN = 784;
const OUT = 10;
const ROWS = 4096;
const WARM_STEPS = 30;
const TARGET_FLOP = 6e9;

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback;
}
const rounds = Number(arg('rounds', '3'));
const batches = arg('batches', '16,64,256,1024').split(',').map(Number);
const hiddens = arg('hidden', '32,128,512,1024').split(',').map(Number);

/** The points: the batch sweep at H = 128, then the width sweep at batch 64 (W3 itself once). */
const points: { batch: number; hidden: number }[] = [];
for (const b of batches) points.push({ batch: b, hidden: 128 });
for (const h of hiddens) if (!points.some((p) => p.batch === 64 && p.hidden === h)) points.push({ batch: 64, hidden: h });

const flopsPerStep = (b: number, h: number): number => 4 * b * (IN * h + h * OUT) + 2 * b * h * OUT;
const stepsFor = (b: number, h: number): number => Math.max(12, Math.min(1000, Math.round(TARGET_FLOP / flopsPerStep(b, h))));

const rng = createRng(2024);
const x = new Float64Array(ROWS * IN);
for (let i = 0; i < x.length; i++) x[i] = rng.uniform(0, 1);
const y = new Float64Array(ROWS);
for (let i = 0; i < ROWS; i++) y[i] = rng.int(OUT);

interface Timing {
  readonly wallS: number;
  readonly cpuS: number;
}

type Kind = 'f64 1 thread' | 'f32 1 thread' | 'f64 2 workers' | 'f32 2 workers';
const KINDS: readonly Kind[] = ['f64 1 thread', 'f32 1 thread', 'f64 2 workers', 'f32 2 workers'];

/** One timed run of a contender at a point: `WARM_STEPS` untimed steps (threads load during the first), then `steps` timed ones. */
async function timeRun(kind: Kind, batch: number, hidden: number, steps: number): Promise<Timing> {
  const precision = kind.startsWith('f32') ? 'float32' : 'float64';
  const model: Model = sequential([dense(IN, hidden), relu(), dense(hidden, OUT)], { precision });
  const ce = softmaxCrossEntropy();
  const opt = adam({ lr: 1e-3 });
  const core = kind.endsWith('workers')
    ? dataParallel(model, ce, opt, { workers: 2 })
    : pipe(forward(model), loss(ce), gradient(model, ce), update(opt));
  let t0 = 0;
  let c0 = process.cpuUsage();
  let wallS = 0;
  let cpuS = 0;
  await lastValueFrom(
    train({
      params: model.init(createRng(7)),
      data: fromArrays(x, y, { rows: ROWS, batchSize: batch }),
      scheduler: 'sync',
      maxSteps: WARM_STEPS + steps,
      pipeline: pipe(
        core,
        tap((r) => {
          if (r.step === WARM_STEPS) {
            t0 = performance.now();
            c0 = process.cpuUsage();
          } else if (r.step === WARM_STEPS + steps) {
            wallS = (performance.now() - t0) / 1000;
            const c = process.cpuUsage(c0);
            cpuS = (c.user + c.system) / 1e6;
          }
        }),
      ),
    }),
  );
  return { wallS, cpuS };
}

interface NumpyResult {
  readonly numpy: string;
  readonly blas: readonly Record<string, unknown>[];
  readonly results: readonly { batch: number; hidden: number; steps: number; wall: number; cpu: number }[];
}

/** numpy on every point (one process per round), or the reason it cannot run. */
function runNumpy(): NumpyResult | string {
  const env: NodeJS.ProcessEnv = { ...process.env, OPENBLAS_NUM_THREADS: '1', MKL_NUM_THREADS: '1', OMP_NUM_THREADS: '1' };
  // set on some machines for old OpenBLAS builds; they slow a current one (see the bench's page)
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  const script = fileURLToPath(new URL('../../bench/growthNumpy.py', import.meta.url));
  const input = JSON.stringify({ rows: ROWS, seed: 2024, points: points.map((p) => [p.batch, p.hidden, stepsFor(p.batch, p.hidden)]) });
  const r = spawnSync('python3', [script], { input, env, encoding: 'utf8', maxBuffer: 1 << 20 });
  if (r.error !== undefined) return `python3 not runnable (${r.error.message})`;
  if (r.status !== 0)
    return /No module named .?numpy/.test(r.stderr)
      ? 'numpy is not installed (pip install numpy)'
      : `python3 failed: ${r.stderr.trim().split('\n').at(-1) ?? ''}`;
  return JSON.parse(r.stdout) as NumpyResult;
}

/** The event loop's delay during the first 300 ms of fit() on W3's data (8192 rows, batch 64). */
async function fitStart(): Promise<{ p99: number; max: number; returnedMs: number }> {
  const n = 8192;
  const wx = new Float64Array(n * IN);
  for (let i = 0; i < wx.length; i++) wx[i] = rng.uniform(0, 1);
  const wy = new Float64Array(n);
  for (let i = 0; i < n; i++) wy[i] = rng.int(OUT);
  const model = sequential([dense(IN, 128), relu(), dense(128, OUT)]);
  const h = monitorEventLoopDelay({ resolution: 1 });
  h.enable();
  const t0 = performance.now();
  const training = fit({
    model,
    loss: softmaxCrossEntropy(),
    optimizer: adam({ lr: 1e-3 }),
    data: fromArrays(wx, wy, { rows: n, batchSize: 64, shuffle: true, seed: 1 }),
    rng: createRng(1),
  });
  training.start();
  const returnedMs = performance.now() - t0;
  await new Promise((resolve) => setTimeout(resolve, 300));
  training.stop();
  await training.done();
  h.disable();
  return { p99: h.percentile(99) / 1e6, max: h.max / 1e6, returnedMs };
}

const wall = new Map<string, number[]>();
const cpu = new Map<string, number[]>();
const keyOf = (kind: string, p: { batch: number; hidden: number }): string => `${kind}|${p.batch}|${p.hidden}`;
const push = (m: Map<string, number[]>, k: string, v: number): void => void (m.get(k) ?? m.set(k, []).get(k)!).push(v);

say(`growth: ${points.length} points × ${KINDS.length} contenders + numpy, ${rounds} round(s)`);
let numpyNote = '';
let blas = '';
for (let r = 0; r < rounds; r++) {
  for (let i = 0; i < points.length; i++) {
    const p = points[(i + r) % points.length]!;
    const steps = stepsFor(p.batch, p.hidden);
    for (let k = 0; k < KINDS.length; k++) {
      const kind = KINDS[(k + r) % KINDS.length]!;
      const t = await timeRun(kind, p.batch, p.hidden, steps);
      push(wall, keyOf(kind, p), (flopsPerStep(p.batch, p.hidden) * steps) / t.wallS / 1e9);
      push(cpu, keyOf(kind, p), (flopsPerStep(p.batch, p.hidden) * steps) / t.cpuS / 1e9);
    }
  }
  const np = runNumpy();
  if (typeof np === 'string') numpyNote = np;
  else {
    blas = `numpy ${np.numpy}, ${np.blas.map((b) => `${String(b.internal_api)} ${String(b.version)} ${String(b.architecture)} threads ${String(b.num_threads)}`).join('; ') || 'BLAS unknown (no threadpoolctl)'}`;
    for (const q of np.results) {
      push(wall, keyOf('numpy', q), (flopsPerStep(q.batch, q.hidden) * q.steps) / q.wall / 1e9);
      push(cpu, keyOf('numpy', q), (flopsPerStep(q.batch, q.hidden) * q.steps) / q.cpu / 1e9);
    }
  }
  say(`round ${r + 1} done`);
}

const med = (m: Map<string, number[]>, k: string): number => (m.has(k) ? median(m.get(k)!) : NaN);
const header = ['batch', 'hidden', ...KINDS, 'numpy f64 1 thread', ...KINDS.map((k) => `${k} / numpy`)];
for (const [title, m] of [
  ['GFLOP/s (wall clock, medians)', wall],
  ['GFLOP/s per CPU-second (process CPU time, all threads, medians)', cpu],
] as const) {
  const rows = points.map((p) => {
    const np = med(m, keyOf('numpy', p));
    const g = KINDS.map((k) => med(m, keyOf(k, p)));
    return [String(p.batch), String(p.hidden), ...g, np, ...g.map((v) => v / np)];
  });
  printTable(title, header, rows);
}
say(numpyNote === '' ? `\n${blas}` : `\nnumpy skipped: ${numpyNote}`);

const start = await fitStart();
say(
  `\nfit() on W3 (8192 rows, shuffled, sliced): returned in ${start.returnedMs.toFixed(1)} ms; event-loop delay over the first 300 ms: p99 ${start.p99.toFixed(1)} ms, max ${start.max.toFixed(1)} ms`,
);
