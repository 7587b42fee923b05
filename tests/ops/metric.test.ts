import { EMPTY, Observable, Subject, lastValueFrom, of, pipe, take, throwError, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import {
  accuracy,
  createRng,
  dense,
  forward,
  fullBatch,
  gradient,
  loss,
  metric,
  mse,
  rmse,
  sequential,
  sgd,
  train,
  update,
  type StepRecord,
  type WithOutput,
} from '../../src/index.js';
import { createStepRecord } from '../../src/streams/stepRecord.js';

type Rec = StepRecord & WithOutput;

/** A hand-made record: two rows, one output. */
function rec(output: number[], y: number[], step = 0): Rec {
  const model = sequential([dense(1, 1)]);
  return createStepRecord(
    model.init(createRng(1)),
    { x: new Float64Array(output.length), y: Float64Array.from(y), size: output.length },
    {
      step,
      output: Float64Array.from(output),
      cache: model.createCache(output.length),
    },
  ) as Rec;
}

describe('metric', () => {
  it('sets record.metrics[name] on every record, with functions or losses, several at once', async () => {
    const out = await lastValueFrom(
      of(rec([0.9, 0.2], [1, 1]), rec([0.9, 0.8], [1, 1], 1)).pipe(
        metric('accuracy', accuracy),
        metric('rmse', rmse),
        metric('mse', mse()),
        toArray(),
      ),
    );
    expect(out.map((r) => r.metrics)).toEqual([
      { accuracy: 0.5, rmse: expect.closeTo(Math.sqrt((0.01 + 0.64) / 2), 15), mse: expect.closeTo((0.01 + 0.64) / 2, 15) },
      { accuracy: 1, rmse: expect.closeTo(Math.sqrt((0.01 + 0.04) / 2), 15), mse: expect.closeTo((0.01 + 0.04) / 2, 15) },
    ]);
  });

  it('works inside the training loop', async () => {
    const model = sequential([dense(1, 1)]);
    const l = mse();
    const recs = await lastValueFrom(
      train({
        params: model.init(createRng(2)),
        data: fullBatch([[1], [2]], [[2], [4]]),
        pipeline: pipe(forward(model), loss(l), gradient(model, l), update(sgd({ lr: 0.05 })), metric('rmse', rmse)),
        scheduler: 'sync',
        maxSteps: 50,
      }).pipe(toArray()),
    );
    for (const r of recs) expect(r.metrics.rmse).toBeCloseTo(Math.sqrt(r.loss), 12);
  });

  it('passes a source error through, and errors with what the metric throws', async () => {
    const boom = new Error('boom');
    await expect(lastValueFrom(throwError(() => boom).pipe(metric('a', accuracy)))).rejects.toBe(boom);
    await expect(lastValueFrom(of(rec([1, 2], [1])).pipe(metric('accuracy', accuracy)))).rejects.toThrow(/accuracy\(target\)/);
    const thrower = () => {
      throw boom;
    };
    await expect(lastValueFrom(of(rec([1], [1])).pipe(metric('x', thrower)))).rejects.toBe(boom);
  });

  it('refuses a name that is not a string and a metric that is neither a function nor a loss', () => {
    expect(() => metric(undefined as never, accuracy)).toThrow(
      'metric(name): expected a non-empty string (the key in record.metrics), received undefined',
    );
    expect(() => metric('', accuracy)).toThrow('metric(name): expected a non-empty string');
    expect(() => metric('acc', undefined as never)).toThrow(
      'metric("acc").fn: expected a metric function (accuracy, rmse, r2, …) or a loss (mse(), …), received undefined',
    );
    expect(() => metric('acc', { value: 1 } as never)).toThrow(
      'metric("acc").fn: expected a metric function (accuracy, rmse, r2, …) or a loss (mse(), …), received an object',
    );
  });

  it('completes on an empty source', async () => {
    await expect(lastValueFrom(EMPTY.pipe(metric('a', accuracy), toArray()))).resolves.toEqual([]);
  });

  it('runs the teardown on early unsubscribe, and stops a synchronous source', () => {
    let tornDown = false;
    const src = new Observable<Rec>((sub) => {
      sub.next(rec([1], [1]));
      return () => (tornDown = true);
    });
    const s = src.pipe(metric('a', accuracy)).subscribe();
    s.unsubscribe();
    expect(tornDown).toBe(true);
    let produced = 0;
    const sync = new Observable<Rec>((sub) => {
      for (let i = 0; i < 100 && !sub.closed; i++) {
        produced += 1;
        sub.next(rec([1], [1], i));
      }
    });
    const seen = [] as number[];
    sync.pipe(metric('a', accuracy), take(3)).subscribe((r) => seen.push(r.step));
    expect(seen).toEqual([0, 1, 2]);
    expect(produced).toBe(3);
    const subject = new Subject<Rec>();
    const got: number[] = [];
    subject.pipe(metric('a', accuracy)).subscribe((r) => got.push(r.metrics.a));
    subject.next(rec([0.2], [1]));
    expect(got).toEqual([0]);
  });
});
