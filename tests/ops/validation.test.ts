import { firstValueFrom, lastValueFrom, of, pipe, tap, throwError } from 'rxjs';
import { describe, expect, it } from 'vitest';
import {
  accuracy,
  cloneParams,
  createRng,
  dense,
  dropout,
  forward,
  fromArrays,
  fromAsyncIterable,
  gradient,
  loss,
  meanAbsoluteError,
  mse,
  predict,
  relu,
  sequential,
  sgd,
  softmaxCrossEntropy,
  splitArrays,
  train,
  update,
  validation,
  type Params,
} from '../../src/index.js';
import { createStepRecord } from '../../src/streams/stepRecord.js';

import { keepsOperatorContract } from '../helpers/operatorContract.js';
import { seedModel, seedLoss } from '../helpers/seed.js';

describe('validation keeps the operator contract', () => {
  const held = { x: new Float64Array([1, 2, 3, 4]), y: new Float64Array([2, 3, 4, 5]), rows: 1 };
  keepsOperatorContract(
    () => validation(seedModel, held, { loss: seedLoss, every: 1 }),
    () =>
      validation(seedModel, held, {
        loss: seedLoss,
        every: 1,
        metrics: {
          bad: () => {
            throw new Error('user metric');
          },
        },
      }),
    'user metric',
  );
});

const X = Array.from({ length: 30 }, (_, i) => [i / 30, ((i * 7) % 30) / 30]);
const Y = X.map(([a, b]) => [2 * a! - b! + 0.5]);

interface Seen {
  step: number;
  batchIndex: number;
  epochEnd: boolean;
  valLoss: number | undefined;
  mae: number | undefined;
  params: Params;
  stop: string | undefined;
}

