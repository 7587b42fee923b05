// A/B of two builds of gradstream (two copies of dist/ inside the repository, so that their
// imports resolve): CPU time of 10^7 rng.uniform draws, of batchNorm's own forward + backward
// (64 × 128, training), and of a W3-like training step (784 → 128 batchNorm ReLU → 10, softmax
// cross-entropy, Adam 1e-3, batch 64). Each measurement runs in its own process (two builds in
// one process share call-site feedback and slow each other down); rounds are interleaved, the
// order alternating, and the medians of process.cpuUsage are reported.
// Usage: node bench/abBatchNormRng.mjs <distA> <distB> [rounds]
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const load = (dir) => import(pathToFileURL(resolve(dir, 'index.js')).href);

function cpuMs(f) {
  const t = process.cpuUsage();
  f();
  const d = process.cpuUsage(t);
  return (d.user + d.system) / 1000;
}

function rngCase(g) {
  const r = g.createRng(1);
  return () => {
    let s = 0;
    for (let i = 0; i < 1e7; i++) s += r.uniform(-1, 1);
    if (!Number.isFinite(s)) throw new Error('sum');
  };
}

function layerCase(g) {
  const batch = 64;
  const n = 128;
  const layer = g.batchNorm({}, n);
  const p = layer.params.map((s) => new Float64Array(s.shape.reduce((a, b) => a * b, 1)));
  layer.init(g.createRng(1), p);
  const r = g.createRng(2);
  const x = Float64Array.from({ length: batch * n }, () => r.uniform(-2, 2));
  const dY = Float64Array.from({ length: batch * n }, () => r.uniform(-1, 1));
  const y = new Float64Array(batch * n);
  const dX = new Float64Array(batch * n);
  const grads = layer.params.map((s) => new Float64Array(s.shape.reduce((a, b) => a * b, 1)));
  const ctx = { index: 0, training: true, rng: undefined, step: 0, key: 0, scratch: layer.createScratch(batch) };
  return () => {
    for (let i = 0; i < 5000; i++) {
      ctx.step = i;
      layer.forward(p, x, y, batch, ctx);
      layer.backward(p, x, y, dY, dX, grads, batch, ctx);
    }
  };
}

function stepCase(g) {
  const batch = 64;
  const model = g.sequential([g.dense(784, 128), g.batchNorm(), g.relu(), g.dense(128, 10)]);
  const params = model.init(g.createRng(7));
  const grads = g.createParams(model.layout);
  const opt = g.adam({ lr: 1e-3 });
  const state = opt.init(params);
  const updates = new Float64Array(params.data.length);
  const cache = model.createCache(batch);
  const mode = { training: true, rng: undefined, step: 0, foldStats: true };
  const lossFn = g.softmaxCrossEntropy();
  const r = g.createRng(2024);
  const x = Float64Array.from({ length: batch * 784 }, () => r.next());
  const t = Float64Array.from({ length: batch }, () => r.int(10));
  const dOut = new Float64Array(batch * 10);
  let step = 0;
  return () => {
    for (let i = 0; i < 30; i++, step++) {
      mode.step = step;
      const out = model.forward(params, x, cache, mode);
      lossFn.grad(dOut, out, t, batch, 10);
      model.backward(params, cache, dOut, grads);
      updates.set(grads.data);
      opt.update(updates, state, params);
      g.applyUpdates(params, updates);
    }
  };
}

const cases = { rng: rngCase, batchNorm: layerCase, step: stepCase };
const titles = { rng: 'rng.uniform ×1e7', batchNorm: 'batchNorm fwd+bwd 64×128 ×5e3', step: 'W3+batchNorm step ×30' };
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

if (process.argv[2] === '--child') {
  // one build, one case: two warm-up runs, then the median of three
  const run = cases[process.argv[4]](await load(process.argv[3]));
  run();
  run();
  console.log(median([cpuMs(run), cpuMs(run), cpuMs(run)]));
} else {
  const [dirA, dirB, roundsArg] = process.argv.slice(2);
  if (!dirA || !dirB) throw new Error('usage: node bench/abBatchNormRng.mjs <distA> <distB> [rounds]');
  const rounds = Number(roundsArg ?? 11);
  const dirs = { A: dirA, B: dirB };
  const self = fileURLToPath(import.meta.url);
  const child = (k, name) => Number(execFileSync(process.execPath, [self, '--child', dirs[k], name], { encoding: 'utf8' }));
  for (const name of Object.keys(cases)) {
    const ms = { A: [], B: [] };
    for (let i = 0; i < rounds; i++) for (const k of i % 2 === 0 ? ['A', 'B'] : ['B', 'A']) ms[k].push(child(k, name));
    const a = median(ms.A);
    const b = median(ms.B);
    console.log(`${titles[name]}: A ${a.toFixed(1)} ms, B ${b.toFixed(1)} ms (median of ${rounds}), B/A ${(b / a).toFixed(3)}`);
  }
}
