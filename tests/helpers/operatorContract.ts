/** The operator contract of STYLE.md (the checks of tests/ops/contract.test.ts) for one operator, as a reusable block. */
import { EMPTY, Observable, lastValueFrom, of, take, throwError, toArray, type OperatorFunction } from 'rxjs';
import { expect, it } from 'vitest';
import type { StepRecord } from '../../src/index.js';
import { seedRecord } from './records.js';

export function keepsOperatorContract(
  op: () => OperatorFunction<StepRecord, unknown>,
  failing: () => OperatorFunction<StepRecord, unknown>,
  message: string,
): void {
  // distinct cursors: each record is a new batch
  const rec = (i: number): StepRecord => Object.assign(seedRecord(i), { batchIndex: i });

  it('emits a value per record', async () => {
    expect(await lastValueFrom(of(rec(0), rec(1), rec(2)).pipe(op(), toArray()))).toHaveLength(3);
  });

  it('passes a source error through', async () => {
    const boom = new Error('source');
    await expect(lastValueFrom(throwError(() => boom).pipe(op()))).rejects.toBe(boom);
  });

  it('sends an error of its own work to subscriber.error', async () => {
    await expect(lastValueFrom(of(rec(0)).pipe(failing()))).rejects.toThrow(message);
  });

  it('completes on an empty source without emitting', async () => {
    await expect(lastValueFrom(EMPTY.pipe(op(), toArray()))).resolves.toEqual([]);
  });

  it('runs the teardown on early unsubscribe', () => {
    let tornDown = false;
    new Observable<StepRecord>(() => () => (tornDown = true)).pipe(op()).subscribe().unsubscribe();
    expect(tornDown).toBe(true);
  });

  it('stops a synchronous source when unsubscribed', () => {
    let produced = 0;
    const endless = new Observable<StepRecord>((s) => {
      for (let i = 0; i < 1000 && !s.closed; i++) {
        produced += 1;
        s.next(rec(i));
      }
      s.complete();
    });
    const seen: unknown[] = [];
    endless.pipe(op(), take(2)).subscribe((v) => seen.push(v));
    expect([seen.length, produced]).toEqual([2, 2]);
  });
}
