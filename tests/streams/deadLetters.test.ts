import { EventEmitter } from 'node:events';
import { Subject, lastValueFrom, pipe, tap } from 'rxjs';
import { describe, expect, it } from 'vitest';
import {
  GradstreamError,
  createRng,
  dense,
  fit,
  forward,
  fromAsyncIterable,
  fromEvents,
  fromObservable,
  gradient,
  loss,
  mse,
  sequential,
  sgd,
  train,
  update,
  type OnlineSource,
  type RejectedSample,
  type SampleOrBatch,
  type StepRecord,
} from '../../src/index.js';
import type { CountingReader } from '../../src/streams/deadLetters.js';
import { driveReader } from '../helpers/driveReader.js';

const model = sequential([dense(1, 1)]);
const l = mse();
const step = pipe(forward(model), loss(l), gradient(model, l), update(sgd({ lr: 0.01 })));

const good = (x: number): SampleOrBatch => ({ x: [x], y: [2 * x] });
const bad: unknown[] = [
  { x: [Number.NaN], y: [1] },
  { x: [1, 2], y: [1] },
  { x: ['3'], y: [1] },
  { x: [4] },
  null,
  { x: [Infinity], y: [0] },
];

/** Collects what `source.rejected$` reports. */
function deadLetters(source: OnlineSource): RejectedSample[] {
  const out: RejectedSample[] = [];
  source.rejected$.subscribe((r) => out.push(r));
  return out;
}

/** Trains on `data` (one step per batch), returning the inputs trained on and how the run ended. */
async function trainOn(data: OnlineSource, feed: () => void): Promise<{ xs: number[]; stopReason: string | undefined }> {
  const xs: number[] = [];
  const done = lastValueFrom(
    train({
      params: model.init(createRng(1)),
      data,
      pipeline: pipe(
        step,
        tap((r: StepRecord) => void xs.push(...r.batch.x)),
      ),
    }),
  );
  feed();
  const last = await done;
  return { xs, stopReason: last.stopReason };
}

