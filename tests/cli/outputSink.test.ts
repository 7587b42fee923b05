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
      .pipe(outputSink(2, { line: (r) => String(r.step), out: (s) => written.push(Number(s)) }, history, (r) => finals.push(r.step)))
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
          {
            line: () => {
              throw new Error('write');
            },
            out: () => {},
          },
          history,
          () => {},
        ),
      )
      .subscribe({ error: (e: unknown) => (error = e) });
    expect((error as Error).message).toBe('write');
  });

  it('writes epoch ends at least every n steps apart, and the last one before the final record', () => {
    // 3 steps an epoch (ends on 2, 5, 8, …); every 4; the data ends after step 12, repeated as the final record
    const recs: StepRecord[] = [];
    for (let s = 0; s <= 12; s++) recs.push(Object.assign(rec(s, 1 / (s + 1)), s % 3 === 2 ? { epochLoss: s } : {}));
    recs.push(rec(13, 0.1, 'dataEnd'));
    const written: string[] = [];
    from(recs)
      .pipe(
        outputSink(4, { line: (r) => `${r.step}${'epochLoss' in r ? 'e' : ''}`, out: (s) => written.push(s) }, new LossHistory(), () => {}),
      )
      .subscribe();
    expect(written).toEqual(['0', '2e', '4', '8e', '12', '13']); // 5 and 11: fewer than 4 steps after the last epoch end written
    // the last epoch end is written before the final record when nothing came between them
    const short = recs.slice(0, 12).concat(rec(12, 0.1, 'dataEnd'));
    const out: string[] = [];
    from(short)
      .pipe(outputSink(4, { line: (r) => `${r.step}${'epochLoss' in r ? 'e' : ''}`, out: (s) => out.push(s) }, new LossHistory(), () => {}))
      .subscribe();
    expect(out).toEqual(['0', '2e', '4', '8e', '11e', '12']);
  });

  it('unsubscribes from its source when unsubscribed', () => {
    const source = new Subject<StepRecord>();
    const sub = source.pipe(outputSink(1, undefined, new LossHistory(), () => {})).subscribe();
    expect(source.observed).toBe(true);
    sub.unsubscribe();
    expect(source.observed).toBe(false);
  });
});
