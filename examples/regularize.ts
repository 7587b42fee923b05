/**
 * Regularization against overfitting: two noisy half-moons, only 60 training points, and a network
 * far too large for them (2-128-128-2, 17 000 weights). Trained without regularization it fits the
 * training points' noise: the training loss goes to ~0 while the loss on 1000 held-out points
 * rises. The same network with dropout, with an L2 penalty on its kernels, and with both, trained
 * from the same initial weights on the same batches, narrows that gap.
 *
 * Every loss here is measured in inference mode (`predict`: dropout off) and without the penalty,
 * so the four runs compare like with like. Prints one row per run: training loss, held-out loss,
 * their gap, and held-out accuracy.
 *
 * Run: npm run regularize   (or: npx tsx examples/regularize.ts)
 */
import { lastValueFrom, pipe } from 'rxjs';
import {
  accuracy,
  adam,
  createRng,
  dense,
  dropout,
  forward,
  fromArrays,
  gradient,
  l2,
  loss,
  moons,
  predict,
  relu,
  sequential,
  softmaxCrossEntropy,
  splitArrays,
  train,
  update,
  type Layer,
  type Params,
  type SequentialModel,
} from '../src/index.js';

const EPOCHS = 300;
const { x, y } = moons(1060, { noise: 0.3, rng: createRng(7) });
const { train: tr, validation: va } = splitArrays(x, y, { validation: 1000 / 1060, seed: 1 });
const ce = softmaxCrossEntropy();

interface Variant {
  readonly name: string;
  readonly dropout: number;
  readonly l2: number;
}

function build(v: Variant): SequentialModel {
  const reg = v.l2 > 0 ? { kernelRegularizer: l2(v.l2) } : {};
  const drop = (): Layer[] => (v.dropout > 0 ? [dropout(v.dropout)] : []);
  return sequential([dense(2, 128, reg), relu(), ...drop(), dense(128, 128, reg), relu(), ...drop(), dense(128, 2, reg)]);
}

function evaluate(model: SequentialModel, params: Params, part: typeof tr): { loss: number; accuracy: number } {
  const out = predict(model, params, part.x, part.rows); // inference mode: no dropout
  return { loss: ce.value(out, part.y, part.rows, 2), accuracy: accuracy(out, part.y, part.rows, 2) };
}

async function run(v: Variant): Promise<{ train: number; val: number; acc: number }> {
  const model = build(v);
  const final = await lastValueFrom(
    train({
      params: model.init(createRng(2)), // the same initial weights for every variant
      data: fromArrays(tr.x, tr.y, { rows: tr.rows, batchSize: 20, epochs: EPOCHS, shuffle: true, seed: 3 }),
      pipeline: pipe(forward(model), loss(ce), gradient(model, ce), update(adam({ lr: 0.005 }))),
      rng: createRng(4), // dropout masks
      scheduler: 'sync',
    }),
  );
  const t = evaluate(model, final.params, tr);
  const h = evaluate(model, final.params, va);
  return { train: t.loss, val: h.loss, acc: h.accuracy };
}

const variants: Variant[] = [
  { name: 'no regularization', dropout: 0, l2: 0 },
  { name: 'dropout 0.5', dropout: 0.5, l2: 0 },
  { name: 'L2 1e-3', dropout: 0, l2: 1e-3 },
  { name: 'dropout 0.5 + L2 1e-3', dropout: 0.5, l2: 1e-3 },
];
console.log(`${tr.rows} training points, ${va.rows} held out; 2-128-128-2 ReLU MLP, Adam 0.005, batch 20, ${EPOCHS} epochs\n`);
console.log('run                     train loss  held-out loss     gap  held-out accuracy');
for (const v of variants) {
  const r = await run(v);
  console.log(
    `${v.name.padEnd(22)}  ${r.train.toFixed(4).padStart(10)}  ${r.val.toFixed(4).padStart(13)}  ${(r.val - r.train).toFixed(4).padStart(6)}  ${(100 * r.acc).toFixed(1).padStart(15)} %`,
  );
}
