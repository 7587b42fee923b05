import { EMPTY, Subject, from, throwError } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { LossHistory } from '../../src/cli/lossHistory.js';
import { outputSink } from '../../src/cli/outputSink.js';
import type { StepRecord } from '../../src/index.js';
import { seedRecord } from '../helpers/records.js';

const rec = (step: number, loss: number, stop?: StepRecord['stopReason']): StepRecord =>
  Object.assign(seedRecord(step), { loss, ...(stop === undefined ? {} : { stopReason: stop }) });

describe('outputSink', () => {
  it('writes every n-th and the final record, records every loss, and reports the final record', () => {
    const history = new LossHistory();
    const written: number[] = [];
    const finals: number[] = [];
    const out: number[] = [];
    from([rec(0, 5), rec(1, 4), rec(2, 3), rec(3, 2, 'threshold')])
      .pipe(
        outputSink(
          2,
          (r) => written.push(r.step),
          history,
          (r) => finals.push(r.step),
        ),
      )
      .subscribe((r) => out.push(r.step));
    expect(out).toEqual([0, 1, 2, 3]);
    expect(written).toEqual([0, 2, 3]);
    expect(finals).toEqual([3]);
    expect(Array.from(history.points().losses)).toEqual([5, 4, 3, 2]);
  });

  it('passes errors and completion through; a throwing writer errors the stream', () => {
    const history = new LossHistory();
    let error: unknown;
    throwError(() => new Error('source'))
      .pipe(outputSink(1, undefined, history, () => {}))
      .subscribe({ error: (e: unknown) => (error = e) });
    expect((error as Error).message).toBe('source');
    let completed = false;
    EMPTY.pipe(outputSink(1, undefined, history, () => {})).subscribe({ complete: () => (completed = true) });
    expect(completed).toBe(true);
    from([rec(0, 1)])
      .pipe(
        outputSink(
          1,
          () => {
            throw new Error('write');
          },
          history,
          () => {},
        ),
      )
      .subscribe({ error: (e: unknown) => (error = e) });
    expect((error as Error).message).toBe('write');
  });

  it('unsubscribes from its source when unsubscribed', () => {
    const source = new Subject<StepRecord>();
    const sub = source.pipe(outputSink(1, undefined, new LossHistory(), () => {})).subscribe();
    expect(source.observed).toBe(true);
    sub.unsubscribe();
    expect(source.observed).toBe(false);
  });
});
