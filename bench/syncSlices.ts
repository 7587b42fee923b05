/**
 * The command's `'sync'` mode runs as slices of 100 ms (so that SIGINT and SIGTERM are seen):
 * its lesson speed against a loop that never yields. xor (2 → 8 tanh → 1, Adam, batches of 2),
 * 600,000 steps per run, the two kinds alternated 5 times; medians of wall-clock and CPU time.
 * Run: `npx tsx bench/syncSlices.ts`.
 */
import { lastValueFrom, pipe } from 'rxjs';
import {
  adam,
  binaryCrossEntropy,
  createRng,
  dense,
  forward,
  fromArrays,
  gradient,
  loss,
  sequential,
  tanh,
  train,
  update,
} from '../src/index.js';

const STEPS = 600_000;
const model = sequential([dense(2, 8), tanh(), dense(8, 1)]);
const l = binaryCrossEntropy({ fromLogits: true });
const X = [
  [0, 0],
  [0, 1],
  [1, 0],
  [1, 1],
];
const Y = [[0], [1], [1], [0]];

async function run(scheduling: { scheduler: 'sync' } | { scheduler: 'sliced'; sliceMs: number }): Promise<{ wall: number; cpu: number }> {
  const t = performance.now();
  const c = process.cpuUsage();
  const data = fromArrays(X, Y, { batchSize: 2, shuffle: false, epochs: 1e9 });
  await lastValueFrom(
    train({
      params: model.init(createRng(1)),
      data,
      pipeline: pipe(forward(model), loss(l), gradient(model, l), update(adam({ lr: 0.01 }))),
      maxSteps: STEPS,
      ...scheduling,
    }),
  );
  const used = process.cpuUsage(c);
  return { wall: STEPS / ((performance.now() - t) / 1000), cpu: STEPS / ((used.user + used.system) / 1e6) };
}

const median = (a: number[]): number => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)]!;
const sync = { wall: [] as number[], cpu: [] as number[] };
const sliced = { wall: [] as number[], cpu: [] as number[] };
for (let i = 0; i < 5; i++) {
  const a = await run({ scheduler: 'sync' });
  const b = await run({ scheduler: 'sliced', sliceMs: 100 });
  sync.wall.push(a.wall);
  sync.cpu.push(a.cpu);
  sliced.wall.push(b.wall);
  sliced.cpu.push(b.cpu);
}
const k = (v: number): string => `${Math.round(v / 1000)}k`;
console.log(`never yields: ${k(median(sync.wall))} steps/s (CPU ${k(median(sync.cpu))})`);
console.log(`100 ms slices: ${k(median(sliced.wall))} steps/s (CPU ${k(median(sliced.cpu))})`);
console.log(`ratio: ${(median(sliced.wall) / median(sync.wall)).toFixed(3)} (CPU ${(median(sliced.cpu) / median(sync.cpu)).toFixed(3)})`);
