/**
 * The browser example (examples/browser/index.html): the seed lesson and a two-moons classifier
 * trained in the page with `fit`, a live uPlot chart, pause / resume / stop, and a decision-boundary
 * picture. Bundled by examples/browser/serve.ts (esbuild) from the library's browser entry.
 *
 * Only the few DOM members used here are declared (the project type-checks without the DOM lib).
 */
import { animationFrameScheduler, tap } from 'rxjs';
import uPlot from 'uplot';
import {
  adam,
  cloneParams,
  createRng,
  dense,
  earlyStopping,
  fit,
  fromArrays,
  fullBatch,
  moons,
  paramsFrom,
  predict,
  relu,
  sequential,
  softmaxCrossEntropy,
  sgd,
  mse,
  type FitSink,
  type Params,
  type StepView,
  type Training,
  webWorker,
} from '../../src/index.js';

interface El {
  textContent: string | null;
  disabled: boolean;
  value: string;
  addEventListener(type: string, listener: (e: { timeStamp: number }) => void): void;
}
interface Ctx2d {
  fillStyle: string;
  fillRect(x: number, y: number, w: number, h: number): void;
  beginPath(): void;
  arc(x: number, y: number, r: number, a0: number, a1: number): void;
  fill(): void;
}
interface Page {
  document: { getElementById(id: string): unknown };
  performance: { now(): number };
  location: { search: string; href: string };
}
const page = globalThis as unknown as Page;
const el = (id: string): El => page.document.getElementById(id) as El;
const text = (id: string, v: string | number): void => {
  el(id).textContent = String(v);
};
const fmt = (v: number): string => (Number.isFinite(v) ? Number(v.toPrecision(4)).toString() : '–');

/** What the e2e test reads. */
const state = {
  pings: 0,
  pingDelays: [] as number[],
  lesson: undefined as Training | undefined,
  moons: undefined as Training | undefined,
  moonsSteps: [] as number[],
};
(globalThis as unknown as { example: typeof state }).example = state;

// --- ping: how long a click waits for the main thread
el('ping').addEventListener('click', (e) => {
  state.pings += 1;
  const delay = page.performance.now() - e.timeStamp;
  state.pingDelays.push(delay);
  text('ping-count', state.pings);
  text('ping-delay', delay.toFixed(1));
});

/** A loss chart that redraws at most once per animation frame. */
function lossChart(id: string, title: string): { push(v: StepView): void } {
  const xs: number[] = [];
  const ys: number[] = [];
  const target = page.document.getElementById(id) as ConstructorParameters<typeof uPlot>[2];
  const plot = new uPlot(
    {
      width: 520,
      height: 240,
      title,
      scales: { x: { time: false } },
      series: [{ label: 'step' }, { label: 'loss', stroke: '#1f77b4', width: 2 }],
    },
    [xs, ys],
    target,
  );
  let queued = false;
  return {
    push(v) {
      xs.push(v.step);
      ys.push(v.loss);
      if (queued) return;
      queued = true;
      animationFrameScheduler.schedule(() => {
        queued = false;
        plot.setData([xs, ys]);
      });
    },
  };
}

// --- the lesson
const W = [
  [-0.2416, -0.2497, -0.3932, 0.2935],
  [-0.0396, 0.1421, -0.4436, 0.1714],
  [-0.3519, 0.4072, -0.0721, -0.1659],
  [0.2055, -0.033, -0.2145, 0.1987],
];
el('lesson-start').addEventListener('click', () => {
  const model = sequential([dense(4, 4, { bias: false })]);
  const chart = lossChart('lesson-chart', 'lesson loss');
  const training = fit({
    model,
    loss: mse(),
    optimizer: sgd({ lr: 0.01 }),
    data: fullBatch([[1, 2, 3, 4]], [[2, 3, 4, 5]]),
    params: paramsFrom(model.layout, { '0.W': W }),
    sinks: [earlyStopping({ lossBelow: 2.96 })],
  });
  state.lesson = training;
  el('lesson-start').disabled = true;
  training.steps$.subscribe((s) => {
    chart.push(s);
    text('lesson-step', s.step);
    text('lesson-loss', s.loss);
  });
  void training.done().then((r) => {
    text('lesson-status', r.stopReason ?? '–');
    const pred = predict(model, r.params, [[1, 2, 3, 4]]);
    el('lesson-result').textContent =
      `stopped after ${r.step} updates (${r.stopReason}), loss ${r.loss}\nprediction: ${Array.from(pred, (v) => v.toFixed(4)).join('  ')}\ntarget:     2.0000  3.0000  4.0000  5.0000`;
    el('lesson-start').disabled = false;
  });
});

// --- two moons
const params = new URLSearchParams(page.location.search);
const lossBelow = Number(params.get('lossBelow') ?? 0.02);
const hidden = Number(params.get('hidden') ?? 32); // ?hidden=256 makes each step ~60 times heavier
text('moons-title', `Two moons: 2 → ${hidden} → ${hidden} → 2 ReLU classifier, softmax cross-entropy, Adam, stop below ${lossBelow}`);
const { x, y } = moons(1000, { noise: 0.1, rng: createRng(1) });

