import { firstValueFrom, lastValueFrom, map, of, pipe, Subject, toArray, throwError } from 'rxjs';
import { describe, expect, it } from 'vitest';
import {
  GradstreamError,
  dense,
  forward,
  fromArrays,
  fromObservable,
  gradient,
  loss,
  meanAbsoluteError,
  mse,
  paramsFrom,
  prequential,
  sequential,
  sgd,
  train,
  update,
  type Sample,
  type StepRecord,
} from '../../src/index.js';
import { createStepRecord } from '../../src/streams/stepRecord.js';

import { keepsOperatorContract } from '../helpers/operatorContract.js';
import { evaluate } from '../helpers/records.js';

const model = sequential([dense(1, 1, { bias: false })]);
const l = mse();
const w0 = (): ReturnType<typeof paramsFrom> => paramsFrom(model.layout, { '0.W': [0] });

describe('prequential keeps the operator contract', () => {
  keepsOperatorContract(
    () => pipe(evaluate, prequential({ mse: mse() })),
    () =>
      pipe(
        evaluate,
        prequential({
          bad: () => {
            throw new Error('user metric');
          },
        }),
      ),
    'user metric',
  );
});

describe('prequential', () => {
  it('scores each batch with the weights before its update (a hand-computed test-then-train sequence)', async () => {
    // y = 2x, w starts at 0, sgd lr 0.1, one sample per step. By hand (mse = (w·x − y)², ∂/∂w = 2(w·x − y)x):
    //   step 0: x=1 y=2 pred 0     → se 4         ; w ← 0 + 0.1·4       = 0.4
    //   step 1: x=2 y=4 pred 0.8   → se 10.24     ; w ← 0.4 + 0.1·12.8  = 1.68
    //   step 2: x=1 y=2 pred 1.68  → se 0.1024    ; w ← 1.68 + 0.1·0.64 = 1.744
    //   step 3: x=3 y=6 pred 5.232 → se 0.589824
    const rows = await lastValueFrom(
      train({
        params: w0(),
        data: fromArrays([[1], [2], [1], [3]], [[2], [4], [2], [6]], { batchSize: 1, epochs: 1 }),
        pipeline: pipe(
          forward(model),
          loss(l),
          prequential({ mse: l, mae: meanAbsoluteError }, { window: 2 }),
          gradient(model, l),
          update(sgd({ lr: 0.1 })),
          map((r) => [
            r.step,
            r.prequential.mse.last,
            r.prequential.mse.running,
            r.prequential.mse.windowed,
            r.prequential.mae.running,
            r.prequentialSamples,
            r.stopReason ?? '',
          ]),
          toArray(),
        ),
        scheduler: 'sync',
      }),
    );
    const expected = [
      [0, 4, 4, 4, 2, 1, ''],
      [1, 10.24, (4 + 10.24) / 2, (4 + 10.24) / 2, (2 + 3.2) / 2, 2, ''],
      [2, 0.1024, (4 + 10.24 + 0.1024) / 3, (10.24 + 0.1024) / 2, (2 + 3.2 + 0.32) / 3, 3, ''],
      [3, 0.589824, (4 + 10.24 + 0.1024 + 0.589824) / 4, (0.1024 + 0.589824) / 2, (2 + 3.2 + 0.32 + 0.768) / 4, 4, ''],
      // the driver's final record re-evaluates the last batch: not scored twice
      [4, 0.589824, (4 + 10.24 + 0.1024 + 0.589824) / 4, (0.1024 + 0.589824) / 2, (2 + 3.2 + 0.32 + 0.768) / 4, 4, 'dataEnd'],
    ];
    expect(rows.length).toBe(expected.length);
    rows.forEach((row, i) =>
      row.forEach((v, j) =>
        typeof v === 'number' ? expect(v).toBeCloseTo(expected[i]![j] as number, 12) : expect(v).toBe(expected[i]![j]),
      ),
    );
  });

  it('weights batches by their size and keeps whole batches in the window', async () => {
    // w = 1 fixed (lr 0): errors |x − y| are 1, 2, 3, 4, 5 → per-batch mae 1.5, 3.5, 5
    const rows = await lastValueFrom(
      train({
        params: paramsFrom(model.layout, { '0.W': [1] }),
        data: fromArrays([[0], [0], [0], [0], [0]], [[1], [2], [3], [4], [5]], { batchSize: 2, epochs: 1 }),
        pipeline: pipe(
          forward(model),
          loss(l),
          prequential({ mae: meanAbsoluteError }, { window: 3 }),
          gradient(model, l),
          update(sgd({ lr: 0 })),
          map((r) => [r.prequential.mae.running, r.prequential.mae.windowed]),
          toArray(),
        ),
        scheduler: 'sync',
      }),
    );
    expect(rows.slice(0, 3)).toEqual([
      [1.5, 1.5],
      [(1 + 2 + 3 + 4) / 4, 3.5], // 2 + 2 > 3: the first batch leaves the window
      [3, (3.5 * 2 + 5) / 3], // 2 + 1 ≤ 3
    ]);
  });

  it('scores samples that arrive from an Observable as they come (online learning)', async () => {
    const samples$ = new Subject<Sample>();
    const run = lastValueFrom(
      train({
        params: w0(),
        data: fromObservable(samples$),
        pipeline: pipe(
          forward(model),
          loss(l),
          prequential({ mse: l }, { window: 100 }),
          gradient(model, l),
          update(sgd({ lr: 0.1 })),
          map((r) => r.prequential.mse.running),
        ),
        scheduler: 'sync',
      }),
    );
    samples$.next({ x: [1], y: [2] });
    samples$.next({ x: [2], y: [4] });
    await new Promise((r) => setTimeout(r, 5));
    samples$.complete();
    expect(await run).toBeCloseTo((4 + 10.24) / 2, 12);
  });

  it('passes errors through, reports a throwing metric, and validates its options', async () => {
    const r = createStepRecord(w0(), { x: new Float64Array([1]), y: new Float64Array([2]), size: 1 });
    const withOutput = (rec: StepRecord) => Object.assign(rec, { output: new Float64Array([0]), cache: model.createCache(1) });
    await expect(firstValueFrom(throwError(() => new Error('up')).pipe(prequential({ mse: l })))).rejects.toThrow('up');
    const bad = (): number => {
      throw new Error('metric failed');
    };
    await expect(firstValueFrom(of(withOutput(r)).pipe(prequential({ bad })))).rejects.toThrow('metric failed');
    const out = await firstValueFrom(of(withOutput(r)).pipe(prequential({ mse: l })));
    expect(out.prequential.mse).toEqual({ last: 4, running: 4, windowed: 4 });
    expect(() => prequential({ mse: l }, { window: 0 })).toThrow('prequential.window: expected an integer ≥ 1, received 0');
    expect(() => prequential({})).toThrow('prequential: expected at least one metric, e.g. { mae: meanAbsoluteError }, received none');
    expect(() => prequential({ x: 3 as unknown as typeof bad })).toThrow(GradstreamError);
    expect(() => prequential(undefined as never)).toThrow(
      'prequential: expected at least one metric, e.g. { mae: meanAbsoluteError }, received none',
    );
    expect(() => prequential(3 as never)).toThrow('prequential(metrics): expected an options object, received 3');
    expect(() => prequential({ mse: l }, null as never)).toThrow('prequential: expected an options object, received null');
  });
});
