import { lastValueFrom, of, pipe, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import {
  createRng,
  dense,
  dropout,
  forward,
  GradstreamError,
  l2,
  loss,
  mse,
  sequential,
  type StepRecord,
  type WithPenalty,
} from '../../src/index.js';
import { createStepRecord } from '../../src/streams/stepRecord.js';

const batch = { x: new Float64Array([1, 2, -1, 0.5]), y: new Float64Array([1, 0]), size: 2 };

describe('forward and loss with penalties and training mode', () => {
  it('loss = data loss + penalty; the record holds both apart', async () => {
    const model = sequential([dense(2, 1, { kernelRegularizer: l2(0.1) })]);
    const params = model.init(createRng(3));
    const [r] = await lastValueFrom(of(createStepRecord(params, batch)).pipe(forward(model), loss(mse()), toArray()));
    const rec = r as StepRecord & WithPenalty & { loss: number };
    const plain = sequential([dense(2, 1)]);
    const data = mse().value(plain.forward(params, batch.x, plain.createCache(2)), batch.y, 2, 1);
    const W = params.tensors[0]!;
    expect(rec.dataLoss).toBe(data);
    expect(rec.penalty).toBe(0.1 * (W[0]! * W[0]! + W[1]! * W[1]!));
    expect(rec.loss).toBe(data + rec.penalty);
  });

  it('without a penalty, loss is the data loss and no parts are set', async () => {
    const model = sequential([dense(2, 1)]);
    const [r] = await lastValueFrom(of(createStepRecord(model.init(createRng(3)), batch)).pipe(forward(model), loss(mse()), toArray()));
    expect((r as Partial<WithPenalty>).penalty).toBeUndefined();
    expect((r as Partial<WithPenalty>).dataLoss).toBeUndefined();
  });

  it('forward trains: dropout uses the record rng and step; without rng it errors naming train({ rng })', async () => {
    const model = sequential([dense(2, 40), dropout(0.5)]);
    const params = model.init(createRng(3));
    const run = (rng: ReturnType<typeof createRng> | undefined, step: number) =>
      lastValueFrom(of(createStepRecord(params, batch, { rng, step })).pipe(pipe(forward(model)), toArray())).then(([r]) =>
        r!.output!.slice(),
      );
    const a = await run(createRng(1), 0);
    expect(Array.from(a).filter((v) => v === 0).length).toBeGreaterThan(10);
    expect(await run(createRng(1), 0)).toEqual(a);
    expect(await run(createRng(1), 1)).not.toEqual(a);
    await expect(run(undefined, 0)).rejects.toThrow(GradstreamError);
    await expect(run(undefined, 0)).rejects.toThrow('train({ rng: createRng(seed), … })');
  });

  it('forward and loss refuse what is not a model or a loss, at once', () => {
    expect(() => forward(undefined as never)).toThrow(
      'forward(model): expected a model (sequential([...]) or modelFromConfig(…).model), received undefined',
    );
    expect(() => forward({ ...sequential([dense(2, 1)]), layout: {} } as never)).toThrow(
      'forward(model).layout: expected a parameter layout',
    );
    expect(() => loss('mse' as never)).toThrow(
      'loss(lossFn): expected a loss (mse(), huber(1), softmaxCrossEntropy(), … or an object with value and grad), received "mse" (a string)',
    );
    expect(() => loss({ value: () => 0 } as never)).toThrow('loss(lossFn): expected a loss');
  });
});