/**
 * The decision regions on x ∈ [-1.5, 2.5], y ∈ [-1, 1.5] (80 px per unit), and the points. The
 * grid is one forward pass on the main thread: 64 × 40 cells for small networks, 32 × 20 for wide
 * ones (a 256-wide network costs ~80 MFLOP per 640 cells), so drawing never holds a click up.
 */
function drawBoundary(model: ReturnType<typeof sequential>, p: Params): void {
  const canvas = page.document.getElementById('moons-boundary') as { getContext(kind: '2d'): Ctx2d };
  const ctx = canvas.getContext('2d');
  const coarse = hidden > 64;
  const cols = coarse ? 32 : 64;
  const rows = coarse ? 20 : 40;
  const cell = coarse ? 10 : 5; // px
  const grid: number[][] = [];
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) grid.push([-1.5 + (4 * (j + 0.5)) / cols, 1.5 - (2.5 * (i + 0.5)) / rows]);
  const out = predict(model, p, grid);
  for (let k = 0; k < grid.length; k++) {
    ctx.fillStyle = out[2 * k]! > out[2 * k + 1]! ? '#dbe9f6' : '#fde0cf';
    ctx.fillRect((k % cols) * cell, Math.floor(k / cols) * cell, cell, cell);
  }
  for (let i = 0; i < x.length; i++) {
    ctx.fillStyle = y[i] === 0 ? '#1f77b4' : '#ff7f0e';
    ctx.beginPath();
    ctx.arc((x[i]![0]! + 1.5) * 80, (1.5 - x[i]![1]!) * 80, 1.8, 0, 2 * Math.PI);
    ctx.fill();
  }
}

el('moons-start').addEventListener('click', () => {
  const model = sequential([dense(2, hidden), relu(), dense(hidden, hidden), relu(), dense(hidden, 2)]);
  const chart = lossChart('moons-chart', 'moons loss');
  const speed = el('moons-speed').value;
  let latest: Params | undefined;
  const keep = tap((r: { step: number; params: Params }) => {
    if (r.step % 25 === 0) latest = cloneParams(r.params);
  }) as unknown as FitSink;
  const training =
    speed === 'worker'
      ? // the loop in a Web Worker (examples/browser/serve.ts bundles src/live/browserFitWorker.ts as /fitWorker.js)
        fit({
          scheduler: 'worker',
          worker: webWorker(new URL('/fitWorker.js', page.location.href)),
          model, // a sequential of built-in layers: sent as model.toConfig()
          loss: 'softmaxCrossEntropy',
          optimizer: { type: 'adam', lr: 0.003 },
          data: { x, y, batchSize: 32, epochs: 500, shuffle: true, seed: 2 },
          seed: 3,
          earlyStopping: { lossBelow },
        })
      : fit({
          model,
          loss: softmaxCrossEntropy(),
          optimizer: adam({ lr: 0.003 }),
          data: fromArrays(x, y, { batchSize: 32, epochs: 500, shuffle: true, seed: 2 }),
          rng: createRng(3),
          sinks: [keep, earlyStopping({ lossBelow })],
          ...(speed === 'sliced'
            ? { scheduler: 'sliced' as const, sliceMs: 4 }
            : { scheduler: animationFrameScheduler, sliceSteps: Number(speed) }),
        });
  state.moons = training;
  state.moonsSteps = [];
  const buttons = (running: boolean, paused: boolean): void => {
    el('moons-start').disabled = running;
    el('moons-pause').disabled = !running || paused;
    el('moons-resume').disabled = !running || !paused;
    el('moons-stop').disabled = !running;
  };
  buttons(true, false);
  training.steps$.subscribe((s) => {
    state.moonsSteps.push(s.step);
    chart.push(s);
    text('moons-step', s.step);
    text('moons-epoch', s.epoch);
    text('moons-loss', fmt(s.loss));
  });
  let frames = 0;
  const status = animationFrameScheduler.schedule(function (this: { schedule(): void }) {
    const snap = training.getSnapshot();
    text('moons-status', snap.status);
    text('moons-rate', fmt(snap.stepsPerSecond));
    if (frames++ % (hidden > 64 ? 60 : 15) === 0 && latest !== undefined) drawBoundary(model, latest);
    if (snap.status !== 'done' && snap.status !== 'error') this.schedule();
  });
  training.events$.subscribe((e) => {
    if (e.type === 'paused') buttons(true, true);
    else if (e.type === 'resumed') buttons(true, false);
  });
  void training.done().then(
    (r) => {
      status.unsubscribe();
      text('moons-status', 'done');
      text('moons-stop-reason', r.stopReason ?? '–');
      buttons(false, false);
      setTimeout(() => drawBoundary(model, r.params), 0);
    },
    (e: unknown) => text('moons-status', `error: ${String(e)}`),
  );
});
el('moons-pause').addEventListener('click', () => state.moons?.pause());
el('moons-resume').addEventListener('click', () => state.moons?.resume());
el('moons-stop').addEventListener('click', () => void state.moons?.stop());