describe('validation', () => {
  it('sets valLoss and valMetrics exactly at epoch ends, equal to the loss of the record’s weights on the held-out rows', async () => {
    const { train: tr, validation: held } = splitArrays(X, Y, { validation: 0.2, seed: 4 });
    // the two parts are disjoint: no held-out row is a training row
    const key = (x: Float64Array, i: number): string => `${x[2 * i]},${x[2 * i + 1]}`;
    const trainKeys = new Set(Array.from({ length: tr.rows }, (_, i) => key(tr.x, i)));
    expect(Array.from({ length: held.rows }, (_, i) => key(held.x, i)).filter((k) => trainKeys.has(k))).toEqual([]);

    // dropout: validation runs the model in inference mode (no units dropped)
    const model = sequential([dense(2, 8), relu(), dropout(0.5), dense(8, 1)]);
    const l = mse();
    const seen: Seen[] = [];
    await lastValueFrom(
      train({
        params: model.init(createRng(2)),
        data: fromArrays(tr.x, tr.y, { rows: tr.rows, batchSize: 10, epochs: 3 }),
        rng: createRng(3),
        pipeline: pipe(
          forward(model),
          loss(l),
          gradient(model, l),
          validation(model, held, { loss: l, metrics: { mae: meanAbsoluteError }, batchSize: 4 }),
          tap((r) =>
            seen.push({
              step: r.step,
              batchIndex: r.batchIndex,
              epochEnd: r.epochEnd,
              valLoss: r.valLoss,
              mae: r.valMetrics?.mae,
              params: cloneParams(r.params),
              stop: r.stopReason,
            }),
          ),
          update(sgd({ lr: 0.1 })),
        ),
        scheduler: 'sync',
      }),
    );
    // 24 training rows in batches of 10: 3 steps per epoch, 3 epochs, and the final record
    expect(seen.map((s) => s.valLoss !== undefined)).toEqual([false, false, true, false, false, true, false, false, true, true]);
    expect(seen.map((s) => s.epochEnd)).toEqual([false, false, true, false, false, true, false, false, true, true]);
    expect(seen.at(-1)!.stop).toBe('dataEnd');
    for (const s of seen.filter((v) => v.valLoss !== undefined)) {
      const out = predict(model, s.params, held.x, held.rows);
      expect(s.valLoss!).toBeCloseTo(l.value(out, held.y, held.rows, 1), 12);
      expect(s.mae!).toBeCloseTo(meanAbsoluteError(out, held.y, held.rows, 1), 12);
    }
  });

  it('evaluates every N steps, on a synchronous source read one epoch per evaluation', async () => {
    const model = sequential([dense(2, 3)]);
    const l = softmaxCrossEntropy();
    const labels = X.map((_, i) => i % 3);
    const held = fromArrays(X.slice(0, 9), labels.slice(0, 9), { batchSize: 4 }); // infinite epochs: one is read
    const steps: number[] = [];
    const accs: number[] = [];
    await lastValueFrom(
      train({
        params: model.init(createRng(1)),
        data: fromArrays(X, labels, { batchSize: 5 }),
        maxSteps: 7,
        pipeline: pipe(
          forward(model),
          loss(l),
          gradient(model, l),
          update(sgd({ lr: 0.5 })),
          validation(model, held, { loss: l, metrics: { accuracy }, every: 3 }),
          tap((r) => {
            if (r.valLoss !== undefined) {
              steps.push(r.step);
              accs.push(r.valMetrics!.accuracy!);
            }
          }),
        ),
        scheduler: 'sync',
      }),
    );
    expect(steps).toEqual([0, 3, 6, 7]); // and the final record (maxSteps)
    for (const a of accs) expect(Number.isInteger(a * 9)).toBe(true); // a fraction of the 9 rows: weighted exactly
  });

  it('refuses asynchronous or mis-shaped validation data and bad options', async () => {
    const model = sequential([dense(2, 1)]);
    const l = mse();
    const params = model.init(createRng(1));
    const rec = createStepRecord(params, { x: new Float64Array(2), y: new Float64Array(1), size: 1 }, { epochEnd: true });
    const async = fromAsyncIterable(
      (async function* () {
        yield { x: [1, 2], y: [1] };
      })(),
    );
    await expect(firstValueFrom(of(rec).pipe(validation(model, async, { loss: l })))).rejects.toThrow(
      'validation.data: expected data in memory (load a file part with readAll first), received an asynchronous source',
    );
    const narrow = { x: new Float64Array([1, 2, 3]), y: new Float64Array([1, 2, 3]), rows: 3 };
    await expect(firstValueFrom(of(rec).pipe(validation(model, narrow, { loss: l })))).rejects.toThrow(
      "validation.data.x: expected 2 inputs per row (the model's), received 1",
    );
    await expect(firstValueFrom(throwError(() => new Error('up')).pipe(validation(model, narrow, { loss: l })))).rejects.toThrow('up');
    expect(() => validation(model, narrow, null as never)).toThrow(
      'validation: expected options with a loss, e.g. { loss: mse() }, received null',
    );
    expect(() => validation({} as never, narrow, { loss: l })).toThrow('validation(model): expected a model, received object');
    expect(() => validation(model, narrow, { loss: l, metrics: 4 as never })).toThrow(
      'validation.metrics: expected an options object, received 4',
    );
    expect(() => validation(model, narrow, { loss: l, every: 0 })).toThrow(
      `validation.every: expected 'epoch' or an integer ≥ 1, received 0`,
    );
    expect(() => validation(model, narrow, { loss: undefined as unknown as typeof l })).toThrow(
      'validation.loss: expected a loss (e.g. mse()), received undefined',
    );
    expect(() => validation(model, narrow, { loss: l, metrics: { bad: 3 as unknown as typeof accuracy } })).toThrow(
      'validation.metrics.bad: expected a metric function or a loss, received 3',
    );
    expect(() => validation(model, {} as typeof narrow, { loss: l })).toThrow(
      'validation.data: expected an ArraysPart { x, y, rows } or a batch source',
    );
    const off = createStepRecord(params, rec.batch, { epochEnd: false });
    const r = await firstValueFrom(
      of(off).pipe(validation(model, { x: new Float64Array([1, 2]), y: new Float64Array([0]), rows: 1 }, { loss: l })),
    );
    expect([r.valLoss, r.valMetrics]).toEqual([undefined, undefined]);
  });

  it('scores a loss given as a metric, over batches of two sizes; refuses a source with no rows', async () => {
    const model = sequential([dense(2, 1)]);
    const l = mse();
    const params = model.init(createRng(4));
    const rec = createStepRecord(params, { x: new Float64Array(2), y: new Float64Array(1), size: 1 }, { epochEnd: true });
    const held = { x: new Float64Array([1, 2, 3, 4, 5, 6]), y: new Float64Array([1, 0, 2]), rows: 3 };
    const r = await firstValueFrom(
      of(rec).pipe(validation(model, held, { loss: l, metrics: { mae: meanAbsoluteError, twice: l }, batchSize: 2 })),
    );
    const out = predict(model, params, held.x, 3);
    const want = [0, 1, 2].reduce((a, i) => a + (out[i]! - held.y[i]!) ** 2, 0) / 3;
    const mae = [0, 1, 2].reduce((a, i) => a + Math.abs(out[i]! - held.y[i]!), 0) / 3;
    expect(r.valLoss).toBeCloseTo(want, 12);
    expect(r.valMetrics!.twice).toBeCloseTo(want, 12);
    expect(r.valMetrics!.mae).toBeCloseTo(mae, 12);
    const empty = { open: () => ({ next: () => null, cursor: () => ({ epoch: 0, batchIndex: 0 }) }) };
    await expect(firstValueFrom(of(rec).pipe(validation(model, empty, { loss: l })))).rejects.toThrow(
      'validation.data: expected at least one row, received none',
    );
  });
});
