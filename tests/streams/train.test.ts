import { EMPTY, Observable, lastValueFrom, map, pipe, take, tap, throwError, toArray } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { GradstreamError, earlyStopping, sgd, train, type BatchSource, type StepRecord } from '../../src/index.js';
import { seedData, seedParams, seedStep } from '../helpers/seed.js';

const losses = (r: StepRecord) => r.loss!;
// `npm run test:slow` (tests/suites.ts, FULL_COUNT_TESTS) runs the long loop; 200,000 synchronous
// steps already overflow any stack that grows per step
const SYNC_STEPS = process.env['GRADSTREAM_FULL_COUNTS'] === '1' ? 10_000_000 : 200_000;

describe('train (the loop driver)', () => {
  it(`is stack-safe: ${SYNC_STEPS.toLocaleString('en')} synchronous steps of the seed problem`, () => {
    let count = 0;
    let last: StepRecord | undefined;
    let completed = false;
    train({
      params: seedParams(),
      data: seedData(),
      pipeline: seedStep(sgd({ lr: 0.001 })),
      maxSteps: SYNC_STEPS,
      scheduler: 'sync',
    }).subscribe({
      next: (r) => {
        count += 1;
        last = r;
      },
      complete: () => (completed = true),
    });
    expect(completed).toBe(true);
    expect(count).toBe(SYNC_STEPS + 1);
    expect(last!.step).toBe(SYNC_STEPS);
    expect(last!.stopReason).toBe('maxSteps');
    expect(last!.loss).toBeLessThan(1e-20);
  });

  it('ends on step maxSteps without updating it', async () => {
    const recs = await lastValueFrom(
      train({ params: seedParams(), data: seedData(), pipeline: seedStep(), maxSteps: 3, scheduler: 'sync' }).pipe(
        map((r) => [r.step, r.stopReason ?? null, Array.from(r.params.data.slice(0, 2))] as const),
        toArray(),
      ),
    );
    expect(recs.map((r) => r[0])).toEqual([0, 1, 2, 3]);
    expect(recs.map((r) => r[1])).toEqual([null, null, null, 'maxSteps']);
    // maxSteps 0: only the initial evaluation
    const zero = await lastValueFrom(
      train({ params: seedParams(), data: seedData(), pipeline: seedStep(), maxSteps: 0, scheduler: 'sync' }).pipe(map(losses), toArray()),
    );
    expect(zero).toEqual([16.740979677499997]);
  });

  it('never modifies the initial params it was given', async () => {
    const params = seedParams();
    const before = Array.from(params.data);
    await lastValueFrom(train({ params, data: seedData(), pipeline: seedStep(), maxSteps: 5, scheduler: 'sync' }));
    expect(Array.from(params.data)).toEqual(before);
  });

  it('stops when a downstream operator completes (take), without applying the last update', async () => {
    let last: StepRecord | undefined;
    const recs = await lastValueFrom(
      train({ params: seedParams(), data: seedData(), pipeline: pipe(seedStep(), take(3)), scheduler: 'sync' }).pipe(
        tap((r) => (last = r)),
        map(losses),
        toArray(),
      ),
    );
    expect(recs).toHaveLength(3);
    expect(recs[2]).toBe(8.738896022777983);
    // read after completion: the weights left are still those of step 2
    const again = await lastValueFrom(
      train({ params: seedParams(), data: seedData(), pipeline: seedStep(), maxSteps: 2, scheduler: 'sync' }).pipe(
        map((r) => Array.from(r.params.data)),
      ),
    );
    expect(last!.step).toBe(2);
    expect(Array.from(last!.params.data)).toEqual(again);
  });

  it('stops at a step boundary when the subscriber unsubscribes (sync)', () => {
    const seen: number[] = [];
    const sub = train({ params: seedParams(), data: seedData(), pipeline: seedStep(), scheduler: 'sync' })
      .pipe(take(5))
      .subscribe((r) => seen.push(r.step));
    expect(seen).toEqual([0, 1, 2, 3, 4]);
    expect(sub.closed).toBe(true);
  });

  it('can be cancelled mid-run in time-sliced mode', async () => {
    let count = 0;
    const sub = train({ params: seedParams(), data: seedData(), pipeline: seedStep(sgd({ lr: 1e-6 })), sliceMs: 2 }).subscribe(
      () => (count += 1),
    );
    await new Promise((r) => setTimeout(r, 30));
    sub.unsubscribe();
    const atCancel = count;
    expect(atCancel).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 30));
    expect(count).toBe(atCancel);
  });

  it('stops on an AbortSignal with a final, un-updated record', async () => {
    const controller = new AbortController();
    const recs = await lastValueFrom(
      train({ params: seedParams(), data: seedData(), pipeline: seedStep(), signal: controller.signal, scheduler: 'sync' }).pipe(
        tap((r) => {
          if (r.step === 4) controller.abort();
        }),
        map((r) => [r.step, r.stopReason] as const),
        toArray(),
      ),
    );
    expect(recs.at(-1)).toEqual([5, 'aborted']);
    expect(recs).toHaveLength(6);
  });

  it('time-sliced mode yields to the event loop: a timer fires while training runs', async () => {
    let stepsAtTimer = -1;
    let stepsTotal = 0;
    const timer = new Promise<void>((resolve) =>
      setTimeout(() => {
        stepsAtTimer = stepsTotal;
        resolve();
      }, 5),
    );
    const started = performance.now();
    const done = lastValueFrom(
      train({ params: seedParams(), data: seedData(), pipeline: seedStep(sgd({ lr: 1e-6 })), sliceMs: 5 }).pipe(
        tap(() => (stepsTotal += 1)),
        take(1_000_000_000),
        // run for ~60 ms of wall time
        tap((r) => {
          if (r.step % 256 === 0 && performance.now() - started > 60) throw new Error('enough');
        }),
      ),
    ).catch((e: Error) => e.message);
    await timer;
    expect(await done).toBe('enough');
    expect(stepsAtTimer).toBeGreaterThan(0); // training had started…
    expect(stepsTotal).toBeGreaterThan(stepsAtTimer); // …and went on after the timer fired
  });

  it('reads the clock only every few steps once it knows how many fit in a slice', () => {
    const scheduler = new TestScheduler((a, b) => expect(a).toEqual(b));
    let steps = 0;
    let reads = 0;
    let completed = false;
    let lastRead = -1;
    const clock = () => {
      reads += 1;
      lastRead = steps;
      return steps * 0.01; // 0.01 ms per step: 800 steps in an 8 ms slice
    };
    scheduler.run(({ flush }) => {
      train({
        params: seedParams(),
        data: seedData(),
        pipeline: pipe(
          seedStep(sgd({ lr: 1e-6 })),
          tap(() => (steps += 1)),
        ),
        maxSteps: 4000,
        scheduler,
        sliceSteps: 1e9,
        sliceMs: 8,
        clock,
      }).subscribe({
        complete: () => (completed = true),
      });
      flush();
    });
    expect(steps).toBe(4001);
    expect(lastRead).toBeGreaterThan(3000);
    // first slice: every step (800 reads); later slices: every 50th step (~17 reads each)
    expect(reads).toBeLessThan(800 + 5 * 20 + 10);
    expect(completed).toBe(true);
  });

  it('starts asynchronously in time-sliced mode', () => {
    let n = 0;
    const sub = train({ params: seedParams(), data: seedData(), pipeline: seedStep() }).subscribe(() => (n += 1));
    expect(n).toBe(0);
    sub.unsubscribe();
  });

  it('runs one step per action on a SchedulerLike (virtual time)', () => {
    const scheduler = new TestScheduler((a, b) => expect(a).toEqual(b));
    scheduler.run(({ expectObservable }) => {
      const out$ = train({ params: seedParams(), data: seedData(), pipeline: seedStep(), maxSteps: 2, scheduler }).pipe(
        map((r) => String(r.step)),
      );
      expectObservable(out$).toBe('(012|)');
    });
  });

  it('passes pipeline errors and data errors to the subscriber', async () => {
    const boom = new Error('boom');
    await expect(
      lastValueFrom(train({ params: seedParams(), data: seedData(), pipeline: () => throwError(() => boom), scheduler: 'sync' })),
    ).rejects.toBe(boom);
    const badData: BatchSource = {
      open: () => ({
        next: () => {
          throw boom;
        },
        cursor: () => ({ epoch: 0, batchIndex: 0 }),
      }),
    };
    await expect(lastValueFrom(train({ params: seedParams(), data: badData, pipeline: seedStep(), scheduler: 'sync' }))).rejects.toBe(boom);
    await expect(lastValueFrom(train({ params: seedParams(), data: badData, pipeline: seedStep() }))).rejects.toBe(boom);
    const inCallback = lastValueFrom(
      train({
        params: seedParams(),
        data: seedData(),
        pipeline: pipe(
          seedStep(),
          tap(() => {
            throw boom;
          }),
        ),
        scheduler: 'sync',
      }),
    );
    await expect(inCallback).rejects.toBe(boom);
  });

  it('completes when the pipeline completes without subscribing to the records', async () => {
    await expect(
      lastValueFrom(train({ params: seedParams(), data: seedData(), pipeline: () => EMPTY, scheduler: 'sync' }).pipe(toArray())),
    ).resolves.toEqual([]);
  });

  it('ends with a dataEnd record when the data runs out, evaluated on the last batch', async () => {
    const inner = seedData().open();
    let n = 0;
    const twoBatches: BatchSource = { open: () => ({ next: () => (n++ < 2 ? inner.next() : null), cursor: () => inner.cursor() }) };
    const recs = await lastValueFrom(
      train({ params: seedParams(), data: twoBatches, pipeline: seedStep(), scheduler: 'sync' }).pipe(
        map((r) => [r.step, r.stopReason ?? null] as const),
        toArray(),
      ),
    );
    expect(recs).toEqual([
      [0, null],
      [1, null],
      [2, 'dataEnd'],
    ]);
    const none: BatchSource = { open: () => ({ next: () => null, cursor: () => ({ epoch: 0, batchIndex: 0 }) }) };
    await expect(
      lastValueFrom(train({ params: seedParams(), data: none, pipeline: seedStep(), scheduler: 'sync' }).pipe(toArray())),
    ).resolves.toEqual([]);
  });

  it('resumes exactly from step, optimizer state and cursor', async () => {
    const full = await lastValueFrom(
      train({ params: seedParams(), data: seedData(), pipeline: seedStep(), maxSteps: 6, scheduler: 'sync' }).pipe(map(losses), toArray()),
    );
    let saved: { params: Float64Array; step: number; epoch: number } | undefined;
    await lastValueFrom(
      train({
        params: seedParams(),
        data: seedData(),
        pipeline: pipe(seedStep(), earlyStopping({ lossBelow: 5 })),
        scheduler: 'sync',
      }).pipe(tap((r) => (saved = { params: r.params.data.slice(), step: r.step, epoch: r.epoch }))),
    );
    expect(saved!.step).toBe(4);
    const params = seedParams();
    params.data.set(saved!.params);
    const rest = await lastValueFrom(
      train({
        params,
        step: saved!.step,
        cursor: { epoch: saved!.epoch, batchIndex: 0 },
        data: seedData(),
        pipeline: seedStep(),
        maxSteps: 6,
        scheduler: 'sync',
      }).pipe(
        map((r) => [r.step, r.epoch, r.loss] as const),
        toArray(),
      ),
    );
    expect(rest).toEqual([
      [4, 4, full[4]],
      [5, 5, full[5]],
      [6, 6, full[6]],
    ]);
  });

  it('gives each subscription its own run', async () => {
    const run$ = train({ params: seedParams(), data: seedData(), pipeline: seedStep(), maxSteps: 3, scheduler: 'sync' }).pipe(
      map(losses),
      toArray(),
    );
    const a = await lastValueFrom(run$);
    const b = await lastValueFrom(run$);
    expect(a).toEqual(b);
  });

  it('feeds a pipeline that subscribes to the records twice', async () => {
    const out = await lastValueFrom(
      train({
        params: seedParams(),
        data: seedData(),
        pipeline: (r$) =>
          new Observable<number>((s) => {
            const a = r$.subscribe((r) => s.next(100 + r.step));
            const b = r$.pipe(seedStep()).subscribe({ next: (r) => s.next(r.step), complete: () => s.complete() });
            return () => {
              a.unsubscribe();
              b.unsubscribe();
            };
          }),
        maxSteps: 2,
        scheduler: 'sync',
      }).pipe(toArray()),
    );
    expect(out).toEqual([100, 0, 101, 1, 102, 2]);
  });

  it('rejects bad options with a named field', () => {
    const base = { params: seedParams(), data: seedData(), pipeline: seedStep() };
    expect(() => train({ ...base, maxSteps: -1 })).toThrow(
      new GradstreamError({ code: 'invalid_config', path: 'maxSteps', expected: 'an integer ≥ 0', received: '-1' }),
    );
    expect(() => train({ ...base, step: 1.5 })).toThrow('step: expected an integer ≥ 0, received 1.5');
    expect(() => train({ ...base, sliceMs: 0 })).toThrow('sliceMs: expected a number > 0, received 0');
    expect(() => train({ ...base, sliceSteps: 0 })).toThrow('sliceSteps: expected a number ≥ 1, received 0');
  });
});
