/** Runs the lesson (../shared/seed-example.md) through the real loop with an optimizer. */
import { lastValueFrom, map, pipe, toArray } from 'rxjs';
import { earlyStopping, train, type GradientTransformation, type OptState } from '../../../src/index.js';
import { seedData, seedParams, seedStep } from '../../helpers/seed.js';

export function runSeed(optimizer: GradientTransformation<OptState[]>) {
  return lastValueFrom(
    train({
      params: seedParams(),
      data: seedData(),
      pipeline: pipe(seedStep(optimizer), earlyStopping({ lossBelow: 2.96 })),
      scheduler: 'sync',
    }).pipe(
      map((r) => ({ step: r.step, loss: r.loss, lr: r.lr, stopReason: r.stopReason })),
      toArray(),
    ),
  );
}
