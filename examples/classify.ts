/**
 * Classification of two interleaving half-moons (scikit-learn's `make_moons`, generated with the
 * seeded PRNG): a 2-16-16-2 ReLU network trained in shuffled mini-batches of 32 with softmax
 * cross-entropy on logits and Adam, 25 % of the points held out. Prints the mean training loss
 * and accuracy of every 10th epoch, then the accuracy on the held-out points.
 *
 * Run: npm run classify   (or: npx tsx examples/classify.ts)
 */
import { pipe, tap } from 'rxjs';
import {
  accuracy,
  adam,
  createRng,
  dense,
  epochMean,
  forward,
  fromArrays,
  gradient,
  loss,
  metric,
  moons,
  predict,
  relu,
  sequential,
  softmaxCrossEntropy,
  splitArrays,
  summary,
  train,
  update,
} from '../src/index.js';

const EPOCHS = 60;
const { x, y } = moons(1000, { noise: 0.15, rng: createRng(42) });
const { train: tr, validation } = splitArrays(x, y, { validation: 0.25, seed: 1 });
const model = sequential([dense(2, 16), relu(), dense(16, 16), relu(), dense(16, 2)]); // logits
const ce = softmaxCrossEntropy(); // integer labels, logits: the stable fused path
console.log(`${tr.rows} training points, ${validation.rows} held out\n`);
console.log(summary(model), '\n');

train({
  params: model.init(createRng(2)),
  data: fromArrays(tr.x, tr.y, { rows: tr.rows, batchSize: 32, epochs: EPOCHS, shuffle: true, seed: 3 }),
  pipeline: pipe(
    forward(model),
    loss(ce),
    gradient(model, ce),
    update(adam({ lr: 0.01 })),
    metric('accuracy', accuracy),
    // the mean training loss and accuracy over each epoch's rows, on its last step
    epochMean(),
    tap((r) => {
      if (r.epochLoss === undefined || (r.epoch + 1) % 10 !== 0) return;
      console.log(
        `epoch ${String(r.epoch + 1).padStart(2)}  loss ${r.epochLoss.toFixed(4)}  accuracy ${(100 * r.epochMetrics!.accuracy!).toFixed(1)} %`,
      );
    }),
  ),
  scheduler: 'sync',
}).subscribe({
  next: (r) => {
    if (r.stopReason === undefined) return;
    const out = predict(model, r.params, validation.x, validation.rows);
    const acc = accuracy(out, validation.y, validation.rows, 2);
    console.log(`\nheld-out accuracy after ${r.step} updates (${r.stopReason}): ${(100 * acc).toFixed(1)} %`);
  },
  error: (e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  },
});
