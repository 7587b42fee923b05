/** Hand-made step records of the seed problem, for operator tests. */
import type { Observable, OperatorFunction } from 'rxjs';
import { forward, gradient, loss, type StepRecord, type WithGrads, type WithLoss, type WithOutput } from '../../src/index.js';
import { createStepRecord } from '../../src/streams/stepRecord.js';
import { seedLoss, seedModel, seedParams, seedX, seedT } from './seed.js';

/** A fresh record at `step` holding the lesson's weights and batch. */
export function seedRecord(step = 0): StepRecord {
  return createStepRecord(
    seedParams(),
    { x: Float64Array.from(seedX[0]!), y: Float64Array.from(seedT[0]!), size: 1 },
    { step, epoch: step },
  );
}

export type Full = StepRecord & WithOutput & WithLoss & WithGrads;

/** forward → loss → gradient on each record (an operator to put in front of the one under test). */
export const evaluate: OperatorFunction<StepRecord, Full> = (s: Observable<StepRecord>) =>
  s.pipe(forward(seedModel), loss(seedLoss), gradient(seedModel, seedLoss));