describe('online sources: the invalid policy and the dead letters', () => {
  it("fromObservable with invalid: 'skip' trains on, counts the refused and reports each with its reason", async () => {
    const subject = new Subject<SampleOrBatch>();
    const source = fromObservable(subject, { invalid: 'skip' });
    const letters = deadLetters(source);
    const refusedDuringNext: number[] = [];
    const r = await trainOn(source, () => {
      subject.next(good(1));
      for (const b of bad) {
        subject.next(b as SampleOrBatch);
        refusedDuringNext.push(letters.length); // reported before next() returned
      }
      subject.next(good(2));
      subject.complete();
    });
    expect(r).toEqual({ xs: [1, 2, 2], stopReason: 'dataEnd' }); // the final record re-reads the last batch
    expect(refusedDuringNext).toEqual([1, 2, 3, 4, 5, 6]);
    expect(source.rejected()).toBe(6);
    expect(letters.map((x) => x.sample)).toEqual(bad);
    expect(letters.map((x) => x.reason)).toEqual([
      'fromObservable sample 1, x[0]: expected a finite number, received NaN',
      'fromObservable sample 2, x: expected 1 values, received 2',
      'fromObservable sample 3, x[0]: expected a finite number, received "3"',
      'fromObservable sample 4, y: expected a number or a non-empty list of numbers, received undefined',
      'fromObservable sample 5: expected a sample { x, y } or a batch { x, y, size }, received null',
      'fromObservable sample 6, x[0]: expected a finite number, received Infinity',
    ]);
    expect(letters.every((x) => x.error instanceof GradstreamError)).toBe(true);
  });

  it('the reader counts its refusals for the record, per run', async () => {
    const subject = new Subject<SampleOrBatch>();
    const source = fromObservable(subject, { invalid: 'skip', batchSize: 2 });
    const reader = source.open() as CountingReader;
    const run = driveReader(reader);
    subject.next(good(1));
    subject.next(bad[0] as SampleOrBatch);
    subject.next({ x: new Float64Array([1, Number.NaN]), y: new Float64Array([2, 3]), size: 2 }); // a bad batch: refused whole
    subject.next(good(2));
    subject.complete();
    const got = await run;
    expect(got.map((d) => d.x)).toEqual([[1, 2]]);
    expect(reader.rejected()).toBe(2);
    expect(source.open() instanceof Object && (source.open() as CountingReader).rejected()).toBe(0);
  });

  it("with the default policy ('error') the first bad sample errors the run, and is reported first", async () => {
    const subject = new Subject<SampleOrBatch>();
    const source = fromObservable(subject);
    const letters = deadLetters(source);
    await expect(
      trainOn(source, () => {
        subject.next(good(1));
        subject.next(bad[0] as SampleOrBatch);
      }),
    ).rejects.toThrow('fromObservable sample 1, x[0]: expected a finite number, received NaN');
    expect(letters.length).toBe(1);
  });

  it("fromEvents: a bad event or one map throws on is skipped and reported during the event's dispatch", async () => {
    const sensor = new EventEmitter();
    const source = fromEvents(sensor, 'reading', {
      invalid: 'skip',
      map: (text: string) => {
        const v = JSON.parse(text) as number;
        return { x: [v], y: [2 * v] };
      },
      endOn: 'close',
    });
    const answered: string[] = [];
    source.rejected$.subscribe((r) => answered.push(`${JSON.stringify(r.sample)} → ${r.reason}`));
    const r = await trainOn(source, () => {
      sensor.emit('reading', '1');
      sensor.emit('reading', '{oops');
      expect(answered.length).toBe(1); // the producer can answer within its own emit
      sensor.emit('reading', 'null');
      sensor.emit('reading', '3');
      sensor.emit('close');
    });
    expect(r).toEqual({ xs: [1, 3, 3], stopReason: 'dataEnd' });
    expect(answered).toEqual([
      `"{oops" → Expected property name or '}' in JSON at position 1`, // the event map threw on
      '{"x":[null],"y":[0]} → fromObservable sample 2, x[0]: expected a finite number, received null', // the sample map made
    ]);
    expect(source.rejected()).toBe(2);
  });

  it('fromEvents without a policy: map throwing errors the run with its error, as before', async () => {
    const sensor = new EventEmitter();
    const source = fromEvents(sensor, 'reading', {
      map: (v: number) =>
        v < 0
          ? (() => {
              throw new RangeError('negative');
            })()
          : { x: [v], y: [v] },
    });
    const letters = deadLetters(source);
    await expect(trainOn(source, () => sensor.emit('reading', -1))).rejects.toThrow(RangeError);
    expect(letters.map((x) => x.reason)).toEqual(['negative']);
  });

  it("fromAsyncIterable (async and plain) with invalid: 'skip' trains on the good samples", async () => {
    async function* stream(): AsyncGenerator<SampleOrBatch> {
      yield good(1);
      yield bad[0] as SampleOrBatch;
      yield good(2);
      yield bad[1] as SampleOrBatch;
      yield good(3);
    }
    const a = fromAsyncIterable(stream(), { invalid: 'skip', batchSize: 3 });
    const la = deadLetters(a);
    expect(await trainOn(a, () => {})).toEqual({ xs: [1, 2, 3, 1, 2, 3], stopReason: 'dataEnd' });
    expect(la.length).toBe(2);
    const p = fromAsyncIterable([good(1), bad[2] as SampleOrBatch, good(2)], { invalid: 'skip' });
    const lp = deadLetters(p);
    expect(await trainOn(p, () => {})).toEqual({ xs: [1, 2, 2], stopReason: 'dataEnd' });
    expect(lp.map((x) => x.sample)).toEqual([bad[2]]);
    await expect(trainOn(fromAsyncIterable(stream()), () => {})).rejects.toThrow(
      'fromAsyncIterable sample 1, x[0]: expected a finite number, received NaN',
    );
  });

  it("an app whose loss$ subscriber has no error handler survives a bad sample with 'skip'", async () => {
    const subject = new Subject<SampleOrBatch>();
    const data = fromObservable(subject, { invalid: 'skip' });
    const training = fit({ model, loss: l, optimizer: sgd({ lr: 0.01 }), params: model.init(createRng(1)), data });
    const losses: number[] = [];
    training.loss$.subscribe((v) => losses.push(v));
    await Promise.resolve();
    subject.next(good(1));
    subject.next({ x: [Number.NaN], y: [0] } as SampleOrBatch);
    subject.next(good(2));
    subject.complete();
    const r = await training.done();
    expect(r.stopReason).toBe('dataEnd');
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(data.rejected()).toBe(1);
  });

  it('refuses a bad invalid option, naming it', () => {
    expect(() => fromObservable(new Subject<SampleOrBatch>(), { invalid: 'ignore' as 'skip' })).toThrow(
      "fromObservable.invalid: expected 'error' or 'skip', received \"ignore\"",
    );
    expect(() => fromEvents(new EventEmitter(), 'x', { invalid: 'drop' as 'skip' })).toThrow(
      "fromEvents.invalid: expected 'error' or 'skip', received \"drop\"",
    );
    expect(() => fromAsyncIterable([], { invalid: 1 as unknown as 'skip' })).toThrow(
      "fromAsyncIterable.invalid: expected 'error' or 'skip', received 1",
    );
  });
});
