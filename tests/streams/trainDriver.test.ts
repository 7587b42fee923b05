import { BehaviorSubject, Subject, config, filter, lastValueFrom, map, pipe, take, tap, toArray } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import {
  GradstreamError,
  NOT_READY,
  adam,
  createRng,
  sgd,
  train,
  update,
  type Batch,
  type BatchReader,
  type BatchSource,
  type StepRecord,
} from '../../src/index.js';
import { seedData, seedLoss, seedModel, seedParams, seedStep, seedT, seedX } from '../helpers/seed.js';
import { forward, gradient, loss } from '../../src/index.js';

const seedBatch = (): Batch => ({ x: Float64Array.from(seedX[0]!), y: Float64Array.from(seedT[0]!), size: 1 });
const tick = () => new Promise<void>((r) => setTimeout(r, 0));

/** An asynchronous source fed by hand: `push()` makes one batch available, `end()` ends the data. */
function pushSource() {
  let available = 0;
  let ended = false;
  let failure: unknown = null;
  let wake: (() => void) | null = null;
  let fail: ((e: unknown) => void) | null = null;
  let read = 0;
  let readyCalls = 0;
  const batch = seedBatch();
  const cursor = { epoch: 0, batchIndex: 0, epochEnd: false };
  const notify = () => {
    const w = wake;
    wake = null;
    fail = null;
    w?.();
  };
  const source: BatchSource = {
    open: (): BatchReader => ({
      next: () => {
        if (available > 0) {
          available -= 1;
          cursor.batchIndex = read++;
          return batch;
        }
        return ended ? null : NOT_READY;
      },
      cursor: () => cursor,
      whenReady: () => {
        readyCalls += 1;
        if (failure !== null) return Promise.reject(failure);
        return new Promise<void>((resolve, reject) => {
          wake = resolve;
          fail = reject;
        });
      },
      dropped: () => 7,
    }),
  };
  return {
    source,
    push: (n = 1) => {
      available += n;
      notify();
    },
    end: () => {
      ended = true;
      notify();
    },
    error: (e: unknown) => {
      failure = e;
      const f = fail;
      wake = null;
      fail = null;
      f?.(e);
    },
    readyCalls: () => readyCalls,
  };
}

afterEach(() => {
  config.onUnhandledError = null;
});

describe('train: the driver counts steps', () => {
  it('errors at once, naming the likely causes, when the pipeline has no update', async () => {
    const noUpdate = pipe(forward(seedModel), loss(seedLoss), gradient(seedModel, seedLoss));
    const err = await lastValueFrom(
      train({ params: seedParams(), data: seedData(), pipeline: noUpdate, maxSteps: 100, scheduler: 'sync' }).pipe(toArray()),
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GradstreamError);
    expect((err as GradstreamError).path).toBe('pipeline');
    expect((err as Error).message).toContain('step 0 came back without an update');
    expect((err as Error).message).toContain('no `update` operator');
  });

  it('errors on the first dropped record (filter before update) instead of spinning', async () => {
    const steps: number[] = [];
    const run = train({
      params: seedParams(),
      data: seedData(),
      pipeline: pipe(
        filter((r: StepRecord) => r.step % 2 === 0),
        forward(seedModel),
        loss(seedLoss),
        gradient(seedModel, seedLoss),
        update(sgd({ lr: 0.01 })),
        tap((r) => steps.push(r.step)),
      ),
      scheduler: 'sync',
    });
    await expect(lastValueFrom(run)).rejects.toThrow('step 1 came back without an update');
    expect(steps).toEqual([0]);
  });

  it('errors when an operator replaces the record with a copy (map to a spread)', async () => {
    const copying = pipe(
      map((r: StepRecord) => ({ ...r })),
      forward(seedModel),
      loss(seedLoss),
      gradient(seedModel, seedLoss),
      update(sgd({ lr: 0.01 })),
    );
    await expect(lastValueFrom(train({ params: seedParams(), data: seedData(), pipeline: copying, scheduler: 'sync' }))).rejects.toThrow(
      'replaced it with a copy',
    );
  });
});

