/**
 * Memory: the reactive sync loop on W1 for 1,000,000 steps, sampling the V8 heap every 100,000
 * steps (after a full GC when node runs with --expose-gc, as `npm run bench` does) and counting
 * garbage collections during the run. A loop that allocates nothing per step keeps the heap flat
 * and triggers no scavenges.
 */
import { PerformanceObserver } from 'node:perf_hooks';
import { lastValueFrom, pipe, tap } from 'rxjs';
import { dense, forward, fullBatch, gradient, loss, mse, paramsFrom, sequential, sgd, train, update } from '../src/index.js';
import { T, W0, X } from './w1.js';

export interface MemoryResult {
  readonly workload: 'W1';
  readonly contender: 'reactive sync';
  readonly steps: number;
  /** Heap used (bytes) at every 100,000th step, from step 0. */
  readonly heapSamples: readonly number[];
  readonly heapStartBytes: number;
  readonly heapEndBytes: number;
  /** (end − start) / steps. */
  readonly growthBytesPerStep: number;
  /** Garbage collections while the loop ran (minor = scavenges), and whether samples forced full GCs. */
  readonly gcMinor: number;
  readonly gcMajor: number;
  readonly forcedGc: boolean;
  readonly flat: boolean;
}

export async function benchMemory(steps = 1_000_000): Promise<MemoryResult> {
  const gc = (globalThis as { gc?: () => void }).gc;
  const model = sequential([dense(4, 4, { bias: false })]);
  const l = mse();
  const heap = (): number => {
    gc?.();
    return process.memoryUsage().heapUsed;
  };
  const samples: number[] = [];
  let minor = 0;
  let major = 0;
  const obs = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      const kind = (e as unknown as { detail?: { kind?: number } }).detail?.kind;
      if (kind === 1) minor++;
      else major++;
    }
  });
  const every = 100_000;
  heap();
  obs.observe({ entryTypes: ['gc'] });
  await lastValueFrom(
    train({
      params: paramsFrom(model.layout, { '0.W': W0 }),
      data: fullBatch([X], [T]),
      pipeline: pipe(
        forward(model),
        loss(l),
        gradient(model, l),
        update(sgd({ lr: 0.01 })),
        tap((r) => {
          if (r.step % every === 0) samples.push(heap());
        }),
      ),
      maxSteps: steps,
      scheduler: 'sync',
    }),
  );
  // entries are delivered asynchronously
  await new Promise((resolve) => setTimeout(resolve, 50));
  obs.disconnect();
  const forced = samples.length;
  const start = samples[1] ?? samples[0]!; // step 0 precedes the first optimizer update's one-off state
  const end = samples[samples.length - 1]!;
  const growth = (end - start) / steps;
  return {
    workload: 'W1',
    contender: 'reactive sync',
    steps,
    heapSamples: samples,
    heapStartBytes: start,
    heapEndBytes: end,
    growthBytesPerStep: growth,
    gcMinor: minor,
    gcMajor: Math.max(0, major - (gc === undefined ? 0 : forced)),
    forcedGc: gc !== undefined,
    flat: Math.abs(end - start) < 256 * 1024,
  };
}
