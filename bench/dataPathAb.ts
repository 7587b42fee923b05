/**
 * CPU time of the per-step data path, one workload per process, for A/B rounds between two
 * builds of the library: `npx tsx bench/dataPathAb.ts <library index.ts> <workload>` prints one
 * JSON line `{ library, work, cpuMs, loss }` (CPU time of the timed run, after a warm-up run).
 * Extract another commit's sources with `git archive <commit> src | tar -x -C <dir>` and alternate
 * the two in interleaved rounds; compare medians. Workloads, all `scheduler: 'sync'`:
 * - `w1`: the seed lesson (bench/w1.ts's setup: `fullBatch`), 1,000,000 steps;
 * - `w1a`: the same through `fromArrays([x], [t], { batchSize: 1 })`;
 * - `w3`, `w3s`: a W3-like MLP 784 → 128 ReLU → 10, Adam 1e-3, 8192 seeded samples in
 *   `fromArrays`, batch 64, 128 steps, in order (`w3`) or shuffled (`w3s`);
 * - `q3`: the same samples through `fromObservable` (its sample queue), batch 64, 128 steps.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { from, lastValueFrom, pipe } from 'rxjs';
import type * as Gradstream from '../src/index.js';

type Lib = typeof Gradstream;
const [libPath = 'src/index.ts', work = 'w3'] = process.argv.slice(2);
const lib = (await import(pathToFileURL(resolve(libPath)).href)) as Lib;

function seeded(seed: number, n: number): Float64Array {
  const rng = lib.createRng(seed);
  const x = new Float64Array(n);
  for (let i = 0; i < n; i++) x[i] = rng.next();
  return x;
}

async function run(
  data: Gradstream.BatchSource,
  model: Gradstream.Model,
  lossFn: Gradstream.Loss,
  opt: Gradstream.GradientTransformation,
  params: Gradstream.Params,
  steps: number,
): Promise<number> {
  const core = pipe(lib.forward(model), lib.loss(lossFn), lib.gradient(model, lossFn), lib.update(opt));
  const last = await lastValueFrom(lib.train({ params, data, pipeline: core, maxSteps: steps, scheduler: 'sync' }));
  return last.loss;
}

function mlpRun(kind: string): (steps: number) => Promise<number> {
  const N = 8192;
  const IN = 784;
  const OUT = 10;
  const x = seeded(2024, N * IN);
  const rng = lib.createRng(2027);
  const y = new Float64Array(N);
  for (let i = 0; i < N; i++) y[i] = rng.int(OUT);
  const model = lib.sequential([lib.dense(IN, 128), lib.relu(), lib.dense(128, OUT)]);
  const init = model.init(lib.createRng(7));
  const samples = Array.from({ length: N }, (_, i) => ({ x: x.subarray(i * IN, (i + 1) * IN), y: y[i]! }));
  return (steps) => {
    const data =
      kind === 'q3'
        ? lib.fromObservable(from(samples), { batchSize: 64, buffer: { size: N } })
        : lib.fromArrays(x, y, { rows: N, batchSize: 64, epochs: 100, ...(kind === 'w3s' ? { shuffle: true, seed: 1 } : {}) });
    return run(data, model, lib.softmaxCrossEntropy(), lib.adam({ lr: 1e-3 }), init, steps);
  };
}

function seedRun(kind: string): (steps: number) => Promise<number> {
  const X = [1, 2, 3, 4];
  const T = [2, 3, 4, 5];
  const W0 = [
    -0.2416, -0.2497, -0.3932, 0.2935, -0.0396, 0.1421, -0.4436, 0.1714, -0.3519, 0.4072, -0.0721, -0.1659, 0.2055, -0.033, -0.2145, 0.1987,
  ];
  const model = lib.sequential([lib.dense(4, 4, { bias: false })]);
  return (steps) => {
    const data = kind === 'w1a' ? lib.fromArrays([X], [T], { batchSize: 1 }) : lib.fullBatch([X], [T]);
    return run(data, model, lib.mse(), lib.sgd({ lr: 0.01 }), lib.paramsFrom(model.layout, { '0.W': W0 }), steps);
  };
}

const seedLesson = work.startsWith('w1');
const go = seedLesson ? seedRun(work) : mlpRun(work);
await go(seedLesson ? 20_000 : 8); // warm-up
const before = process.cpuUsage();
const loss = await go(seedLesson ? 1_000_000 : 128);
const used = process.cpuUsage(before);
console.log(JSON.stringify({ library: libPath, work, cpuMs: (used.user + used.system) / 1000, loss }));
