/** The lesson's data and model (../shared/seed-example.md), for tests. */
import { pipe } from 'rxjs';
import { dense, forward, fullBatch, gradient, loss, mse, paramsFrom, sequential, sgd, update } from '../../src/index.js';
import type { GradientTransformation, OptState } from '../../src/index.js';

export const seedX = [[1, 2, 3, 4]];
export const seedT = [[2, 3, 4, 5]];
export const seedW = [
  [-0.2416, -0.2497, -0.3932, 0.2935],
  [-0.0396, 0.1421, -0.4436, 0.1714],
  [-0.3519, 0.4072, -0.0721, -0.1659],
  [0.2055, -0.033, -0.2145, 0.1987],
];

export const seedModel = sequential([dense(4, 4, { bias: false })]);
export const seedLoss = mse();
export const seedParams = () => paramsFrom(seedModel.layout, { '0.W': seedW });
export const seedData = () => fullBatch(seedX, seedT);

/** forward → loss → gradient → update(optimizer) for the lesson's layer. */
export const seedStep = (optimizer: GradientTransformation<OptState[]> = sgd({ lr: 0.01 })) =>
  pipe(forward(seedModel), loss(seedLoss), gradient(seedModel, seedLoss), update(optimizer));
