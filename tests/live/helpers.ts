/** A long-running lesson run for the live tests. */
import { earlyStopping, fit, fullBatch, sgd, type Training } from '../../src/index.js';
import { seedLoss, seedModel, seedParams, seedT, seedX } from '../helpers/seed.js';

export function lessonRun(o: { scheduler?: 'sync' | 'sliced'; maxSteps?: number; lossBelow?: number; sliceMs?: number } = {}): Training {
  return fit({
    model: seedModel,
    loss: seedLoss,
    optimizer: sgd({ lr: 0.001 }),
    data: fullBatch(seedX, seedT),
    params: seedParams(),
    scheduler: o.scheduler ?? 'sliced',
    ...(o.sliceMs === undefined ? {} : { sliceMs: o.sliceMs }),
    ...(o.maxSteps === undefined ? {} : { maxSteps: o.maxSteps }),
    sinks: o.lossBelow === undefined ? [] : [earlyStopping({ lossBelow: o.lossBelow })],
  });
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
