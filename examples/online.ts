/**
 * Online learning with drift: points of a hidden line y = 3x + 1 (plus noise) arrive from a timer
 * and train a one-neuron model as they come (test-then-train). The live loss and the recovered
 * coefficients print as they converge. Halfway the hidden line changes to y = −2x + 4: the
 * Page-Hinkley detector sees the prequential loss jump, the policy raises the learning rate for a
 * while through a `hyperParam`, and the model recovers the new line.
 *
 * Run: npm run online   (or: npx tsx examples/online.ts) — about 8 seconds.
 */
import { interval, map, pipe, take, tap } from 'rxjs';
import {
  createRng,
  dense,
  driftDetector,
  forward,
  fromObservable,
  gradient,
  hyperParam,
  loss,
  mse,
  paramsFrom,
  prequential,
  sequential,
  sgd,
  train,
  update,
  type Batch,
  type StepRecord,
  type WithLoss,
  type WithOutput,
  type WithPrequential,
} from '../src/index.js';

const TICK_MS = 2; // a burst of points every 2 ms
const PER_TICK = 4;
const TICKS = 4000; // ≈ 8 s, 16,000 points
const BASE_LR = 0.02;
const BOOST_LR = 0.2;
const BOOST_STEPS = 150;

const rng = createRng(7);
let line = { a: 3, b: 1 };
const points$ = interval(TICK_MS).pipe(
  take(TICKS),
  tap((i) => {
    if (i === TICKS / 2) {
      line = { a: -2, b: 4 };
      console.log(`\n… the hidden line changes to y = ${line.a}x + ${line.b}\n`);
    }
  }),
  // each tick: a ready-made batch of PER_TICK points
  map((): Batch => {
    const x = new Float64Array(PER_TICK);
    const y = new Float64Array(PER_TICK);
    for (let k = 0; k < PER_TICK; k++) {
      x[k] = rng.uniform(-1, 1);
      y[k] = line.a * x[k]! + line.b + 0.1 * rng.normal();
    }
    return { x, y, size: PER_TICK };
  }),
);

const model = sequential([dense(1, 1)]);
const l = mse();
const lr = hyperParam(BASE_LR);
// Watches the loss of each batch before the model learns from it (a prequential loss).
const drift = driftDetector<StepRecord & WithOutput & WithLoss & WithPrequential>({
  method: 'pageHinkley',
  threshold: 2,
  minInstances: 50,
});

// The policy: on drift, learn fast for BOOST_STEPS steps, then calm down again.
let boostUntil = -1;
drift.drift$.subscribe((e) => {
  boostUntil = e.step + BOOST_STEPS;
  lr.value = BOOST_LR;
  console.log(`drift detected at step ${e.step} (loss ${e.value.toFixed(3)}) → lr ${BASE_LR} → ${BOOST_LR} for ${BOOST_STEPS} steps`);
});

const started = Date.now();
let lastPrint = 0;
const coefficients = (p: Float64Array): string => `a = ${p[0]!.toFixed(3)}, b = ${p[1]!.toFixed(3)}`;

train({
  params: paramsFrom(model.layout, { '0.W': [0], '0.b': [0] }),
  data: fromObservable(points$, { batchSize: 8, maxWaitMs: 20, buffer: { size: 4096, overflow: 'dropOldest' } }),
  pipeline: pipe(
    forward(model),
    loss(l),
    prequential({ mse: l }, { window: 200 }),
    drift,
    tap((r) => {
      if (boostUntil >= 0 && r.step >= boostUntil) {
        lr.value = BASE_LR;
        boostUntil = -1;
        console.log(
          `step ${r.step}: back to lr ${BASE_LR}, loss (last 200) ${r.prequential.mse.windowed.toFixed(4)}, ${coefficients(r.params.data)}`,
        );
      }
    }),
    gradient(model, l),
    update(sgd({ lr })),
  ),
}).subscribe({
  next(r) {
    const now = Date.now() - started;
    if (now - lastPrint >= 500 || r.stopReason !== undefined) {
      lastPrint = now;
      const m = r.prequential.mse;
      console.log(
        `${(now / 1000).toFixed(1)} s  step ${String(r.step).padStart(5)}  loss (last 200) ${m.windowed.toFixed(4)}  ${coefficients(r.params.data)}  lr ${lr.value}${r.dropped > 0 ? `  dropped ${r.dropped}` : ''}`,
      );
    }
    if (r.stopReason !== undefined) {
      const [a, b] = [r.params.data[0]!, r.params.data[1]!];
      const ok = Math.abs(a - line.a) < 0.1 && Math.abs(b - line.b) < 0.1;
      console.log(
        `\n${r.stopReason}: learned y = ${a.toFixed(3)}x + ${b.toFixed(3)} (hidden: y = ${line.a}x + ${line.b}) — ${ok ? 'recovered' : 'NOT recovered'}`,
      );
    }
  },
  error: (e: unknown) => console.error('training failed:', e),
});