describe('train: holds', () => {
  it('waits for a hold before the next step, in sync mode too', async () => {
    const events: string[] = [];
    const done = lastValueFrom(
      train({
        params: seedParams(),
        data: seedData(),
        pipeline: pipe(
          seedStep(),
          tap((r) => {
            events.push(`step ${r.step}`);
            if (r.step === 1) r.hold(tick().then(() => events.push('written')));
          }),
        ),
        maxSteps: 3,
        scheduler: 'sync',
      }),
    );
    expect(events).toEqual(['step 0', 'step 1']); // subscribe returned: the loop waits
    await done;
    expect(events).toEqual(['step 0', 'step 1', 'written', 'step 2', 'step 3']);
  });

  it('completes only after a hold registered while the pipeline completes', async () => {
    let written = false;
    let completedAfterWrite: boolean | undefined;
    let last: StepRecord | undefined;
    await new Promise<void>((resolve, _reject) =>
      train({
        params: seedParams(),
        data: seedData(),
        pipeline: pipe(
          seedStep(),
          tap({
            next: (r) => (last = r),
            finalize: () => last!.hold(tick().then(() => (written = true))),
          }),
          filter((r) => r.step < 2 || (r.stopReason = 'threshold') === undefined || true),
          tap((r) => {
            if (r.stopReason !== undefined) throw new Error('never');
          }),
        ),
        scheduler: 'sync',
      }).subscribe({
        error: (e: unknown) => {
          completedAfterWrite = written;
          resolve();
          void e;
        },
        complete: () => {
          completedAfterWrite = written;
          resolve();
        },
      }),
    ).catch((reject) => reject);
    expect(completedAfterWrite).toBe(true);
  });

  it('errors the run with a hold’s rejection', async () => {
    const boom = new Error('disk full');
    const run = train({
      params: seedParams(),
      data: seedData(),
      pipeline: pipe(
        seedStep(),
        tap((r) => r.step === 2 && r.hold(Promise.reject(boom))),
      ),
      scheduler: 'sync',
    });
    await expect(lastValueFrom(run)).rejects.toBe(boom);
  });

  it('refuses a hold that is not a promise', async () => {
    const run = train({
      params: seedParams(),
      data: seedData(),
      pipeline: pipe(
        seedStep(),
        tap((r) => r.hold(3 as never)),
      ),
      scheduler: 'sync',
    });
    await expect(lastValueFrom(run)).rejects.toThrow('record.hold: expected a promise, received 3');
  });
});

describe('train: asynchronous sources', () => {
  it.each(['sync', 'sliced'] as const)('steps as batches arrive and waits without stepping while idle (%s)', async (scheduler) => {
    const src = pushSource();
    const steps: number[] = [];
    let completed = false;
    let final: StepRecord | undefined;
    train({ params: seedParams(), data: src.source, pipeline: seedStep(), scheduler }).subscribe({
      next: (r) => {
        steps.push(r.step);
        final = r;
      },
      complete: () => (completed = true),
    });
    await tick();
    expect(steps).toEqual([]);
    src.push(2);
    await tick();
    await tick();
    expect(steps).toEqual([0, 1]);
    const calls = src.readyCalls();
    await new Promise((r) => setTimeout(r, 30));
    expect(steps).toEqual([0, 1]); // idle: no steps…
    expect(src.readyCalls()).toBe(calls); // …and no polling
    src.push();
    await tick();
    await tick();
    expect(steps).toEqual([0, 1, 2]);
    expect(final!.dropped).toBe(7);
    src.end();
    await tick();
    await tick();
    expect(completed).toBe(true);
    expect(steps).toEqual([0, 1, 2, 3]);
    expect(final!.stopReason).toBe('dataEnd');
  });

  it('errors the run with the source’s error', async () => {
    const src = pushSource();
    const done = lastValueFrom(train({ params: seedParams(), data: src.source, pipeline: seedStep(), scheduler: 'sync' }).pipe(toArray()));
    src.push();
    await tick();
    const boom = new Error('socket closed');
    src.error(boom);
    await expect(done).rejects.toBe(boom);
  });

  it('stops a run that waits for data when stopped, with a final record on the last batch', async () => {
    const src = pushSource();
    const stop = new Subject<void>();
    const recs: [number, string | undefined][] = [];
    const done = lastValueFrom(
      train({ params: seedParams(), data: src.source, pipeline: seedStep(), stop, scheduler: 'sync' }).pipe(
        tap((r) => recs.push([r.step, r.stopReason])),
        toArray(),
      ),
    );
    src.push(2);
    await tick();
    stop.next();
    await done;
    expect(recs).toEqual([
      [0, undefined],
      [1, undefined],
      [2, 'stopped'],
    ]);
  });

  it('errors clearly when a reader returns NOT_READY without whenReady', async () => {
    const lazy: BatchSource = { open: () => ({ next: () => NOT_READY, cursor: () => ({ epoch: 0, batchIndex: 0 }) }) };
    await expect(lastValueFrom(train({ params: seedParams(), data: lazy, pipeline: seedStep(), scheduler: 'sync' }))).rejects.toThrow(
      'whenReady',
    );
  });
});

