/**
 * "Try another loss function": the gradient-descent lesson (one linear layer `prediction = x · W`,
 * the same data and initial weights) trained with two losses written as formulas — log-cosh and a
 * quantile (pinball) loss — whose gradients come from automatic differentiation. Each run stops
 * once the lesson's measure, the mean squared error, is below 2.96; every step prints the
 * training loss and the MSE.
 *
 * Run: npm run custom-loss   (or: npx tsx examples/customLoss.ts)
 */
import { lastValueFrom, pipe, tap } from 'rxjs';
import {
  defineLoss,
  dense,
  earlyStopping,
  forward,
  fullBatch,
  gradient,
  loss,
  metric,
  mse,
  paramsFrom,
  sequential,
  sgd,
  train,
  update,
  type Loss,
} from '../src/index.js';

const x = [[1, 2, 3, 4]];
const target = [[2, 3, 4, 5]];
const W = [
  [-0.2416, -0.2497, -0.3932, 0.2935],
  [-0.0396, 0.1421, -0.4436, 0.1714],
  [-0.3519, 0.4072, -0.0721, -0.1659],
  [0.2055, -0.033, -0.2145, 0.1987],
];
const THRESHOLD = 2.96; // the lesson's exercise: bring the (mean squared) error below 2.96

// log(cosh(p − t)): like MSE / 2 for small errors, like MAE for large ones
const logcosh = defineLoss('logcosh', (p, t, T) => T.mean(T.log(T.cosh(T.sub(p, t)))));

// the pinball loss of quantile q: q·e where the target is above the prediction, (q − 1)·e below
const pinball = (q: number) =>
  defineLoss(`pinball(${q})`, (p, t, T) => {
    const e = T.sub(t, p);
    return T.mean(T.maximum(T.mul(q, e), T.mul(q - 1, e)));
  });

async function run(lossFn: Loss, lr: number): Promise<number> {
  const model = sequential([dense(4, 4, { bias: false })]);
  console.log(`\n${lossFn.name}, gradient descent (lr ${lr}), until the MSE is below ${THRESHOLD}`);
  const final = await lastValueFrom(
    train({
      params: paramsFrom(model.layout, { '0.W': W }),
      data: fullBatch(x, target),
      pipeline: pipe(
        forward(model),
        loss(lossFn),
        metric('mse', mse()),
        gradient(model, lossFn),
        update(sgd({ lr })),
        earlyStopping({ monitor: 'metrics.mse', threshold: THRESHOLD, maxEpochs: 1000 }),
        tap((r) =>
          console.log(`  step ${String(r.step).padStart(2)}: ${lossFn.name} ${r.loss.toFixed(6)}, MSE ${r.metrics.mse.toFixed(6)}`),
        ),
      ),
      scheduler: 'sync',
    }),
  );
  console.log(`  stopped after ${final.step} updates (${final.stopReason ?? 'completed'}), MSE ${final.metrics.mse}`);
  return final.metrics.mse;
}

const results = [await run(logcosh, 0.05), await run(pinball(0.8), 0.05)];
if (!results.every((m) => m < THRESHOLD)) {
  console.error(`an MSE stayed above ${THRESHOLD}`);
  process.exitCode = 1;
}
