import { firstValueFrom, from, lastValueFrom, map, of, Subject, throwError, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { driftDetector, paramsFrom, dense, sequential, type DriftEvent, type StepRecord } from '../../src/index.js';
import { createStepRecord } from '../../src/streams/stepRecord.js';
import { noisy } from '../helpers/noisy.js';

import { keepsOperatorContract } from '../helpers/operatorContract.js';

const model = sequential([dense(1, 1, { bias: false })]);
const batch = { x: new Float64Array([1]), y: new Float64Array([1]), size: 1 };
/** Records of successive steps whose loss is `values[i]`. */
function records(values: readonly number[]): StepRecord[] {
  return values.map((loss, i) => createStepRecord(paramsFrom(model.layout, { '0.W': [0] }), batch, { step: i, batchIndex: i, loss }));
}

describe('driftDetector keeps the operator contract', () => {
  keepsOperatorContract(
    () => driftDetector({ method: 'adwin', monitor: (r) => r.step }),
    () =>
      driftDetector({
        method: 'pageHinkley',
        monitor: () => {
          throw new Error('user monitor');
        },
      }),
    'user monitor',
  );
});

describe('driftDetector', () => {
  it('marks the record of a detection and emits it on drift$ (Page-Hinkley on the loss)', async () => {
    const drift = driftDetector({ method: 'pageHinkley', threshold: 1, delta: 0, alpha: 1, minInstances: 1 });
    const events: DriftEvent[] = [];
    drift.drift$.subscribe((e) => events.push(e));
    const marks = await lastValueFrom(
      from(records([0, 0, 0, 1, 1, 1])).pipe(
        drift,
        map((r) => r.drift),
        toArray(),
      ),
    );
    expect(marks).toEqual([false, false, false, false, true, false]);
    expect(events).toEqual([{ method: 'pageHinkley', step: 4, epoch: 0, batchIndex: 4, value: 1 }]);
  });

  it('watches any monitored value, skips non-finite ones and a repeated final record', async () => {
    const values = noisy(1, [
      [300, 0.2],
      [300, 1.0],
    ]);
    const recs = records(values.map(() => 0));
    recs.forEach((r, i) => Object.assign(r, { watched: values[i] }));
    recs[10]!.loss = Number.NaN;
    // the driver's final record at the end of the data: same cursor as the last one
    recs.push(createStepRecord(recs[0]!.params, batch, { step: 600, batchIndex: 599, stopReason: 'dataEnd' }));
    const drift = driftDetector<StepRecord & { watched: number }>({ method: 'adwin', monitor: (r) => r.watched });
    const steps: number[] = [];
    drift.drift$.subscribe((e) => steps.push(e.step));
    await lastValueFrom(from(recs as (StepRecord & { watched: number })[]).pipe(drift, toArray()));
    expect(steps.length).toBeGreaterThanOrEqual(1);
    expect(steps[0]! - 300).toBeGreaterThanOrEqual(0);
    expect(steps[0]! - 300).toBeLessThanOrEqual(64);
    const quiet = driftDetector({ method: 'pageHinkley', threshold: 5 });
    let n = 0;
    quiet.drift$.subscribe(() => (n += 1));
    const loss = records(noisy(2, [[2000, 0.2]]));
    loss[5]!.loss = Number.POSITIVE_INFINITY;
    await lastValueFrom(from(loss).pipe(quiet, toArray()));
    expect(n).toBe(0);
  });

  it('keeps detector state per subscription', async () => {
    const drift = driftDetector({ method: 'pageHinkley', threshold: 1, delta: 0, alpha: 1, minInstances: 1 });
    const run = (): Promise<boolean[]> =>
      lastValueFrom(
        from(records([0, 0, 0, 1, 1])).pipe(
          drift,
          map((r) => r.drift),
          toArray(),
        ),
      );
    expect(await run()).toEqual(await run());
  });

  it('passes errors through, reports a throwing monitor, and validates its options', async () => {
    await expect(firstValueFrom(throwError(() => new Error('up')).pipe(driftDetector({ method: 'adwin' })))).rejects.toThrow('up');
    const bad = driftDetector({
      method: 'adwin',
      monitor: () => {
        throw new Error('no such field');
      },
    });
    await expect(firstValueFrom(of(records([1])[0]!).pipe(bad))).rejects.toThrow('no such field');
    const subject = new Subject<StepRecord>();
    const sub = subject.pipe(driftDetector({ method: 'adwin' })).subscribe();
    sub.unsubscribe();
    expect(subject.observed).toBe(false);
    expect(() => driftDetector(undefined as never)).toThrow(
      "driftDetector: expected options with a method, e.g. { method: 'pageHinkley' }, received undefined",
    );
    expect(() => driftDetector({ method: 'cusum' as 'adwin' })).toThrow(
      `driftDetector.method: expected 'pageHinkley' or 'adwin', received "cusum"`,
    );
    expect(() => driftDetector({ method: 'pageHinkley', threshold: -1 })).toThrow('driftDetector.threshold');
    expect(() => driftDetector({ method: 'adwin', delta: 2 })).toThrow('driftDetector.delta');
    expect(() => driftDetector({ method: 'adwin', monitor: 3 as unknown as () => number })).toThrow(
      'driftDetector.monitor: expected a function of the record, received 3',
    );
  });
});
