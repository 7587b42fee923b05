/**
 * The hung-worker child of bench/edgeProbe.ts: a two-replica `dataParallel` run whose replica 1
 * blocks for ever on its shard of step 1 (tests/workers/fixtures/replicaModules.js, export
 * `hanging`), with `stallTimeoutMs` from argv (default 2000) and a 10 ms timer. Prints one JSON
 * line: the error, how long after the last good step it came, and the timer's ticks meanwhile.
 */
import { adam, createRng, dataParallel, dense, fromArrays, relu, sequential, softmaxCrossEntropy, train } from '../src/index.js';

const stallTimeoutMs = Number(process.argv[2] ?? 2000);
const rng = createRng(1);
const x = Array.from({ length: 12 }, () => Array.from({ length: 6 }, () => rng.normal()));
const y = x.map((_, i) => [i % 3]);
x[9]![0] = 555; // the first row of replica 1's shard in the second batch (rows 6 … 11)
const model = sequential([dense(6, 8), relu(), dense(8, 3)]);
const ce = softmaxCrossEntropy();
const replica = { module: new URL('../tests/workers/fixtures/replicaModules.js', import.meta.url), export: 'hanging' };
const pipeline = dataParallel(model, ce, adam({ lr: 1e-3 }), { workers: 2, replica, stallTimeoutMs });
let ticks = 0;
let last = performance.now();
let ticksAtLast = 0;
const timer = setInterval(() => (ticks += 1), 10);
const t0 = performance.now();
const report = (out: Record<string, unknown>): void => {
  clearInterval(timer);
  process.stdout.write(
    `${JSON.stringify({ ...out, afterLastStepMs: Math.round(performance.now() - last), ticks: ticks - ticksAtLast, totalMs: Math.round(performance.now() - t0) })}\n`,
  );
  process.exit(0);
};
train({ data: fromArrays(x, y, { batchSize: 12 / 2 }), pipeline, params: model.init(rng), maxSteps: 10, scheduler: 'sliced' }).subscribe({
  next: () => {
    last = performance.now();
    ticksAtLast = ticks;
  },
  error: (e: unknown) => report({ error: String(e instanceof Error ? e.message : e), worker: (e as { worker?: unknown }).worker }),
  complete: () => report({ error: null }),
});