describe('train: pause, stop, rng, epochEnd', () => {
  it('pauses at a step boundary and resumes from the same step', async () => {
    const pause = new BehaviorSubject(false);
    const steps: number[] = [];
    const done = lastValueFrom(
      train({
        params: seedParams(),
        data: seedData(),
        pipeline: pipe(
          seedStep(),
          tap((r) => {
            steps.push(r.step);
            if (r.step === 3) pause.next(true);
          }),
        ),
        pause,
        maxSteps: 6,
        scheduler: 'sync',
      }),
    );
    expect(steps).toEqual([0, 1, 2, 3]);
    await new Promise((r) => setTimeout(r, 20));
    expect(steps).toEqual([0, 1, 2, 3]);
    pause.next(false);
    const last = await done;
    expect(steps).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(last.loss).toBe(2.381266365508548);
  });

  it('starts paused when the pause stream says so, and stops while paused', async () => {
    const pause = new BehaviorSubject(true);
    const stop = new Subject<void>();
    const steps: (string | number)[] = [];
    const done = lastValueFrom(
      train({ params: seedParams(), data: seedData(), pipeline: seedStep(), pause, stop, scheduler: 'sliced' }).pipe(
        map((r) => r.stopReason ?? r.step),
        toArray(),
      ),
    );
    await new Promise((r) => setTimeout(r, 10));
    stop.next();
    steps.push(...(await done));
    expect(steps).toEqual(['stopped']);
  });

  it('after a pause and a resume, still stops and aborts at the next step boundary', async () => {
    const pause = new BehaviorSubject(false);
    const stop = new Subject<void>();
    const seen: (string | number)[] = [];
    const done = lastValueFrom(
      train({
        params: seedParams(),
        data: seedData(),
        pipeline: pipe(
          seedStep(),
          tap((r) => {
            seen.push(r.stopReason ?? r.step);
            if (r.step === 1) pause.next(true);
            if (r.step === 4) stop.next();
          }),
        ),
        pause,
        stop,
        scheduler: 'sync',
      }),
    );
    expect(seen).toEqual([0, 1]);
    pause.next(false);
    pause.next(false); // a second resume changes nothing
    const last = await done;
    expect(seen).toEqual([0, 1, 2, 3, 4, 'stopped']);
    expect(last.step).toBe(5);

    const controller = new AbortController();
    const again = new BehaviorSubject(false);
    const steps: (string | number)[] = [];
    await lastValueFrom(
      train({
        params: seedParams(),
        data: seedData(),
        pipeline: pipe(
          seedStep(),
          tap((r) => {
            steps.push(r.stopReason ?? r.step);
            if (r.step === 0) {
              again.next(true);
              again.next(false);
            }
            if (r.step === 2) controller.abort();
          }),
        ),
        pause: again,
        signal: controller.signal,
        scheduler: 'sync',
      }),
    );
    expect(steps).toEqual([0, 1, 2, 'aborted']);
  });

  it('puts the run’s generator and the epoch end on the record', async () => {
    const rng = createRng(3);
    const seen = await lastValueFrom(
      train({ params: seedParams(), data: seedData(), pipeline: seedStep(), rng, maxSteps: 1, scheduler: 'sync' }).pipe(
        map((r) => [r.rng === rng, r.epochEnd]),
        toArray(),
      ),
    );
    expect(seen).toEqual([
      [true, true],
      [true, true],
    ]);
  });
});

