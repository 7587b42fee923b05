import { EventEmitter } from 'node:events';
import { EMPTY, from, fromEvent, lastValueFrom, map, Observable, of, pipe, Subject, take, takeUntil, throwError, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import {
  dense,
  forward,
  fromObservable,
  GradstreamError,
  gradient,
  gru,
  loss,
  meanAbsoluteError,
  mse,
  prequential,
  sequential,
  sgd,
  createRng,
  slidingWindow,
  train,
  update,
} from '../../src/index.js';

const samples = async (
  events: readonly (number | number[])[],
  opts: Parameters<typeof slidingWindow>[0],
): Promise<{ x: number[]; y: number[] }[]> =>
  lastValueFrom(
    from(events).pipe(
      slidingWindow(opts),
      map((s) => ({ x: Array.from(s.x), y: Array.from(s.y) })),
      toArray(),
    ),
  );

describe('slidingWindow', () => {
  it('emits the last size events and the next one, a sample per event', async () => {
    expect(await samples([1, 2, 3, 4, 5], { size: 3 })).toEqual([
      { x: [1, 2, 3], y: [4] },
      { x: [2, 3, 4], y: [5] },
    ]);
  });

  it('honours step and horizon, and windows vectors event after event', async () => {
    const events = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
    // windows end at 1, 3, 5 (step 2); targets 3 events later: 4, 6, 8
    expect(await samples(events, { size: 2, step: 2, horizon: 3 })).toEqual([
      { x: [0, 1], y: [4] },
      { x: [2, 3], y: [6] },
      { x: [4, 5], y: [8] },
    ]);
    expect(
      await samples(
        [
          [1, 10],
          [2, 20],
          [3, 30],
          [4, 40],
        ],
        { size: 2 },
      ),
    ).toEqual([
      { x: [1, 10, 2, 20], y: [3, 30] },
      { x: [2, 20, 3, 30], y: [4, 40] },
    ]);
  });

  it('keeps bounded memory over a long stream: every sample matches the series (ring wrap-around)', async () => {
    const n = 10_000;
    const out = await samples(
      Array.from({ length: n }, (_, i) => i),
      { size: 7, step: 3, horizon: 5 },
    );
    expect(out).toHaveLength(Math.floor((n - 5 - 7) / 3) + 1);
    out.forEach((s, w) => {
      const end = 6 + 3 * w;
      expect(s.x).toEqual([0, 1, 2, 3, 4, 5, 6].map((k) => end - 6 + k));
      expect(s.y).toEqual([end + 5]);
    });
  });

  it('gives fresh arrays per sample', async () => {
    const out = await lastValueFrom(of(1, 2, 3, 4).pipe(slidingWindow({ size: 2 }), toArray()));
    expect(out[0]!.x).not.toBe(out[1]!.x);
    expect(Array.from(out[0]!.x)).toEqual([1, 2]);
  });

  it('completes with its source (no sample without a target yet), and on an empty source', async () => {
    expect(await samples([1, 2, 3], { size: 3 })).toEqual([]);
    await expect(lastValueFrom(EMPTY.pipe(slidingWindow({ size: 2 }), toArray()))).resolves.toEqual([]);
  });

  it('passes a source error through after the samples before it', async () => {
    const boom = new Error('source');
    const seen: number[][] = [];
    const failing = new Observable<number>((s) => {
      [1, 2, 3].forEach((v) => s.next(v));
      s.error(boom);
    });
    await expect(
      lastValueFrom(
        failing.pipe(
          slidingWindow({ size: 2 }),
          map((v) => seen.push(Array.from(v.x))),
        ),
      ),
    ).rejects.toBe(boom);
    expect(seen).toEqual([[1, 2]]);
    await expect(lastValueFrom(throwError(() => boom).pipe(slidingWindow({ size: 2 })))).rejects.toBe(boom);
  });

  it('errors with a GradstreamError naming a bad event', async () => {
    await expect(samples([1, 2, Number.NaN], { size: 2 })).rejects.toThrow(
      'slidingWindow event 2: expected a finite number (as the first event), received NaN',
    );
    await expect(samples([[1, 2], [3]], { size: 2 })).rejects.toThrow(
      'slidingWindow event 1: expected a list of 2 finite numbers (as the first event)',
    );
    await expect(lastValueFrom(of('x' as unknown as number).pipe(slidingWindow({ size: 2 })))).rejects.toThrow(GradstreamError);
  });

  it('refuses bad options', () => {
    expect(() => slidingWindow({ size: 0 })).toThrow('slidingWindow.size: expected an integer ≥ 1');
    expect(() => slidingWindow({ size: 2, horizon: 0 })).toThrow('slidingWindow.horizon');
    expect(() => slidingWindow({ size: 2, stride: 1 } as never)).toThrow('slidingWindow.stride: expected a known option');
  });

  it('runs the teardown on early unsubscribe, and stops a synchronous source when unsubscribed', () => {
    let tornDown = false;
    new Observable<number>(() => () => (tornDown = true))
      .pipe(slidingWindow({ size: 2 }))
      .subscribe()
      .unsubscribe();
    expect(tornDown).toBe(true);
    let produced = 0;
    const endless = new Observable<number>((s) => {
      for (let i = 0; i < 1000 && !s.closed; i++) {
        produced += 1;
        s.next(i);
      }
      s.complete();
    });
    const seen: unknown[] = [];
    endless.pipe(slidingWindow({ size: 3 }), take(2)).subscribe((v) => seen.push(v));
    expect([seen.length, produced]).toEqual([2, 5]);
  });

  it('feeds fromObservable and prequential: a GRU learns a stream of windows, test then train', async () => {
    const events$ = new Subject<number>();
    const model = sequential([gru(4, { timesteps: 6 }), dense(4, 1)]);
    const l = mse();
    const run = lastValueFrom(
      train({
        params: model.init(createRng(1)),
        data: fromObservable(events$.pipe(slidingWindow({ size: 6 })), { batchSize: 1 }),
        pipeline: pipe(
          forward(model),
          loss(l),
          prequential({ mae: meanAbsoluteError }),
          gradient(model, l),
          update(sgd({ lr: 0.05 })),
          toArray(),
        ),
      }),
    );
    for (let i = 0; i < 40; i++) events$.next(Math.sin(i / 3));
    events$.complete();
    const records = await run;
    expect(records.at(-1)!.stopReason).toBe('dataEnd');
    expect(records.at(-1)!.prequentialSamples).toBe(34);
    expect(Number.isFinite(records.at(-1)!.prequential.mae.running)).toBe(true);
  });

  it('windows the events of an EventEmitter (RxJS fromEvent) into a run that ends on its close event', async () => {
    const sensor = new EventEmitter();
    const model = sequential([gru(3, { timesteps: 4 }), dense(3, 1)]);
    const l = mse();
    const readings$ = fromEvent(sensor, 'reading', (v: unknown) => v as number).pipe(takeUntil(fromEvent(sensor, 'close')));
    const run = lastValueFrom(
      train({
        params: model.init(createRng(2)),
        data: fromObservable(readings$.pipe(slidingWindow({ size: 4, step: 2 })), { batchSize: 2 }),
        pipeline: pipe(
          forward(model),
          loss(l),
          gradient(model, l),
          update(sgd({ lr: 0.05 })),
          map((r) => ({ size: r.batch.size, x: Array.from(r.batch.x.subarray(0, r.batch.size * 4)), stopReason: r.stopReason })),
          toArray(),
        ),
      }),
    );
    for (let i = 0; i < 21; i++) sensor.emit('reading', i / 10);
    sensor.emit('close');
    const records = await run;
    // windows end at events 3, 5, …, 19 (targets 4 … 20): 9 samples, batches of 2, 2, 2, 2, 1
    expect(records.map((r) => r.size)).toEqual([2, 2, 2, 2, 1, 1]);
    expect(records[0]!.x).toEqual([0, 0.1, 0.2, 0.3, 0.2, 0.3, 0.4, 0.5]);
    expect(records.at(-1)!.stopReason).toBe('dataEnd');
    expect(sensor.listenerCount('reading')).toBe(0);
  });
});
