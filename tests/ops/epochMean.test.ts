import { EMPTY, Observable, Subject, lastValueFrom, of, pipe, throwError, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import {
  createRng,
  dense,
  earlyStopping,
  epochMean,
  forward,
  fromArrays,
  fullBatch,
  gradient,
  loss,
  metric,
  mse,
  mae,
  sequential,
  sgd,
  train,
  update,
  type StepRecord,
  type WithEpochMean,
} from '../../src/index.js';
import { createStepRecord } from '../../src/streams/stepRecord.js';

type Rec = StepRecord & { metrics?: Record<string, number> };

/** A hand-made record of `size` rows with a loss and an optional metric. */
function rec(epoch: number, size: number, lossValue: number | undefined, epochEnd: boolean, acc?: number): Rec {
  const model = sequential([dense(1, 1)]);
  const r: Rec = createStepRecord(
    model.init(createRng(1)),
    { x: new Float64Array(size), y: new Float64Array(size), size },
    { epoch, epochEnd, loss: lossValue },
  );
  if (acc !== undefined) r.metrics = { acc };
  return r;
}

/** Copies what epochMean set, since a record's fields are valid during its emission. */
const seen = (r: Rec & WithEpochMean): [number | undefined, Record<string, number> | undefined] => [
  r.epochLoss,
  r.epochMetrics === undefined ? undefined : { ...r.epochMetrics },
];

describe('epochMean', () => {
  it('sets the row-weighted means on epochEnd records only, uneven last batch included', async () => {
    // epoch 0: batches of 4, 4, 2 rows; epoch 1: 4, 4, 2 rows
    const out = await lastValueFrom(
      of(
        rec(0, 4, 1, false, 0.5),
        rec(0, 4, 2, false, 0.75),
        rec(0, 2, 6, true, 1),
        rec(1, 4, 0.5, false, 1),
        rec(1, 4, 0.5, false, 1),
        rec(1, 2, 3, true, 0),
      ).pipe(
        epochMean(),
        // the record may be reused: read its fields during emission
        (s) =>
          new Observable<[number | undefined, Record<string, number> | undefined]>((sub) =>
            s.subscribe({ next: (r) => sub.next(seen(r)), complete: () => sub.complete() }),
          ),
        toArray(),
      ),
    );
    // (4·1 + 4·2 + 2·6) / 10 = 2.4; accuracy (4·0.5 + 4·0.75 + 2·1) / 10 = 0.7
    // (4·0.5 + 4·0.5 + 2·3) / 10 = 1; accuracy (4 + 4 + 0) / 10 = 0.8
    expect(out).toEqual([
      [undefined, undefined],
      [undefined, undefined],
      [expect.closeTo(2.4, 14), { acc: expect.closeTo(0.7, 14) }],
      [undefined, undefined],
      [undefined, undefined],
      [expect.closeTo(1, 14), { acc: expect.closeTo(0.8, 14) }],
    ]);
  });

  it('restarts at a new epoch number without an epochEnd, and leaves epochLoss undefined without losses', async () => {
    const out = await lastValueFrom(
      of(rec(0, 3, 5, false), rec(1, 1, 2, false), rec(1, 3, 4, true), rec(2, 2, undefined, true)).pipe(epochMean(), toArray()),
    );
    // the same object is not reused here (four records), so the values are still there
    expect(out.map((r) => r.epochLoss)).toEqual([undefined, undefined, (1 * 2 + 3 * 4) / 4, undefined]);
    expect(out[3]!.epochMetrics).toBeUndefined();
  });

  it('equals the loss on a full-batch source (every step ends an epoch)', async () => {
    const model = sequential([dense(1, 1)]);
    const l = mse();
    const pairs: [number, number | undefined][] = [];
    await new Promise<void>((resolve, reject) =>
      train({
        params: model.init(createRng(3)),
        data: fullBatch([[1], [2], [3]], [[2], [4], [6]]),
        pipeline: pipe(
          forward(model),
          loss(l),
          gradient(model, l),
          update(sgd({ lr: 0.05 })),
          epochMean(),
          (s) =>
            new Observable<StepRecord>((sub) =>
              s.subscribe({
                next: (r) => {
                  pairs.push([r.loss!, r.epochLoss]);
                  sub.next(r);
                },
                error: (e: unknown) => sub.error(e),
                complete: () => sub.complete(),
              }),
            ),
        ),
        scheduler: 'sync',
        maxSteps: 5,
      }).subscribe({ error: reject, complete: resolve }),
    );
    expect(pairs.length).toBe(6);
    for (const [a, b] of pairs) expect(b).toBe(a);
  });

  it('matches a hand computation in a run over mini-batches (fromArrays, uneven last batch), and drives earlyStopping', async () => {
    const model = sequential([dense(1, 1, { bias: false })]);
    const l = mse();
    const x = [[1], [2], [3], [4], [5]];
    const y = [[1], [2], [3], [4], [5]];
    const got: { step: number; loss: number; size: number; epochLoss: number | undefined; mae: number | undefined }[] = [];
    await new Promise<void>((resolve, reject) =>
      train({
        params: model.init(createRng(4)),
        data: fromArrays(x, y, { batchSize: 2, epochs: 3, shuffle: false }),
        pipeline: pipe(
          forward(model),
          loss(l),
          gradient(model, l),
          update(sgd({ lr: 0.01 })),
          metric('mae', mae()),
          epochMean(),
          (s) =>
            new Observable<StepRecord & WithEpochMean>((sub) =>
              s.subscribe({
                next: (r) => {
                  got.push({ step: r.step, loss: r.loss!, size: r.batch.size, epochLoss: r.epochLoss, mae: r.epochMetrics?.mae });
                  sub.next(r);
                },
                error: (e: unknown) => sub.error(e),
                complete: () => sub.complete(),
              }),
            ),
        ),
        scheduler: 'sync',
      }).subscribe({ error: reject, complete: resolve }),
    );
    // 3 batches per epoch (2, 2, 1 rows); the mean of each epoch by hand from the steps' losses
    const ends = got.filter((g) => g.epochLoss !== undefined);
    expect(ends.length).toBe(3);
    for (let e = 0; e < 3; e++) {
      const part = got.slice(3 * e, 3 * e + 3);
      expect(part.map((p) => p.size)).toEqual([2, 2, 1]);
      const mean = (part[0]!.loss * 2 + part[1]!.loss * 2 + part[2]!.loss * 1) / 5;
      expect(ends[e]!.epochLoss).toBeCloseTo(mean, 14);
      expect(ends[e]!.mae).toBeGreaterThan(0);
    }
    // earlyStopping watches it: a threshold above every epoch mean stops on the first epoch's end
    const stopped: (StepRecord & WithEpochMean)[] = [];
    await new Promise<void>((resolve, reject) =>
      train({
        params: model.init(createRng(4)),
        data: fromArrays(x, y, { batchSize: 2, epochs: 3, shuffle: false }),
        pipeline: pipe(
          forward(model),
          loss(l),
          gradient(model, l),
          update(sgd({ lr: 0.01 })),
          epochMean(),
          earlyStopping({ monitor: 'epochLoss', threshold: 1e9 }),
        ),
        scheduler: 'sync',
      }).subscribe({
        next: (r) => {
          if (r.stopReason !== undefined) stopped.push({ ...r });
        },
        error: reject,
        complete: resolve,
      }),
    );
    expect(stopped.map((r) => [r.step, r.stopReason, r.epochLoss])).toEqual([[2, 'threshold', ends[0]!.epochLoss]]);
  });

  it('passes errors and completion through, and is safe to subscribe twice', async () => {
    await expect(lastValueFrom(throwError(() => new Error('boom')).pipe(epochMean()))).rejects.toThrow('boom');
    await expect(lastValueFrom(EMPTY.pipe(epochMean(), toArray()))).resolves.toEqual([]);
    const src = of(rec(0, 2, 1, false), rec(0, 2, 3, true));
    const op = epochMean<Rec>();
    const a = await lastValueFrom(src.pipe(op, toArray()));
    const b = await lastValueFrom(src.pipe(op, toArray()));
    expect(a[1]!.epochLoss).toBe(2);
    expect(b[1]!.epochLoss).toBe(2);
  });

  it('runs the teardown on early unsubscribe', () => {
    const s = new Subject<Rec>();
    const sub = s.pipe(epochMean()).subscribe();
    expect(s.observed).toBe(true);
    sub.unsubscribe();
    expect(s.observed).toBe(false);
  });
});
