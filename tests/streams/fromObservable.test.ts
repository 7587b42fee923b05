import { Observable, pipe, Subject, tap, type OperatorFunction } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  NOT_READY,
  type GradstreamError,
  dense,
  forward,
  fromObservable,
  gradient,
  loss,
  mse,
  paramsFrom,
  sequential,
  sgd,
  train,
  update,
  type Batch,
  type StepRecord,
} from '../../src/index.js';
import type { Sample } from '../../src/streams/sampleQueue.js';
import { driveReader } from '../helpers/driveReader.js';

const s = (x: number, y = 2 * x): Sample => ({ x: [x], y: [y] });

/** Pushes `x` at virtual time `t` (ms from now) through `subject`. */
function at(subject: Subject<Sample>, t: number, x: number): void {
  setTimeout(() => subject.next(s(x)), t);
}

describe('fromObservable', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(0);
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('trains samples in arrival order, batched by count, the rest at completion', async () => {
    const subject = new Subject<Sample>();
    const reader = fromObservable(subject, { batchSize: 2 }).open();
    const run = driveReader(reader);
    [0, 5, 17, 40, 41].forEach((t, i) => at(subject, t, i));
    setTimeout(() => subject.complete(), 100);
    await vi.advanceTimersByTimeAsync(200);
    const got = await run;
    expect(got.map((d) => [d.x, d.y, d.at, d.batchIndex])).toEqual([
      [[0, 1], [0, 2], 5, 0],
      [[2, 3], [4, 6], 40, 1],
      [[4], [8], 100, 2],
    ]);
  });

  it('trains a partial batch once its oldest sample has waited maxWaitMs', async () => {
    const subject = new Subject<Sample>();
    const reader = fromObservable(subject, { batchSize: 3, maxWaitMs: 10 }).open();
    const run = driveReader(reader);
    [0, 4, 30, 31, 32, 50].forEach((t, i) => at(subject, t, i));
    setTimeout(() => subject.complete(), 1000);
    await vi.advanceTimersByTimeAsync(1000);
    const got = await run;
    expect(got.map((d) => [d.x, d.at])).toEqual([
      [[0, 1], 10],
      [[2, 3, 4], 32],
      [[5], 60],
    ]);
  });

  it('waits idle with no timer and no step; a partial batch holds exactly one timer', async () => {
    const subject = new Subject<Sample>();
    const reader = fromObservable(subject, { batchSize: 2, maxWaitMs: 50 }).open();
    let steps = 0;
    const run = driveReader(reader, { onBatch: () => void (steps += 1) });
    await vi.advanceTimersByTimeAsync(10_000);
    expect([steps, vi.getTimerCount()]).toEqual([0, 0]); // idle: nothing scheduled, nothing runs
    subject.next(s(1));
    expect(vi.getTimerCount()).toBe(1); // the maxWaitMs timer of the waiting sample
    await vi.advanceTimersByTimeAsync(49);
    expect(steps).toBe(0);
    await vi.advanceTimersByTimeAsync(1);
    expect([steps, vi.getTimerCount()]).toEqual([1, 0]);
    await vi.advanceTimersByTimeAsync(60_000);
    expect([steps, vi.getTimerCount()]).toEqual([1, 0]);
    subject.next(s(2));
    subject.next(s(3));
    await vi.advanceTimersByTimeAsync(0);
    expect([steps, vi.getTimerCount()]).toEqual([2, 0]); // a full batch trains at once, the timer is gone
    subject.complete();
    expect((await run).length).toBe(2);
  });

  it('ends with null on completion (after the waiting samples) and closes its subscription', async () => {
    const subject = new Subject<Sample>();
    const reader = fromObservable(subject, { batchSize: 4 }).open();
    expect(subject.observed).toBe(true);
    subject.next(s(1));
    subject.complete();
    expect(Array.from((reader.next() as Batch).x)).toEqual([1]);
    expect(reader.next()).toBeNull();
    reader.close!();
    expect(subject.observed).toBe(false);
  });

  it('trains the samples that arrived before an error, then rejects whenReady with that error', async () => {
    const subject = new Subject<Sample>();
    const reader = fromObservable(subject, { batchSize: 2 }).open();
    const boom = new Error('socket closed');
    subject.next(s(1));
    subject.next(s(2));
    subject.next(s(3));
    subject.error(boom);
    expect(Array.from((reader.next() as Batch).x)).toEqual([1, 2]);
    expect(Array.from((reader.next() as Batch).x)).toEqual([3]);
    expect(reader.next()).toBe(NOT_READY);
    await expect(reader.whenReady!()).rejects.toBe(boom);
  });

  it('rejects a pending wait when the source errors', async () => {
    const subject = new Subject<Sample>();
    const reader = fromObservable(subject).open();
    expect(reader.next()).toBe(NOT_READY);
    const wait = reader.whenReady!();
    const boom = new Error('broker down');
    subject.error(boom);
    await expect(wait).rejects.toBe(boom);
  });

  it('applies each overflow policy and counts the drops', () => {
    const push = (overflow: 'error' | 'dropOldest' | 'dropNewest'): { xs: number[]; dropped: number; error?: string } => {
      const subject = new Subject<Sample>();
      const reader = fromObservable(subject, { batchSize: 3, buffer: { size: 3, overflow } }).open();
      for (let i = 0; i < 5; i++) subject.next(s(i));
      const b = reader.next();
      if (b === NOT_READY) {
        let error = '';
        reader.whenReady!().catch((e: Error) => (error = e.message));
        return { xs: [], dropped: reader.dropped!(), error };
      }
      return { xs: Array.from((b as Batch).x), dropped: reader.dropped!() };
    };
    expect(push('dropOldest')).toEqual({ xs: [2, 3, 4], dropped: 2 });
    expect(push('dropNewest')).toEqual({ xs: [0, 1, 2], dropped: 2 });
    // 'error': the 3 samples before the overflow train, then the run errors
    const subject = new Subject<Sample>();
    const reader = fromObservable(subject, { batchSize: 3, buffer: { size: 3 } }).open();
    for (let i = 0; i < 5; i++) subject.next(s(i));
    expect(subject.observed).toBe(false); // the source is unsubscribed at the overflow
    expect(Array.from((reader.next() as Batch).x)).toEqual([0, 1, 2]);
    expect(reader.next()).toBe(NOT_READY);
    return expect(reader.whenReady!()).rejects.toThrow(
      "fromObservable.buffer: expected at most 3 samples waiting (raise buffer.size, or choose overflow 'dropOldest' or 'dropNewest'), received sample 3 while 3 were waiting",
    );
  });

  it('refuses a bad sample with its index and field', async () => {
    const errorOf = async (...samples: unknown[]): Promise<string> => {
      const subject = new Subject<unknown>();
      const reader = fromObservable(subject as Subject<Sample>).open();
      for (const v of samples) subject.next(v);
      while (reader.next() !== NOT_READY);
      return reader.whenReady!().then(
        () => 'no error',
        (e: GradstreamError) => e.message,
      );
    };
    expect(await errorOf(s(1), { x: ['n/a'], y: [1] })).toBe('fromObservable sample 1, x[0]: expected a finite number, received "n/a"');
    expect(await errorOf(s(1), { x: [1, 2], y: [1] })).toBe('fromObservable sample 1, x: expected 1 values, received 2');
    expect(await errorOf({ x: 1, y: Number.NaN })).toBe('fromObservable sample 0, y: expected a finite number, received NaN');
    expect(await errorOf({ x: [], y: 1 })).toBe(
      'fromObservable sample 0, x: expected a number or a non-empty list of numbers, received an array of length 0',
    );
    expect(await errorOf(null)).toBe('fromObservable sample 0: expected a sample { x, y } or a batch { x, y, size }, received null');
    expect(await errorOf({ x: new Float64Array(3), y: new Float64Array(2), size: 2 })).toMatch(
      /fromObservable sample 0: expected a batch whose x and y hold `size` rows each/,
    );
  });

  it('splits ready-made batches into rows and accepts numbers as one-value rows', () => {
    const subject = new Subject<Sample | Batch>();
    const reader = fromObservable(subject, { batchSize: 3 }).open();
    subject.next({ x: new Float64Array([1, 10, 2, 20]), y: new Float64Array([0, 1]), size: 2 });
    expect(reader.next()).toBe(NOT_READY);
    subject.next({ x: [3, 30], y: 1 });
    const b = reader.next() as Batch;
    expect([Array.from(b.x), Array.from(b.y), b.size]).toEqual([[1, 10, 2, 20, 3, 30], [0, 1, 1], 3]);
  });

  it('reuses its batch buffers', () => {
    const subject = new Subject<Sample>();
    const reader = fromObservable(subject, { batchSize: 2 }).open({ epoch: 3, batchIndex: 7 });
    for (let i = 0; i < 6; i++) subject.next(s(i));
    const b1 = reader.next();
    const b2 = reader.next();
    expect(b1).toBe(b2);
    expect(reader.cursor()).toEqual({ epoch: 3, batchIndex: 8, epochEnd: false });
  });

  it('validates its options', () => {
    const subject = new Subject<Sample>();
    expect(() => fromObservable(subject, { batchSize: 0 })).toThrow('fromObservable.batchSize: expected an integer ≥ 1, received 0');
    expect(() => fromObservable(subject, { maxWaitMs: -1 })).toThrow(
      'fromObservable.maxWaitMs: expected a number ≥ 0 (or Infinity), received -1',
    );
    expect(() => fromObservable(subject, { batchSize: 8, buffer: { size: 4 } })).toThrow(
      'fromObservable.buffer.size: expected at least batchSize (8), received 4',
    );
    expect(() => fromObservable(subject, { buffer: { overflow: 'drop' as 'error' } })).toThrow(
      `fromObservable.buffer.overflow: expected 'error', 'dropOldest' or 'dropNewest', received "drop"`,
    );
    expect(() => fromObservable(subject, { inputs: 1.5 })).toThrow('fromObservable.inputs');
    expect(() => fromObservable(subject, { outputs: 0 })).toThrow('fromObservable.outputs');
    expect(() => fromObservable(3 as never)).toThrow('fromObservable: expected an Observable of samples, received 3');
    expect(() => fromObservable(subject, [] as never)).toThrow('fromObservable: expected an options object, received an array of length 0');
    expect(() => fromObservable(subject, { buffer: 5 as never })).toThrow('fromObservable.buffer: expected an options object, received 5');
    expect(() => fromObservable(subject, { scheduler: {} as never })).toThrow(
      'fromObservable.scheduler: expected an RxJS scheduler, received object',
    );
  });
});

