import { lastValueFrom, map, pipe, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { Subject } from 'rxjs';
import { forward, fromObservable, gradient, loss, sgd, train, update, type Batch, type BatchSource } from '../../src/index.js';
import { seedLoss, seedModel, seedParams, seedT, seedX } from '../helpers/seed.js';

const batch: Batch = { x: Float64Array.from(seedX[0]!), y: Float64Array.from(seedT[0]!), size: 1 };
const step = pipe(forward(seedModel), loss(seedLoss), gradient(seedModel, seedLoss), update(sgd({ lr: 0.01 })));

describe('train: the reader’s rejected count', () => {
  it('is copied onto each record next to dropped', async () => {
    let reads = 0;
    const data: BatchSource = {
      open: () => ({
        next: () => (reads < 3 ? (reads++, batch) : null),
        cursor: () => ({ epoch: 0, batchIndex: reads - 1 }),
        dropped: () => 10 * reads,
        rejected: () => reads * 2,
      }),
    };
    const out = await lastValueFrom(
      train({
        params: seedParams(),
        data,
        scheduler: 'sync',
        pipeline: pipe(
          step,
          map((r) => [r.step, r.dropped, r.rejected]),
        ),
      }).pipe(toArray()),
    );
    expect(out).toEqual([
      [0, 10, 2],
      [1, 20, 4],
      [2, 30, 6],
      [3, 30, 6],
    ]);
  });

  it('stays 0 for readers without rejected()', async () => {
    let reads = 0;
    const data: BatchSource = {
      open: () => ({ next: () => (reads < 2 ? (reads++, batch) : null), cursor: () => ({ epoch: 0, batchIndex: 0 }) }),
    };
    const out = await lastValueFrom(
      train({
        params: seedParams(),
        data,
        scheduler: 'sync',
        pipeline: pipe(
          step,
          map((r) => r.rejected),
        ),
      }).pipe(toArray()),
    );
    expect(out).toEqual([0, 0, 0]);
  });

  it('counts the samples fromObservable refused with invalid: skip', async () => {
    const events = new Subject<{ x: number[]; y: number[] }>();
    const data = fromObservable(events, { batchSize: 1, invalid: 'skip', inputs: 4, outputs: 4 });
    const run = lastValueFrom(
      train({
        params: seedParams(),
        data,
        pipeline: pipe(
          step,
          map((r) => r.rejected),
        ),
      }).pipe(toArray()),
    );
    events.next({ x: seedX[0]!, y: seedT[0]! });
    events.next({ x: [1], y: seedT[0]! });
    events.next({ x: seedX[0]!, y: seedT[0]! });
    events.complete();
    const counts = await run;
    expect(counts[counts.length - 1]).toBe(1);
  });
});
