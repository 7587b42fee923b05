import { lastValueFrom, of, pipe, toArray, type Observable, type ObservedValueOf } from 'rxjs';
import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  accuracy,
  checkpointTo,
  createRng,
  dense,
  earlyStopping,
  forward,
  fromArrays,
  gradient,
  history,
  log,
  loss,
  memoryStorage,
  metric,
  mse,
  progress,
  sequential,
  sgd,
  snapshot,
  train,
  update,
  type StepRecord,
  type StepSnapshot,
  type WithLoss,
} from '../../src/index.js';
import { createStepRecord } from '../../src/streams/stepRecord.js';
import { checkpoint, logFile } from '../../src/node.js';

const model = sequential([dense(2, 1)]);
const l = mse();
const data = (): ReturnType<typeof fromArrays> =>
  fromArrays(
    [
      [0, 1],
      [1, 0],
    ],
    [[1], [0]],
    { batchSize: 2, epochs: 3 },
  );
const step = pipe(forward(model), loss(l), gradient(model, l), update(sgd({ lr: 0.1 })), metric('accuracy', accuracy));
const quiet = { write: () => {} };

describe('the record type flows through the sinks of an inline pipe (no type arguments written)', () => {
  it('log, progress, earlyStopping, history and checkpointTo keep loss: number and metrics', async () => {
    const h = history();
    const save = checkpointTo(memoryStorage());
    const last = await lastValueFrom(
      train({
        params: model.init(createRng(1)),
        data: data(),
        scheduler: 'sync',
        pipeline: pipe(
          step,
          log({ ...quiet, every: 10 }),
          progress({ stream: { write: () => true } }),
          earlyStopping({ lossBelow: 1e-9 }),
          h,
          save,
        ),
      }),
    );
    expectTypeOf(last.loss).toEqualTypeOf<number>();
    expectTypeOf(last.metrics).toEqualTypeOf<Record<string, number>>();
    expectTypeOf(h.history.loss).toEqualTypeOf<number[]>();
    expectTypeOf(save.written$).not.toBeAny();
    expect(typeof last.loss).toBe('number');
    expect(last.metrics.accuracy).toBeTypeOf('number');
    expect(h.history.step).toEqual([0, 1, 2, 3]);
  });

  it('a final checkpoint(…) and logFile(…) (gradstream/node) keep it too', () => {
    const pipeline = pipe(step, logFile('/dev/null'), checkpoint({ path: '/tmp/never-run.json' }));
    const records = train({ params: model.init(createRng(1)), data: data(), scheduler: 'sync', pipeline });
    expectTypeOf<ObservedValueOf<typeof records>['loss']>().toEqualTypeOf<number>();
    expectTypeOf<ObservedValueOf<typeof records>['metrics']>().toEqualTypeOf<Record<string, number>>();
  });

  it('snapshot keeps loss: number and copies the metrics', async () => {
    const snaps = await lastValueFrom(
      train({ params: model.init(createRng(1)), data: data(), scheduler: 'sync', pipeline: pipe(step, history(), snapshot()) }).pipe(
        toArray(),
      ),
    );
    expectTypeOf(snaps[0]!.loss).toEqualTypeOf<number>();
    expectTypeOf(snaps[0]!.metrics).toEqualTypeOf<Readonly<Record<string, number>>>();
    expect(snaps).toHaveLength(4);
    expect(Object.isFrozen(snaps[0]!.metrics)).toBe(true);
    expect(snaps[0]!.metrics).not.toBe(snaps[1]!.metrics);
  });

  it('an operator asking for more than the record has is a type error', () => {
    const bare = of(createStepRecord(model.init(createRng(1)), { x: new Float64Array(2), y: new Float64Array(1), size: 1 }));
    // @ts-expect-error: the records have no `loss` yet (earlyStopping<StepRecord & WithLoss> wants it)
    bare.pipe(earlyStopping<StepRecord & WithLoss>({ patience: 2 }));
    expectTypeOf(bare.pipe(history())).toEqualTypeOf<Observable<StepRecord>>();
    expectTypeOf<ObservedValueOf<ReturnType<typeof bare.pipe<StepSnapshot>>>['loss']>().toEqualTypeOf<number | undefined>();
    expectTypeOf(bare.pipe(snapshot())).toEqualTypeOf<Observable<StepSnapshot>>();
  });
});