describe('fromObservable in virtual time (TestScheduler)', () => {
  it('batches a marble stream by count and by maxWaitMs', () => {
    const scheduler = new TestScheduler((a, b) => expect(a).toEqual(b));
    const seen: string[] = [];
    const values = { a: s(1), b: s(2), c: s(3), d: s(4), e: s(5) };
    scheduler.run(({ hot }) => {
      const source = hot<Sample>('-a--b-------c---------d-e-|', values);
      const reader = fromObservable(source, { batchSize: 2, maxWaitMs: 5, scheduler }).open();
      // The "loop": asks for a batch at every frame.
      for (let t = 0; t <= 28; t++) {
        scheduler.schedule(() => {
          const b = reader.next();
          if (b !== NOT_READY) seen.push(`${t}:${b === null ? 'end' : Array.from(b.x).join(',')}`);
        }, t);
      }
    });
    // (a read in the frame of an emission runs before it) a+b by count after 4; c alone 5 ms after
    // it arrived at 12; d+e by count after 24; the end after 26
    expect(seen).toEqual(['5:1,2', '17:3', '25:4,5', '27:end', '28:end']);
  });

  it('cuts a lone sample after maxWaitMs of virtual time', () => {
    const scheduler = new TestScheduler((a, b) => expect(a).toEqual(b));
    const seen: string[] = [];
    let waits = 0;
    scheduler.run(({ hot }) => {
      const source = hot<Sample>('--a---------', { a: s(7) });
      const reader = fromObservable(source, { batchSize: 4, maxWaitMs: 6, scheduler }).open();
      for (let t = 0; t <= 11; t++) {
        scheduler.schedule(() => {
          const b = reader.next();
          if (b === NOT_READY) waits += 1;
          else if (b !== null) seen.push(`${t}:${Array.from(b.x).join(',')}`);
        }, t);
      }
    });
    expect([seen, waits]).toEqual([['8:7'], 11]);
  });
});

