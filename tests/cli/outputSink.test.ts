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

  it('writes the epoch ends of every k-th epoch (k = every ÷ steps per epoch), and the last one before the final record', () => {
    // 3 steps an epoch (ends on 2, 5, 8, …), every 7: every 2nd epoch's end
    const epochRecs = (n: number, stop: StepRecord['stopReason']): StepRecord[] => {
      const recs: StepRecord[] = [];
      for (let s = 0; s < n; s++)
        recs.push(Object.assign(rec(s, 1 / (s + 1)), { epoch: Math.floor(s / 3), batchIndex: s % 3 }, s % 3 === 2 ? { epochLoss: s } : {}));
      recs.push(Object.assign(rec(n, 0.1, stop), { epoch: Math.floor((n - 1) / 3), batchIndex: (n - 1) % 3 }));
      return recs;
    };
    const written = (recs: StepRecord[]): string[] => {
      const out: string[] = [];
      const lines = { line: (r: StepRecord) => `${r.step}${'epochLoss' in r ? 'e' : ''}`, out: (s: string) => out.push(s) };
      from(recs)
        .pipe(outputSink(7, lines, new LossHistory(), () => {}))
        .subscribe();
      return out;
    };
    // epochs 0, 2, 4 (steps 2, 8, 14); the last epoch end (17) before the final record
    expect(written(epochRecs(18, 'dataEnd'))).toEqual(['0', '2e', '7', '8e', '14e', '17e', '18']);
    // step 7 comes after the end of epoch 1 (5): that one is left out
    expect(written(epochRecs(8, 'maxSteps'))).toEqual(['0', '2e', '7', '8']);
  });

  it('unsubscribes from its source when unsubscribed', () => {
    const source = new Subject<StepRecord>();
    const sub = source.pipe(outputSink(1, undefined, new LossHistory(), () => {})).subscribe();
    expect(source.observed).toBe(true);
    sub.unsubscribe();
    expect(source.observed).toBe(false);
  });
});