describe('train: divergence, state checks, consumers', () => {
  it('ends a diverging run as diverged, without applying the non-finite update', async () => {
    const recs = await lastValueFrom(
      train({ params: seedParams(), data: seedData(), pipeline: seedStep(sgd({ lr: 10 })), maxSteps: 1000, scheduler: 'sync' }).pipe(
        map((r) => [r.loss, r.stopReason]),
        toArray(),
      ),
    );
    const last = recs.at(-1)!;
    expect(last[1]).toBe('diverged');
    expect(Number.isFinite(last[0])).toBe(false);
    expect(recs.slice(0, -1).every((r) => Number.isFinite(r[0]))).toBe(true);
    expect(recs.length).toBeLessThan(200);
  });

  it('keeps going on non-finite losses when asked to', async () => {
    const pipeline = pipe(
      forward(seedModel),
      loss(seedLoss),
      gradient(seedModel, seedLoss),
      update(sgd({ lr: 10 }), { stopOnDivergence: false }),
    );
    const last = await lastValueFrom(train({ params: seedParams(), data: seedData(), pipeline, maxSteps: 300, scheduler: 'sync' }));
    expect(last.stopReason).toBe('maxSteps');
    expect(Number.isNaN(last.loss)).toBe(true);
  });

  it('refuses an optimizer state that does not fit the optimizer or the params', async () => {
    const wrongLength = [{ count: 0, mu: new Float64Array(8), nu: new Float64Array(16), nuMax: null }, { count: 0 }];
    const run = (optState: unknown) =>
      lastValueFrom(
        train({
          params: seedParams(),
          data: seedData(),
          pipeline: seedStep(adam({ lr: 0.1 }) as never),
          optState: optState as never,
          scheduler: 'sync',
        }),
      );
    await expect(run(wrongLength)).rejects.toThrow(GradstreamError);
    await expect(run(wrongLength)).rejects.toThrow(
      'optState[0].mu: expected a Float64Array of 16 values, received a Float64Array of 8 values',
    );
    await expect(run({ nope: 1 })).rejects.toThrow('optState: expected an array of');
  });

  it('stops at once when a subscriber’s own next throws, reporting the error once', async () => {
    const reported: unknown[] = [];
    config.onUnhandledError = (e) => reported.push(e);
    let seen = 0;
    const boom = new Error('consumer bug');
    train({
      params: seedParams(),
      data: seedData(),
      pipeline: seedStep(sgd({ lr: 1e-6 })),
      maxSteps: 100_000,
      scheduler: 'sync',
    }).subscribe(() => {
      seen += 1;
      if (seen === 3) throw boom;
    });
    expect(seen).toBe(3);
    await tick();
    expect(reported).toEqual([boom]);
  });

  it('stops at once when a consumer after pipe throws', async () => {
    const reported: unknown[] = [];
    config.onUnhandledError = (e) => reported.push(e);
    let seen = 0;
    train({ params: seedParams(), data: seedData(), pipeline: seedStep(sgd({ lr: 1e-6 })), maxSteps: 100_000, scheduler: 'sync' })
      .pipe(map((r) => r.step))
      .subscribe({
        next: () => {
          seen += 1;
          if (seen === 2) throw new Error('late');
        },
      });
    expect(seen).toBe(2);
    await tick();
    expect(reported).toHaveLength(1);
  });
});

