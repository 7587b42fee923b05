import { BehaviorSubject, EMPTY, from, lastValueFrom, map, of, pipe, Subject, take, tap, throwError, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { bindHyperParam, GradstreamError, hyperParam, sgd, train } from '../../src/index.js';
import { seedData, seedParams, seedStep } from '../helpers/seed.js';

describe('bindHyperParam', () => {
  it('a live lr stream takes effect at the next step, and each record says the lr its update used', async () => {
    const lr = hyperParam(0.01);
    const lr$ = new Subject<number>();
    const live = await lastValueFrom(
      train({
        params: seedParams(),
        data: seedData(),
        // the sink changes the rate in the middle of step 2: step 2's update keeps 0.01, step 3 uses 0.002
        pipeline: pipe(
          bindHyperParam(lr, lr$),
          seedStep(sgd({ lr })),
          tap((r) => r.step === 2 && lr$.next(0.002)),
        ),
        maxSteps: 6,
        scheduler: 'sync',
      }).pipe(
        map((r) => ({ step: r.step, lr: r.lr, loss: r.loss })),
        toArray(),
      ),
    );
    expect(live.map((r) => r.lr)).toEqual([0.01, 0.01, 0.01, 0.002, 0.002, 0.002, 0.002]);
    // the very same trajectory as the equivalent schedule
    const scheduled = await lastValueFrom(
      train({
        params: seedParams(),
        data: seedData(),
        pipeline: seedStep(sgd({ lr: (s) => (s < 3 ? 0.01 : 0.002) })),
        maxSteps: 6,
        scheduler: 'sync',
      }).pipe(
        map((r) => ({ step: r.step, lr: r.lr, loss: r.loss })),
        toArray(),
      ),
    );
    expect(live).toEqual(scheduled);
    expect(lr$.observed).toBe(false);
  });

  it("applies a BehaviorSubject's current value before the first record", async () => {
    const cell = hyperParam(1);
    const seen = await lastValueFrom(
      of(1, 2).pipe(
        bindHyperParam(cell, new BehaviorSubject(7)),
        map(() => cell.value),
        toArray(),
      ),
    );
    expect(seen).toEqual([7, 7]);
  });

  it('emits records unchanged and completes with its source, not with value$', async () => {
    const cell = hyperParam(1);
    const values = from([2, 3]);
    expect(await lastValueFrom(of('a', 'b').pipe(bindHyperParam(cell, values), toArray()))).toEqual(['a', 'b']);
    expect(cell.value).toBe(3);
    expect(await lastValueFrom(EMPTY.pipe(bindHyperParam(cell, new Subject<number>()), toArray()))).toEqual([]);
  });

  it('passes source errors and value$ errors through', async () => {
    const cell = hyperParam(1);
    await expect(lastValueFrom(throwError(() => new Error('src')).pipe(bindHyperParam(cell, new Subject<number>())))).rejects.toThrow(
      'src',
    );
    await expect(
      lastValueFrom(
        of(1).pipe(
          bindHyperParam(
            cell,
            throwError(() => new Error('values')),
          ),
        ),
      ),
    ).rejects.toThrow('values');
  });

  it('errors with a GradstreamError when value$ emits a non-finite number', async () => {
    const cell = hyperParam(1);
    const values = new Subject<number>();
    const got: unknown[] = [];
    values.pipe(take(0)).subscribe();
    const src = new Subject<number>();
    src.pipe(bindHyperParam(cell, values)).subscribe({ next: (v) => got.push(v), error: (e: unknown) => got.push(e) });
    src.next(1);
    values.next(Number.NaN);
    expect(got[0]).toBe(1);
    expect(got[1]).toBeInstanceOf(GradstreamError);
    expect(String(got[1])).toContain('hyperParam: expected a finite number, received NaN');
    expect(cell.value).toBe(1);
    expect(values.observed).toBe(false);
    expect(src.observed).toBe(false);
  });

  it('unsubscribes both on early unsubscribe, and stops a synchronous source', () => {
    const cell = hyperParam(1);
    const values = new Subject<number>();
    const seen: number[] = [];
    const sub = from([1, 2, 3, 4, 5])
      .pipe(bindHyperParam(cell, values), take(2))
      .subscribe((v) => seen.push(v));
    expect(seen).toEqual([1, 2]);
    expect(values.observed).toBe(false);
    sub.unsubscribe();
    const src = new Subject<number>();
    const s2 = src.pipe(bindHyperParam(cell, values)).subscribe();
    expect(values.observed).toBe(true);
    s2.unsubscribe();
    expect(values.observed).toBe(false);
    expect(src.observed).toBe(false);
  });

  it('hyperParam rejects a non-finite initial value', () => {
    expect(() => hyperParam(Number.NaN)).toThrow('hyperParam: expected a finite number, received NaN');
  });
});
