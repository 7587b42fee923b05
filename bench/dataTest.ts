/**
 * The 1,000,000-row CSV check of issue 8: generates a CSV of y = 2a − b + 0.5c + 3d + 1 (5 columns,
 * ≈ 40 MB) in the temporary directory, trains one shuffled epoch from it with `fromCsv`, and prints
 * the time and the heap growth (heapUsed sampled every 1,000 steps, after a GC at the start).
 *
 * Run: npm run data-test   (node --expose-gc, through tsx)
 */
import { createWriteStream, existsSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lastValueFrom, pipe, tap } from 'rxjs';
import { dense, forward, fromCsv, gradient, loss, mse, paramsFrom, sequential, sgd, train, update } from '../src/node.js';

const ROWS = 1_000_000;
const path = join(tmpdir(), `gradstream-data-test-${ROWS}.csv`);

async function generate(): Promise<void> {
  const out = createWriteStream(path);
  out.write('a,b,c,d,y\n');
  let s = 12345;
  const r = (): number => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 4294967296;
  let buf = '';
  for (let i = 0; i < ROWS; i++) {
    const [a, b, c, d] = [r(), r(), r(), r()];
    buf += `${a.toFixed(5)},${b.toFixed(5)},${c.toFixed(5)},${d.toFixed(5)},${(2 * a - b + 0.5 * c + 3 * d + 1).toFixed(5)}\n`;
    if (buf.length > 1 << 16) {
      if (!out.write(buf)) await new Promise<void>((res) => out.once('drain', () => res()));
      buf = '';
    }
  }
  await new Promise<void>((res) => out.end(buf, () => res()));
}

if (!existsSync(path) || statSync(path).size < 30_000_000) await generate();
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) console.warn('run with --expose-gc for a clean baseline (npm run data-test does)');

const model = sequential([dense(4, 1)]);
const l = mse();
gc?.();
const base = process.memoryUsage();
let peakHeap = base.heapUsed;
let peakRss = base.rss;
let steps = 0;
const t0 = performance.now();
const final = await lastValueFrom(
  train({
    params: paramsFrom(model.layout, { '0.W': [0, 0, 0, 0], '0.b': [0] }),
    data: fromCsv(path, { targets: ['y'], batchSize: 64, epochs: 1, shuffle: true, seed: 1, shuffleBuffer: 10_000 }),
    pipeline: pipe(forward(model), loss(l), gradient(model, l), update(sgd({ lr: 0.1 }))),
  }).pipe(
    tap(() => {
      steps += 1;
      if (steps % 1000 === 0) {
        const m = process.memoryUsage();
        peakHeap = Math.max(peakHeap, m.heapUsed);
        peakRss = Math.max(peakRss, m.rss);
      }
    }),
  ),
);
const seconds = (performance.now() - t0) / 1000;
const mb = (b: number): string => (b / 2 ** 20).toFixed(1);
console.log(
  `rows: ${ROWS.toLocaleString('en')} (${mb(statSync(path).size)} MB file), steps: ${steps}, stop: ${final.stopReason}, final loss: ${final.loss.toExponential(2)}`,
);
console.log(`time: ${seconds.toFixed(2)} s (${Math.round(ROWS / seconds).toLocaleString('en')} rows/s)`);
console.log(`heap growth (peak heapUsed − start): ${mb(peakHeap - base.heapUsed)} MB; rss growth: ${mb(peakRss - base.rss)} MB`);
const ok = peakHeap - base.heapUsed < 50 * 2 ** 20 && final.stopReason === 'dataEnd' && steps === Math.ceil(ROWS / 64) + 1;
console.log(ok ? 'OK: one epoch, heap growth < 50 MB' : 'FAILED');
process.exitCode = ok ? 0 : 1;