describe('fromObservable through the loop driver', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(0);
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  const model = sequential([dense(1, 1, { bias: false })]);
  const l = mse();
  const run = (
    samples$: Subject<Sample>,
    options: Parameters<typeof fromObservable>[1] = {},
    tail: OperatorFunction<StepRecord, StepRecord> = (s) => s,
  ) =>
    train({
      params: paramsFrom(model.layout, { '0.W': [0] }),
      data: fromObservable(samples$, options),
      pipeline: pipe(forward(model), loss(l), gradient(model, l), update(sgd({ lr: 0.1 })), tail),
    });

  it('trains samples in arrival order, idles with no step and no timer, and ends with dataEnd on completion', async () => {
    const samples$ = new Subject<Sample>();
    const seen: string[] = [];
    let done = false;
    run(samples$, { batchSize: 2, maxWaitMs: 30 }).subscribe({
      next: (r) => seen.push(`${r.step}:${Array.from(r.batch.x).join(',')}${r.stopReason === undefined ? '' : `:${r.stopReason}`}`),
      complete: () => (done = true),
    });
    await vi.advanceTimersByTimeAsync(60_000);
    expect([seen, vi.getTimerCount()]).toEqual([[], 0]); // a minute idle: no step, nothing scheduled
    setTimeout(() => samples$.next(s(1)), 3);
    setTimeout(() => samples$.next(s(2)), 11);
    setTimeout(() => samples$.next(s(3)), 50); // alone: trains 30 ms later
    await vi.advanceTimersByTimeAsync(200);
    expect(seen).toEqual(['0:1,2', '1:3']);
    expect(vi.getTimerCount()).toBe(0);
    samples$.complete();
    await vi.advanceTimersByTimeAsync(0);
    expect(seen).toEqual(['0:1,2', '1:3', '2:3:dataEnd']);
    expect(done).toBe(true);
  });

  it('errors the run with the source error after a sink’s pending write has landed', async () => {
    const samples$ = new Subject<Sample>();
    const events: string[] = [];
    const slowSink: OperatorFunction<StepRecord, StepRecord> = (source) =>
      source.pipe(
        tap((r) => {
          const step = r.step;
          r.hold(new Promise<void>((res) => setTimeout(() => (events.push(`written ${step}`), res()), 100)));
        }),
      );
    const finished = new Promise<void>((resolve) =>
      run(samples$, {}, slowSink).subscribe({ error: (e: Error) => (events.push(`error: ${e.message}`), resolve()), complete: resolve }),
    );
    samples$.next(s(1));
    samples$.error(new Error('broker gone'));
    await vi.advanceTimersByTimeAsync(500);
    await finished;
    expect(events).toEqual(['written 0', 'error: broker gone']);
  });

  it('copies the overflow drops onto the record', async () => {
    const samples$ = new Subject<Sample>();
    const dropped: number[] = [];
    run(samples$, { buffer: { size: 2, overflow: 'dropOldest' } }).subscribe((r) => dropped.push(r.dropped));
    for (let i = 0; i < 5; i++) samples$.next(s(i)); // pushed synchronously while the loop waits: 3 dropped
    await vi.advanceTimersByTimeAsync(0);
    samples$.complete();
    await vi.advanceTimersByTimeAsync(0);
    expect(dropped).toEqual([3, 3, 3]);
  });
});

