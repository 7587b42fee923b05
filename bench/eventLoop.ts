/**
 * Event-loop responsiveness: the reactive loop, time-sliced (default 8 ms slices), trains W3 while
 * a histogram (perf_hooks.monitorEventLoopDelay, 1 ms resolution) records how late the event loop
 * runs; reports the worst run's p50/p99/max delay and the sliced loop's throughput next to the sync loop's.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fromArrays, adam } from '../src/index.js';
import { median } from './harness.js';
import { reactiveLoop, type Setup } from './loops.js';
import { w3Workload } from './w3.js';

export interface EventLoopResult {
  readonly workload: 'W3';
  readonly contender: 'reactive sliced';
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  /** sliced / sync throughput (medians of interleaved runs). */
  readonly slicedToSync: number;
}

export async function benchEventLoop(rounds: number): Promise<EventLoopResult> {
  const w = w3Workload();
  const setup: Setup = {
    model: w.model,
    lossFn: w.lossFn,
    optimizer: () => adam({ lr: w.lr }),
    init: w.init,
    source: () => fromArrays(w.x, w.y, { rows: w.rows, batchSize: w.batch, epochs: w.epochs }),
    batch: w.batch,
    outCols: 10,
  };
  await reactiveLoop(setup, 'sync');
  await reactiveLoop(setup, 'sliced');
  const sync: number[] = [];
  const p50: number[] = [];
  const p99: number[] = [];
  const max: number[] = [];
  const sliced: number[] = [];
  for (let r = 0; r < rounds; r++) {
    let t0 = performance.now();
    await reactiveLoop(setup, 'sync');
    sync.push(performance.now() - t0);
    // A fresh histogram per run: re-enabling one counts the blocked sync run as one long delay.
    const h = monitorEventLoopDelay({ resolution: 1 });
    h.enable();
    t0 = performance.now();
    await reactiveLoop(setup, 'sliced');
    sliced.push(performance.now() - t0);
    h.disable();
    p50.push(h.percentile(50) / 1e6);
    p99.push(h.percentile(99) / 1e6);
    max.push(h.max / 1e6);
  }
  // the worst run's figures
  return {
    workload: 'W3',
    contender: 'reactive sliced',
    p50Ms: Math.max(...p50),
    p99Ms: Math.max(...p99),
    maxMs: Math.max(...max),
    slicedToSync: median(sync) / median(sliced),
  };
}
