import { lastValueFrom, pipe, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import {
  batchNorm,
  createRng,
  dense,
  forward,
  fromArrays,
  fullBatch,
  gradient,
  loss,
  mse,
  param,
  sequential,
  sgd,
  train,
  update,
  type BatchSource,
  type StepRecord,
} from '../../src/index.js';

// Keras' BatchNormalization(momentum=0.5) after an identity dense layer, lr 0: the moving mean is
// momentum · moving + (1 − momentum) · batch mean, folded once per training batch.
const X = [
  [1, 10],
  [3, 14],
  [5, 18],
  [7, 30],
];
const Y = [
  [0, 0],
  [0, 0],
  [0, 0],
  [0, 0],
];

async function movingStats(data: BatchSource, maxSteps?: number): Promise<{ mean: number[]; variance: number[]; records: StepRecord[] }> {
  const model = sequential([dense(2, 2), batchNorm({ momentum: 0.5 })]);
  const params = model.init(createRng(1));
  param(params, '0.W').set([1, 0, 0, 1]);
  param(params, '0.b').fill(0);
  const l = mse();
  const records = await lastValueFrom(
    train({
      params,
      data,
      pipeline: pipe(forward(model), loss(l), gradient(model, l), update(sgd({ lr: 0 }))),
      scheduler: 'sync',
      ...(maxSteps === undefined ? {} : { maxSteps }),
    }).pipe(toArray()),
  );
  const last = records[records.length - 1]!;
  return { mean: Array.from(param(last.params, '1.movingMean')), variance: Array.from(param(last.params, '1.movingVariance')), records };
}

describe('forward: the final record does not fold batch statistics', () => {
  it('fromArrays, batch 2, one epoch: moving mean [3.5, 15] as Keras (not [4.75, 19.5])', async () => {
    const { mean, variance, records } = await movingStats(fromArrays(X, Y, { batchSize: 2, shuffle: false, epochs: 1 }));
    expect(records.at(-1)!.stopReason).toBe('dataEnd');
    expect(mean).toEqual([3.5, 15]);
    // batch variances (biased): [1, 4] then [1, 36]; moving variance starts at 1
    expect(variance).toEqual([0.5 * (0.5 * 1 + 0.5 * 1) + 0.5 * 1, 0.5 * (0.5 * 1 + 0.5 * 4) + 0.5 * 36]);
  });

  it('fullBatch with maxSteps 1: moving mean [2, 9] as Keras (not [3, 13.5])', async () => {
    const { mean, records } = await movingStats(fullBatch(X, Y), 1);
    expect(records.at(-1)!.stopReason).toBe('maxSteps');
    expect(mean).toEqual([2, 9]);
  });

  it('the final record is still evaluated on the batch statistics (its loss is a training loss)', async () => {
    const { records } = await movingStats(fullBatch(X, Y), 1);
    // lr 0, same batch: the final record's loss equals step 0's
    expect(records.at(-1)!.loss).toBe(records[0]!.loss);
  });
});