describe('fromObservable (property)', () => {
  it('never loses, duplicates or reorders a sample: read + dropped + waiting = pushed, in arrival order', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 0, max: 6 }),
        fc.constantFrom('dropOldest' as const, 'dropNewest' as const),
        fc.array(fc.oneof(fc.integer({ min: 1, max: 7 }), fc.constant(0)), { maxLength: 40 }),
        (batchSize, extra, overflow, ops) => {
          const size = batchSize + extra;
          const subject = new Subject<Sample>();
          const reader = fromObservable(subject, { batchSize, buffer: { size, overflow } }).open();
          let pushed = 0;
          const read: number[] = [];
          for (const op of ops) {
            if (op === 0) {
              const b = reader.next();
              if (b !== NOT_READY && b !== null) {
                expect(b.size).toBe(batchSize);
                read.push(...b.x);
              }
            } else for (let k = 0; k < op; k++) subject.next(s(pushed++));
          }
          subject.complete();
          for (let b = reader.next(); b !== null; b = reader.next()) {
            expect(b).not.toBe(NOT_READY);
            read.push(...(b as Batch).x);
          }
          expect(read.length + reader.dropped!()).toBe(pushed);
          for (let i = 1; i < read.length; i++) expect(read[i]!).toBeGreaterThan(read[i - 1]!);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('fromObservable with a source that ends while subscribing', () => {
  /** A synchronous source: `n` one-value samples, then `end` ('complete', an error, or nothing); counts its teardowns. */
  const source = (n: number, end: 'complete' | Error | null, torn: { n: number }): Observable<Sample> =>
    new Observable<Sample>((sub) => {
      for (let i = 0; i < n && !sub.closed; i++) sub.next({ x: [i], y: [i] });
      if (end === 'complete') sub.complete();
      else if (end !== null) sub.error(end);
      return () => void (torn.n += 1);
    });

  it('trains on what arrived, then errors with the source error', async () => {
    const boom = new Error('boom');
    const torn = { n: 0 };
    const reader = fromObservable(source(3, boom, torn), { batchSize: 2 }).open();
    expect(Array.from((reader.next() as Batch).x)).toEqual([0, 1]);
    expect(Array.from((reader.next() as Batch).x)).toEqual([2]);
    expect(reader.next()).toBe(NOT_READY);
    await expect(reader.whenReady!()).rejects.toBe(boom);
    expect(torn.n).toBe(1);
  });

  it('unsubscribes at once from a source that overflows while subscribing', async () => {
    const torn = { n: 0 };
    const reader = fromObservable(source(5, null, torn), { batchSize: 2, buffer: { size: 3 } }).open();
    expect(torn.n).toBe(1);
    expect(Array.from((reader.next() as Batch).x)).toEqual([0, 1]);
    expect(Array.from((reader.next() as Batch).x)).toEqual([2]);
    await expect(reader.whenReady!()).rejects.toThrow('fromObservable.buffer: expected at most 3 samples waiting');
  });

  it('ends after the last samples when the source completes; close() tears a live source down once', () => {
    const torn = { n: 0 };
    const reader = fromObservable(source(3, 'complete', torn), { batchSize: 2 }).open({ epoch: 0, batchIndex: 4 });
    expect(Array.from((reader.next() as Batch).x)).toEqual([0, 1]);
    expect(reader.cursor()).toEqual({ epoch: 0, batchIndex: 4, epochEnd: false });
    expect(Array.from((reader.next() as Batch).x)).toEqual([2]);
    expect(reader.next()).toBeNull();
    const live = { n: 0 };
    const open = fromObservable(source(1, null, live)).open();
    open.close!();
    open.close!();
    expect(live.n).toBe(1);
  });
});
