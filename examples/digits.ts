/**
 * A small convolutional network on the UCI optical digits (8×8 images of handwritten digits,
 * 1,797 of them, as bundled by scikit-learn; see examples/data/DIGITS.md for provenance and
 * licence): reshape the 64 pixel columns of each CSV row to an 8×8×1 image, two 3×3 convolutions
 * with max pooling, then a dense layer to 10 logits, trained with softmax cross-entropy and Adam
 * in shuffled mini-batches. A fixed 20 % of the images (seed 1) is held out; prints the held-out
 * accuracy at the end.
 *
 * Run: npm run digits   (or: npx tsx examples/digits.ts)
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { lastValueFrom, pipe } from 'rxjs';
import {
  accuracy,
  adam,
  conv2d,
  createRng,
  dense,
  flatten,
  forward,
  fromArrays,
  gradient,
  loss,
  maxPool2d,
  predict,
  relu,
  reshape,
  sequential,
  softmaxCrossEntropy,
  splitArrays,
  summary,
  train,
  update,
  type SequentialModel,
} from '../src/index.js';

/** The digits as rows of 64 pixels scaled to [0, 1] and their labels 0–9. */
export function loadDigits(path = fileURLToPath(new URL('./data/digits.csv', import.meta.url))): { x: number[][]; y: number[] } {
  const lines = readFileSync(path, 'utf8').trim().split('\n').slice(1);
  const x = lines.map((line) =>
    line
      .split(',')
      .slice(0, 64)
      .map((v) => Number(v) / 16),
  );
  const y = lines.map((line) => Number(line.split(',')[64]));
  return { x, y };
}

/** The network: 8×8×1 → conv 16 → pool → conv 32 → pool → 10 logits. */
export function digitsModel(): SequentialModel {
  return sequential([
    reshape([8, 8, 1]),
    conv2d({ filters: 16, kernelSize: 3, padding: 'same' }),
    relu(),
    maxPool2d({ poolSize: 2 }),
    conv2d({ filters: 32, kernelSize: 3, padding: 'same' }),
    relu(),
    maxPool2d({ poolSize: 2 }),
    flatten(),
    dense(128, 10),
  ]);
}

/** Trains for `epochs` epochs; resolves with the held-out accuracy, the model and the number of updates. */
export async function trainDigits(epochs: number): Promise<{ accuracy: number; model: SequentialModel; steps: number }> {
  const { x, y } = loadDigits();
  const { train: tr, validation } = splitArrays(x, y, { validation: 0.2, seed: 1 });
  const model = digitsModel();
  const ce = softmaxCrossEntropy(); // integer labels, logits
  const last = await lastValueFrom(
    train({
      params: model.init(createRng(2)),
      data: fromArrays(tr.x, tr.y, { rows: tr.rows, batchSize: 32, epochs, shuffle: true, seed: 3 }),
      pipeline: pipe(forward(model), loss(ce), gradient(model, ce), update(adam({ lr: 0.005 }))),
      scheduler: 'sync',
    }),
  );
  const out = predict(model, last.params, validation.x, validation.rows);
  return { accuracy: accuracy(out, validation.y, validation.rows, 10), model, steps: last.step };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const started = performance.now();
  console.log(summary(digitsModel()), '\n');
  const { accuracy: acc, steps } = await trainDigits(20);
  const seconds = (performance.now() - started) / 1000;
  console.log(`held-out accuracy after ${steps} updates (20 epochs, ${seconds.toFixed(1)} s): ${(100 * acc).toFixed(1)} % of 359 images`);
}
