import { lastValueFrom, pipe, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { resumeSource } from '../../src/sinks/resumeSource.js';
import {
  checkpointTo,
  createRng,
  dense,
  forward,
  fromArrays,
  gradient,
  loadCheckpoint,
  loss,
  memoryStorage,
  mse,
  NOT_READY,
  resumeFrom,
  sequential,
  sgd,
  train,
  update,
  type Batch,
  type BatchReader,
  type StepRecord,
} from '../../src/index.js';

const X = [[0], [1], [2], [3], [4], [5]];
const Y = [[1], [3], [5], [7], [9], [11]];
const model = sequential([dense(1, 1)]);
const l = mse();
const step = () => pipe(forward(model), loss(l), gradient(model, l), update(sgd({ lr: 0.01 })));

describe('resumeSource', () => {
  it('passes the source through unless the checkpoint batch was trained on', () => {
    const source = fromArrays(X, Y, { batchSize: 2, shuffle: false });
    expect(resumeSource(source, {})).toBe(source);
    expect(resumeSource(source, { batchTrained: false })).toBe(source);
  });

  it('otherwise skips the batch at the cursor, also after NOT_READY, and keeps the reader’s capabilities', () => {
    const batches: Batch[] = [0, 1, 2].map((i) => ({ x: new Float64Array([i]), y: new Float64Array([i]), size: 1 }));
    let i = 0;
    let waits = 1;
    const cursor = { epoch: 0, batchIndex: -1 };
    let closed = false;
    const inner: BatchReader = {
      next: () => {
        if (waits > 0) {
          waits -= 1;
          return NOT_READY;
        }
        if (i >= batches.length) return null;
        cursor.batchIndex = i;
        return batches[i++]!;
      },
      cursor: () => cursor,
      whenReady: () => Promise.resolve(),
      dropped: () => 7,
      close: () => {
        closed = true;
      },
    };
    const reader = resumeSource({ open: () => inner }, { batchTrained: true }).open({ epoch: 0, batchIndex: 0 });
    expect(reader.next()).toBe(NOT_READY);
    expect(reader.next()).toBe(batches[1]);
    expect(reader.cursor()).toEqual({ epoch: 0, batchIndex: 1 });
    expect(reader.next()).toBe(batches[2]);
    expect(reader.next()).toBeNull();
    expect(reader.dropped?.()).toBe(7);
    expect(reader.whenReady).toBeTypeOf('function');
    reader.close?.();
    expect(closed).toBe(true);
    const bare = resumeSource({ open: () => ({ next: () => null, cursor: () => cursor }) }, { batchTrained: true }).open();
    expect(bare.dropped).toBeUndefined();
    expect(bare.whenReady).toBeUndefined();
  });
});

describe('checkpointTo + resumeFrom: a checkpoint of a re-evaluated batch', () => {
  it('the end of the data is saved with batchTrained, and resuming it takes no step', async () => {
    const store = memoryStorage();
    const records = await lastValueFrom(
      train({
        params: model.init(createRng(1)),
        data: fromArrays(X, Y, { batchSize: 2, shuffle: false, epochs: 2 }),
        pipeline: (r) => r.pipe(step(), checkpointTo<StepRecord>(store)),
        scheduler: 'sync',
      }).pipe(toArray()),
    );
    expect(records.at(-1)).toMatchObject({ step: 6, stopReason: 'dataEnd' });
    const c = await loadCheckpoint(store, 'last.json');
    expect(c.batchTrained).toBe(true);
    expect(JSON.parse(store.get('last.json')!)).toMatchObject({ step: 6, batchTrained: true });
    const again = await lastValueFrom(
      resumeFrom(c, {
        data: fromArrays(X, Y, { batchSize: 2, shuffle: false, epochs: 2 }),
        pipeline: step(),
        model,
        scheduler: 'sync',
      }).pipe(toArray()),
    );
    expect(again).toEqual([]);
  });

  it('a step limit reads a fresh batch: saved without batchTrained, resumed exactly', async () => {
    const store = memoryStorage();
    const data = () => fromArrays(X, Y, { batchSize: 2, shuffle: false, epochs: 3 });
    const whole = await lastValueFrom(
      train({ params: model.init(createRng(1)), data: data(), pipeline: step(), scheduler: 'sync' }).pipe(toArray()),
    );
    const losses = whole.map((r) => r.loss);
    await lastValueFrom(
      train({
        params: model.init(createRng(1)),
        data: data(),
        pipeline: (r) => r.pipe(step(), checkpointTo<StepRecord>(store)),
        maxSteps: 4,
        scheduler: 'sync',
      }),
    );
    const c = await loadCheckpoint(store, 'last.json');
    expect(c.batchTrained).toBeUndefined();
    expect(JSON.parse(store.get('last.json')!)).not.toHaveProperty('batchTrained');
    const rest = await lastValueFrom(resumeFrom(c, { data: data(), pipeline: step(), model, scheduler: 'sync' }).pipe(toArray()));
    expect(rest.map((r) => r.loss)).toEqual(losses.slice(4));
  });
});
