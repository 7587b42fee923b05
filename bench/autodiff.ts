/**
 * `npm run bench:autodiff`: what automatic differentiation costs, in one process, interleaved.
 *
 * 1. Loss: `defineLoss` of mean((p − t)²) against the built-in `mse()` on W3's output shapes
 *    (batch 64 × 10): one call of `value` and one of `grad` per step, as the loop makes them.
 * 2. Layer: W3's model (784 → 128 ReLU → 10, softmax cross-entropy, Adam 1e-3, batch 64) with its
 *    first layer a `defineLayer` dense against `dense`: the whole step (forward, loss, gradient,
 *    backward, Adam, update) in the plain loop, over one epoch of W3's data (129 records).
 *
 * The loss part also times the tape alone (the same MSE without the one generated loop
 * `defineLoss` uses for element-wise losses): the A/B of that trick.
 *
 * Prints the medians and the ratios (autodiff / built-in time; wall clock and CPU time).
 */
import { cpus, loadavg } from 'node:os';
import { PerformanceObserver } from 'node:perf_hooks';
import { createRng, defineLayer, defineLoss, dense, fromArrays, mse, relu, sequential, adam, softmaxCrossEntropy } from '../src/index.js';
import { createGraph } from '../src/core/autodiff/graph.js';
import type { Node } from '../src/core/autodiff/node.js';
import { compileTape } from '../src/core/autodiff/tape.js';
import type { Loss } from '../src/index.js';
import { check, interleave, maxRelDiff, say, type Measured } from './harness.js';
import { plainLoop, type Setup } from './loops.js';
import { w3Workload } from './w3.js';

const ROUNDS = 7;

function ratio(a: Measured, b: Measured): string {
  return `${(b.rate / a.rate).toFixed(2)}× (CPU time ${(b.rateCpu / a.rateCpu).toFixed(2)}×)`;
}

/** The same MSE on the tape alone (what `defineLoss` runs without its one-loop form): the A/B of that trick. */
function tapeMse(rows: number, cols: number): Loss {
  const g = createGraph('tape');
  const p = g.input(rows, cols, true);
  const t = g.input(rows, cols, false);
  const out = g.ops.mean(g.ops.square(g.ops.sub(p, t))) as Node;
  const tape = compileTape(g.nodes, out, false, 'tape');
  return {
    name: 'tape mse',
    value(pred, target) {
      p.val = pred as Float64Array;
      t.val = target as Float64Array;
      tape.forward();
      return out.val[0]!;
    },
    grad(o, pred, target) {
      p.val = pred as Float64Array;
      p.grad = o;
      t.val = target as Float64Array;
      tape.forward();
      tape.zeroGrads();
      out.grad![0] = 1;
      tape.backward();
      return o;
    },
  };
}

async function lossBench(): Promise<void> {
  const rows = 64;
  const cols = 10;
  const rng = createRng(5);
  const p = Float64Array.from({ length: rows * cols }, () => rng.normal());
  const t = Float64Array.from({ length: rows * cols }, () => rng.normal());
  const out = new Float64Array(rows * cols);
  const builtin = mse();
  const mine = defineLoss('mse', (pr, ta, T) => T.mean(T.square(T.sub(pr, ta))));
  check(maxRelDiff([mine.value(p, t, rows, cols)], [builtin.value(p, t, rows, cols)]) <= 1e-15, 'defineLoss MSE differs from mse()');
  const N = 20_000;
  let sink = 0;
  const onTape = tapeMse(rows, cols);
  check(maxRelDiff([onTape.value(p, t, rows, cols)], [builtin.value(p, t, rows, cols)]) <= 1e-15, 'the tape MSE differs from mse()');
  const run = (l: Loss) => () => {
    for (let i = 0; i < N; i++) {
      sink += l.value(p, t, rows, cols);
      l.grad(out, p, t, rows, cols);
    }
  };
  const [a, b, c] = await interleave(
    [
      { name: 'mse()', steps: N, flopsPerStep: 0, run: run(builtin) },
      { name: 'defineLoss MSE', steps: N, flopsPerStep: 0, run: run(mine) },
      { name: 'tape MSE', steps: N, flopsPerStep: 0, run: run(onTape) },
    ],
    ROUNDS,
  );
  if (sink === 0.5) say('');
  say(`loss + gradient, 64 × 10, ${N} steps per round, median of ${ROUNDS}:`);
  say(`  mse()           ${(1e9 / a!.rate).toFixed(0).padStart(6)} ns/step`);
  say(`  defineLoss MSE  ${(1e9 / b!.rate).toFixed(0).padStart(6)} ns/step`);
  say(`  the tape alone ${(1e9 / c!.rate).toFixed(0).padStart(6)} ns/step (defineLoss without its one-loop form)`);
  say(`  ratio defineLoss / mse(): ${ratio(b!, a!)}; tape alone / mse(): ${ratio(c!, a!)}`);
}

