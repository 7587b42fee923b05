import { lastValueFrom, map, of, pipe, tap, toArray } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { earlyStopping, sgd, train, type StepRecord, type WithBest, type WithLoss } from '../../src/index.js';
import { seedRecord } from '../helpers/records.js';
import { seedData, seedParams, seedStep } from '../helpers/seed.js';

const withLosses = (...losses: number[]) => losses.map((l, i) => Object.assign(seedRecord(i), { loss: l }) as StepRecord & WithLoss);
const run = (losses: number[], opts: Parameters<typeof earlyStopping>[0]) =>
  lastValueFrom(
    of(...withLosses(...losses)).pipe(
      earlyStopping(opts),
      map((r) => [r.step, r.stopReason ?? null] as const),
      toArray(),
    ),
  );
const withValues = (values: (Record<string, unknown> | undefined)[]) =>
  values.map((v, i) => Object.assign(seedRecord(i), { loss: 1 }, v ?? {}));
const stops = async (records: StepRecord[], opts: Parameters<typeof earlyStopping>[0]) =>
  lastValueFrom(
    of(...records).pipe(
      earlyStopping(opts),
      map((r) => [r.step, r.stopReason ?? null] as const),
      toArray(),
    ),
  );

describe('earlyStopping', () => {
  it('stops on the first loss below the threshold, emitting that record', async () => {
    expect(await run([5, 4, 2.9, 1], { lossBelow: 2.96 })).toEqual([
      [0, null],
      [1, null],
      [2, 'threshold'],
    ]);
    expect(await run([5, 4], { lossBelow: 2.96 })).toEqual([
      [0, null],
      [1, null],
    ]);
  });

  it('stops on a plateau after `patience` records without an improvement above minDelta', async () => {
    expect(await run([5, 4, 3.95, 3.92, 3.91, 1], { patience: 3, minDelta: 0.1 })).toEqual([
      [0, null],
      [1, null],
      [2, null],
      [3, null],
      [4, 'plateau'],
    ]);
    expect(await run([5, 4, 3, 2, 1], { patience: 1 })).toEqual([
      [0, null],
      [1, null],
      [2, null],
      [3, null],
      [4, null],
    ]);
    expect(await run([5, 5], { patience: 1 })).toEqual([
      [0, null],
      [1, 'plateau'],
    ]);
  });

  it('counts patience only from startFrom', async () => {
    expect(await run([1, 2, 3, 4, 5, 6], { patience: 2, startFrom: 3 })).toEqual([
      [0, null],
      [1, null],
      [2, null],
      [3, null],
      [4, null],
      [5, 'plateau'],
    ]);
  });

  it('stops as diverged on a non-finite loss or one above lossAbove', async () => {
    expect(await run([5, Number.NaN, 1], { lossBelow: 1e-3 })).toEqual([
      [0, null],
      [1, 'diverged'],
    ]);
    expect(await run([5, Infinity], { patience: 10 })).toEqual([
      [0, null],
      [1, 'diverged'],
    ]);
    expect(await run([5, -Infinity], { patience: 10 })).toEqual([
      [0, null],
      [1, 'diverged'],
    ]);
    expect(await run([5, 50, 500], { lossAbove: 100 })).toEqual([
      [0, null],
      [1, null],
      [2, 'diverged'],
    ]);
  });

  it('monitors any value on the record, in min or max mode; records without it are skipped', async () => {
    const acc = withValues([
      { metrics: { accuracy: 0.5 } },
      { metrics: { accuracy: 0.7 } },
      { metrics: { accuracy: 0.96 } },
      { metrics: { accuracy: 0.99 } },
    ]);
    expect(await stops(acc, { monitor: 'metrics.accuracy', mode: 'max', threshold: 0.95 })).toEqual([
      [0, null],
      [1, null],
      [2, 'threshold'],
    ]);
    const val = withValues([{ valLoss: 3 }, undefined, { valLoss: 2 }, undefined, { valLoss: 2.5 }, undefined, { valLoss: 2.1 }]);
    expect(await stops(val, { monitor: 'valLoss', patience: 2 })).toEqual([
      [0, null],
      [1, null],
      [2, null],
      [3, null],
      [4, null],
      [5, null],
      [6, 'plateau'],
    ]);
    const max = withValues([
      { metrics: { accuracy: 0.5 } },
      { metrics: { accuracy: 0.6 } },
      { metrics: { accuracy: 0.55 } },
      { metrics: { accuracy: 0.6 } },
    ]);
    expect(await stops(max, { monitor: 'metrics.accuracy', mode: 'max', patience: 2 })).toEqual([
      [0, null],
      [1, null],
      [2, null],
      [3, 'plateau'],
    ]);
    expect(await stops(withValues([{ valLoss: 3 }, { valLoss: 0.5 }]), { monitor: 'valLoss', threshold: 1 })).toEqual([
      [0, null],
      [1, 'threshold'],
    ]);
  });

  it('stops after maxEpochs epochs, on the first record of the next one', async () => {
    const recs = [0, 0, 1, 1, 2, 2].map((epoch, i) => Object.assign(seedRecord(i), { loss: 1, epoch }));
    expect(await stops(recs, { maxEpochs: 2 })).toEqual([
      [0, null],
      [1, null],
      [2, null],
      [3, null],
      [4, 'maxEpochs'],
    ]);
  });

  it('stops on a wall-clock timeout (virtual time)', () => {
    const scheduler = new TestScheduler((a, b) => expect(a).toEqual(b));
    scheduler.run(({ cold, expectObservable }) => {
      const recs = withLosses(5, 4, 3, 2, 1);
      const source = cold('a 9ms b 9ms c 9ms d 9ms e|', { a: recs[0]!, b: recs[1]!, c: recs[2]!, d: recs[3]!, e: recs[4]! });
      const out = source.pipe(
        earlyStopping({ timeout: 25, clock: () => scheduler.now() }),
        map((r) => `${r.step}:${r.stopReason ?? '-'}`),
      );
      expectObservable(out).toBe('a 9ms b 9ms c 9ms (d|)', { a: '0:-', b: '1:-', c: '2:-', d: '3:timeout' });
    });
  });

  it('restoreBest puts the best weights back into the final record, and says so', async () => {
    // sgd with a large rate diverges slowly: the loss first falls, then rises
    const losses: number[] = [];
    const weights: number[][] = [];
    const last = (await lastValueFrom(
      train({
        params: seedParams(),
        data: seedData(),
        pipeline: pipe(
          seedStep(sgd({ lr: 0.031 })),
          tap((r: StepRecord) => {
            losses.push(r.loss!);
            weights.push(Array.from(r.params.data));
          }),
          earlyStopping({ patience: 3, restoreBest: true }),
        ),
        scheduler: 'sync',
        maxSteps: 100,
      }),
    )) as StepRecord & WithBest;
    const best = losses.indexOf(Math.min(...losses));
    expect(last.stopReason).toBe('plateau');
    expect(last.step).toBe(best + 3);
    expect(last.restoredBest).toBe(true);
    expect(last.bestStep).toBe(best);
    expect(last.bestValue).toBe(losses[best]);
    expect(Array.from(last.params.data)).toEqual(weights[best]);
    expect(last.loss).toBe(losses.at(-1));
  });

  it('restoreBest also applies when the driver ends the run, and says so when nothing was replaced', async () => {
    const lossesThenEnd = (await lastValueFrom(
      train({
        params: seedParams(),
        data: seedData(),
        pipeline: pipe(seedStep(sgd({ lr: 0.01 })), earlyStopping({ lossBelow: -1, restoreBest: true })),
        scheduler: 'sync',
        maxSteps: 4,
      }),
    )) as StepRecord & WithBest;
    expect([lossesThenEnd.stopReason, lossesThenEnd.restoredBest, lossesThenEnd.bestStep]).toEqual(['maxSteps', false, 4]);
  });

  it('checks criteria per subscription', async () => {
    const op = earlyStopping<StepRecord & WithLoss>({ patience: 2 });
    const a = await lastValueFrom(of(...withLosses(3, 3, 3)).pipe(op, toArray()));
    const b = await lastValueFrom(of(...withLosses(3, 3, 3)).pipe(op, toArray()));
    expect(a.length).toBe(3);
    expect(b.length).toBe(3);
  });

  it('rejects bad options, and none at all (issue 7.9)', () => {
    expect(() => earlyStopping({ patience: 0 })).toThrowErrorMatchingInlineSnapshot(
      `[GradstreamError: earlyStopping.patience: expected number to be >=1, received 0]`,
    );
    expect(() => earlyStopping({ minDelta: -1, patience: 1 })).toThrow('earlyStopping.minDelta: expected number to be >=0, received -1');
    expect(() => earlyStopping({ lossBelow: Number.NaN })).toThrow('earlyStopping.lossBelow: expected number, received NaN');
    expect(() => earlyStopping({ lossBelow: '3' as never })).toThrowErrorMatchingInlineSnapshot(
      `[GradstreamError: earlyStopping.lossBelow: expected number, received "3" (a string)]`,
    );
    expect(() => earlyStopping({})).toThrowErrorMatchingInlineSnapshot(
      `[GradstreamError: earlyStopping: expected at least one criterion (lossBelow, threshold, patience, lossAbove, maxEpochs, timeout), received none]`,
    );
    expect(() => earlyStopping({ restoreBest: true })).toThrow('earlyStopping: expected at least one criterion');
    expect(() => earlyStopping({ patiense: 3 } as never)).toThrow('earlyStopping: expected no other keys, received "patiense"');
    expect(() => earlyStopping({ patience: 3, mode: 'up' as never })).toThrow(
      'earlyStopping.mode: expected one of "min", "max", received "up"',
    );
    expect(() => earlyStopping({ patience: 3, monitor: '' })).toThrow('earlyStopping.monitor: expected a record field');
    expect(() => earlyStopping(undefined as never)).toThrow('earlyStopping: expected at least one criterion');
  });
});
