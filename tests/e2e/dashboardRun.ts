/**
 * A training run with the live dashboard, driven from the command line for the e2e test:
 * `tsx tests/e2e/dashboardRun.ts [lossBelow]` prints `dashboard: URL` on its first line, waits for a line
 * on stdin (the browser is there), then trains the two-moons classifier (sliced, a few steps per
 * ~2 ms so a browser sees it live) until `lossBelow` (or 2500 steps), with a checkpoint every 100
 * steps and a drift mark at step 120 (the dashboard's markers), and exits once the server has closed.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  adam,
  checkpoint,
  createRng,
  dense,
  earlyStopping,
  fit,
  fromArrays,
  hyperParam,
  moons,
  relu,
  sequential,
  serveLive,
  softmaxCrossEntropy,
  type FitSink,
  type StepRecord,
} from '../../src/node.js';
import { Observable } from 'rxjs';

const { x, y } = moons(1000, { noise: 0.1, rng: createRng(1) });
const lr = hyperParam(0.003, { min: 0 });
const dir = mkdtempSync(join(tmpdir(), 'gradstream-dashboard-'));
/** Slows each step to ~2 ms so the run lasts a few seconds (a real model would be slower anyway), and marks a drift at step 300. */
const slow: FitSink = (source) =>
  new Observable<StepRecord>((sub) =>
    source.subscribe({
      next(r) {
        const until = performance.now() + 2;
        while (performance.now() < until);
        (r as StepRecord & { drift?: boolean }).drift = r.step === 120; // a stand-in drift detector
        sub.next(r);
      },
      error: (e: unknown) => sub.error(e),
      complete: () => sub.complete(),
    }),
  );
const training = fit({
  model: sequential([dense(2, 32), relu(), dense(32, 32), relu(), dense(32, 2)]),
  loss: softmaxCrossEntropy(),
  optimizer: adam({ lr }),
  hyperParams: { lr },
  data: fromArrays(x, y, { batchSize: 32, epochs: 500, shuffle: true, seed: 2 }),
  rng: createRng(3),
  sinks: [
    slow,
    earlyStopping({ lossBelow: Number(process.argv[2] ?? 0.01) }),
    checkpoint<StepRecord>({ path: join(dir, 'last.json'), every: 100 }) as FitSink,
  ],
  maxSteps: 2500,
});
training.pause(); // until the browser is connected
const live = await serveLive(training, { port: 0, updateMs: 50, closeAfterEndMs: 3000 });
console.log(`dashboard: ${live.url}`);
process.stdin.once('data', () => {
  // halfway: a lower learning rate, to see the lr panel move
  training.steps$.subscribe((s) => {
    if (s.step === 80) training.set('lr', 0.001);
  });
  training.resume();
});
const r = await training.done();
console.log(`stopped: ${r.stopReason} at step ${r.step}, loss ${r.loss}`);
await live.closed;
process.exit(0);
