/**
 * XOR with a 2-8-1 MLP: the classic problem no single linear layer can solve. Trains through the
 * reactive loop on the four points (one mini-batch of 4 per step) with binary cross-entropy on
 * logits and Adam, printing the loss and accuracy every 50 steps, then the predictions.
 *
 * Run: npm run xor   (or: npx tsx examples/xor.ts)
 */
import { pipe, tap } from 'rxjs';
import {
  accuracy,
  adam,
  binaryCrossEntropy,
  createRng,
  dense,
  every,
  forward,
  fromArrays,
  gradient,
  loss,
  metric,
  predict,
  sequential,
  sigmoid,
  summary,
  tanh,
  train,
  update,
} from '../src/index.js';

const x = [
  [0, 0],
  [0, 1],
  [1, 0],
  [1, 1],
];
const y = [[0], [1], [1], [0]];

const model = sequential([dense(2, 8), tanh(), dense(8, 1)]); // outputs logits
const bce = binaryCrossEntropy({ fromLogits: true });
console.log(summary(model), '\n');

train({
  params: model.init(createRng(1)),
  data: fromArrays(x, y, { batchSize: 4, epochs: 500 }),
  pipeline: pipe(
    forward(model),
    loss(bce),
    gradient(model, bce),
    update(adam({ lr: 0.05 })),
    metric('accuracy', (p, t, rows, cols) => accuracy(p, t, rows, cols, { threshold: 0 })), // logits: class 1 when > 0
    every(50),
    tap((r) =>
      console.log(
        `step ${String(r.step).padStart(3)}  loss ${r.loss.toFixed(6)}  accuracy ${(100 * r.metrics.accuracy).toFixed(0)} %${r.stopReason ? `  (${r.stopReason})` : ''}`,
      ),
    ),
  ),
  scheduler: 'sync',
}).subscribe({
  next: (r) => {
    if (r.stopReason === undefined) return;
    // Probabilities: the same weights through the model with a sigmoid on top (no new parameters).
    const probs = predict(sequential([...model.layers, sigmoid()]), r.params, x);
    console.log('\n x1 x2 | target | P(1)');
    x.forEach((row, i) => console.log(`  ${row[0]}  ${row[1]} |   ${y[i]![0]}    | ${probs[i]!.toFixed(4)}`));
  },
  error: (e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  },
});