async function layerBench(): Promise<void> {
  const w = w3Workload();
  const first = defineLayer({
    name: 'dense',
    inputs: 784,
    outputs: 128,
    params: { W: [784, 128], b: [128] },
    forward: (x, q, T) => T.add(T.matmul(x, q.W), q.b),
  });
  const ref = sequential([dense(784, 128), relu(), dense(128, 10)]);
  const mine = sequential([first, relu(), dense(128, 10)]);
  const setup = (model: typeof ref): Setup => ({
    model,
    lossFn: softmaxCrossEntropy(),
    optimizer: () => adam({ lr: w.lr }),
    init: w.init,
    source: () => fromArrays(w.x, w.y, { rows: w.rows, batchSize: w.batch, epochs: 1 }),
    batch: w.batch,
    outCols: 10,
  });
  const la: number[] = [];
  const lb: number[] = [];
  plainLoop(setup(ref), la);
  plainLoop(setup(mine), lb);
  const d = maxRelDiff(la, lb);
  check(la.length === lb.length && d <= 1e-12, `defineLayer dense differs from dense (max rel. diff ${d})`);
  say(`\nW3 step, first layer defineLayer vs dense: same losses over ${la.length} records (max rel. diff ${d.toExponential(1)})`);
  const steps = la.length;
  const [a, b] = await interleave(
    [
      { name: 'dense', steps, flopsPerStep: 0, run: () => void plainLoop(setup(ref)) },
      { name: 'defineLayer', steps, flopsPerStep: 0, run: () => void plainLoop(setup(mine)) },
    ],
    ROUNDS,
  );
  say(`whole step (forward, loss, gradient, backward, Adam, update), median of ${ROUNDS} rounds of ${steps} steps:`);
  say(`  dense        ${(1e3 / a!.rate).toFixed(3).padStart(7)} ms/step`);
  say(`  defineLayer  ${(1e3 / b!.rate).toFixed(3).padStart(7)} ms/step`);
  say(`  ratio defineLayer / dense: ${ratio(b!, a!)}`);
}

/** Garbage collections (scavenges, others) while `run` runs: none means it allocated (next to) nothing. */
async function collections(run: () => void): Promise<[number, number]> {
  (globalThis as { gc?: () => void }).gc?.();
  let minor = 0;
  let major = 0;
  const obs = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      if ((e as unknown as { detail?: { kind?: number } }).detail?.kind === 1) minor++;
      else major++;
    }
  });
  obs.observe({ entryTypes: ['gc'] });
  run();
  await new Promise((r) => setTimeout(r, 50)); // gc entries arrive asynchronously
  obs.disconnect();
  return [minor, major];
}

/** The allocation check: 200,000 calls of each defineLoss form, after one to record. */
async function allocationCheck(): Promise<void> {
  const rows = 64;
  const cols = 10;
  const p = new Float64Array(rows * cols).fill(0.5);
  const t = new Float64Array(rows * cols);
  const labels = new Float64Array(rows);
  const out = new Float64Array(rows * cols);
  const forms: [string, Loss, Float64Array][] = [
    ['mse() (built-in, for reference)', mse(), t],
    ['element-wise (one loop)', defineLoss('mse', (a, b, T) => T.mean(T.square(T.sub(a, b)))), t],
    ['cross-entropy (tape)', defineLoss('ce', (a, b, T) => T.neg(T.mean(T.pick(T.logSoftmax(a), b)))), labels],
  ];
  for (const [name, l, target] of forms) {
    l.grad(out, p, target, rows, cols);
    // value and grad in loops of their own: a loop alternating the two (even of mse()) shows a few
    // scavenges from V8's on-stack compilation of the loop itself
    const [vMinor, vMajor] = await collections(() => {
      for (let i = 0; i < 200_000; i++) l.value(p, target, rows, cols);
    });
    const [gMinor, gMajor] = await collections(() => {
      for (let i = 0; i < 200_000; i++) l.grad(out, p, target, rows, cols);
    });
    say(
      `  ${name}: value ${vMinor} scavenges, ${vMajor} other collections; grad ${gMinor} scavenges, ${gMajor} other (200,000 calls each)`,
    );
  }
}

say(
  `node ${process.version}, ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), load average ${loadavg()
    .map((v) => v.toFixed(2))
    .join(' ')}`,
);
await lossBench();
say('\nallocation (garbage collections during the loss steps):');
await allocationCheck();
await layerBench();
say(
  `load average at the end ${loadavg()
    .map((v) => v.toFixed(2))
    .join(' ')}`,
);