describe('train: options', () => {
  const base = () => ({ params: seedParams(), data: seedData(), pipeline: seedStep() });
  it.each([
    [{ scheduler: 'slice' }, "scheduler: expected 'sync', 'sliced' or an RxJS SchedulerLike, received \"slice\" (a string)"],
    [{ maxSteps: '10' }, 'maxSteps: expected an integer ≥ 0, received "10" (a string)'],
    [{ params: undefined }, 'params: expected Params'],
    [{ data: undefined }, 'data: expected a BatchSource'],
    [{ pipeline: undefined }, 'pipeline: expected an operator'],
    [{ maxStep: 3 }, 'maxStep: expected a known option of train'],
    [{ rng: {} }, 'rng: expected an Rng'],
    [{ pause: true }, 'pause: expected an Observable, received true (a boolean)'],
    [{ signal: 'x' }, 'signal: expected an AbortSignal'],
    [{ cursor: { epoch: 'a' } }, 'cursor: expected { epoch, batchIndex }'],
    [{ clock: 3 }, 'clock: expected a function'],
  ])('refuses %o', (patch, message) => {
    expect(() => train({ ...base(), ...patch } as never)).toThrow(message);
    expect(() => train({ ...base(), ...patch } as never)).toThrow(GradstreamError);
  });
  it('refuses a missing options object', () => {
    expect(() => train(undefined as never)).toThrow('train: expected an options object');
  });
  it('refuses a bad optimizer or update option', () => {
    expect(() => update(undefined as never)).toThrow('update.optimizer: expected a GradientTransformation');
    expect(() => update(sgd(), { stopOnDivergence: 'no' as never })).toThrow(
      'update.stopOnDivergence: expected a boolean, received "no" (a string)',
    );
  });
});

describe('train: params must fit the model', () => {
  it('refuses params of another layout with the same size, naming the parameter and both shapes', async () => {
    const { dense: d, sequential: seq, createRng: rng } = await import('../../src/index.js');
    const other = seq([d(2, 8, { bias: false })]).init(rng(1)); // 16 values, like the lesson's 4×4
    const run = train({ params: other, data: seedData(), pipeline: seedStep(), scheduler: 'sync' });
    await expect(lastValueFrom(run)).rejects.toThrow('params["0.W"]: expected shape [4, 4] (the model\'s), received shape [2, 8]');
    const extra = seq([d(4, 4)]).init(rng(1));
    await expect(lastValueFrom(train({ params: extra, data: seedData(), pipeline: seedStep(), scheduler: 'sync' }))).rejects.toThrow(
      'params["0.b"]: expected no such parameter',
    );
  });
});

describe('train: the pipeline', () => {
  it('errors with a GradstreamError when the pipeline does not return an Observable', async () => {
    const run = train({ params: seedParams(), data: seedData(), pipeline: (() => 3) as never, scheduler: 'sync' });
    await expect(lastValueFrom(run)).rejects.toThrow('pipeline: expected an operator that returns an Observable');
  });
});

describe('train: the reader', () => {
  it('is closed exactly once, whether the run completes or is unsubscribed', async () => {
    const closes: number[] = [];
    const counted = (i: number): BatchSource => ({
      open: () => {
        const inner = seedData().open();
        return { next: () => inner.next(), cursor: () => inner.cursor(), close: () => void (closes[i] = (closes[i] ?? 0) + 1) };
      },
    });
    await lastValueFrom(train({ params: seedParams(), data: counted(0), pipeline: seedStep(), maxSteps: 3, scheduler: 'sync' }));
    train({ params: seedParams(), data: counted(1), pipeline: seedStep(), scheduler: 'sync' })
      .pipe(take(2))
      .subscribe();
    expect(closes.slice(0, 2)).toEqual([1, 1]);
  });
});
