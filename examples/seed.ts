/**
 * The gradient-descent lesson as a live stream: one linear layer `prediction = x · W`, MSE loss,
 * plain gradient descent with learning rate 0.01, stopping once the loss falls below 2.96.
 * Each step's loss is printed as it happens; a checkpoint is written; then the final W and the
 * prediction are printed next to the target.
 *
 * Run: npm start   (or: npx tsx examples/seed.ts [checkpoint path])
 */
import { pipe } from 'rxjs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  checkpoint,
  dense,
  earlyStopping,
  forward,
  fullBatch,
  gradient,
  log,
  loss,
  mse,
  param,
  paramsFrom,
  readCheckpoint,
  sequential,
  sgd,
  toRows,
  train,
  update,
} from '../src/node.js';

const x = [[1, 2, 3, 4]];
const target = [[2, 3, 4, 5]];
const W = [
  [-0.2416, -0.2497, -0.3932, 0.2935],
  [-0.0396, 0.1421, -0.4436, 0.1714],
  [-0.3519, 0.4072, -0.0721, -0.1659],
  [0.2055, -0.033, -0.2145, 0.1987],
];

const THRESHOLD = 2.96; // the lesson's exercise: bring the loss below 2.96
const model = sequential([dense(4, 4, { bias: false })]);
const mseLoss = mse();
const path = process.argv[2] ?? join(mkdtempSync(join(tmpdir(), 'gradstream-')), 'seed.json');
const save = checkpoint({ path });
save.written$.subscribe((w) => console.log(`checkpoint written: ${w.path} (step ${w.step})`));

console.log(`gradient descent (lr 0.01) until the loss is below ${THRESHOLD}`);
const run$ = train({
  params: paramsFrom(model.layout, { '0.W': W }),
  data: fullBatch(x, target),
  pipeline: pipe(
    forward(model),
    loss(mseLoss),
    gradient(model, mseLoss),
    update(sgd({ lr: 0.01 })),
    log(),
    earlyStopping({ lossBelow: THRESHOLD }),
    save,
  ),
});

run$.subscribe({
  complete: () => {
    void readCheckpoint(path, model.layout).then((ckpt) => {
      const fmt = (row: readonly number[]) => row.map((v) => v.toFixed(4).padStart(8)).join(' ');
      const why = ckpt.stopReason === 'threshold' ? `threshold: loss below ${THRESHOLD}` : (ckpt.stopReason ?? 'completed');
      console.log(`\nstopped after ${ckpt.step} updates (${why}), loss ${ckpt.loss}`);
      console.log('final W (rows = inputs):');
      for (const row of toRows(param(ckpt.params, '0.W'), 4)) console.log(`  ${fmt(row)}`);
      const cache = model.createCache(1);
      const prediction = model.forward(ckpt.params, Float64Array.from(x[0]!), cache);
      console.log(`prediction: ${fmt(Array.from(prediction))}`);
      console.log(`target:     ${fmt(target[0]!)}`);
    });
  },
  error: (e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  },
});
