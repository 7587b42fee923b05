import { EventEmitter } from 'node:events';
import { lastValueFrom, pipe, tap } from 'rxjs';
import { describe, expect, it, vi } from 'vitest';
import {
  GradstreamError,
  createRng,
  dense,
  fit,
  forward,
  fromEvents,
  gradient,
  loss,
  mse,
  sequential,
  sgd,
  train,
  update,
  type StepRecord,
} from '../../src/index.js';

const model = sequential([dense(1, 1)]);
const l = mse();
const step = pipe(forward(model), loss(l), gradient(model, l), update(sgd({ lr: 0.01 })));

/** Runs `train` on `data`, recording each record's batch inputs and `dropped` (copied as they pass). */
async function trainOn(
  data: ReturnType<typeof fromEvents>,
  whileOpen: () => void,
): Promise<{ xs: number[][]; dropped: number; stopReason: string | undefined }> {
  const xs: number[][] = [];
  let last: StepRecord | undefined;
  const done = lastValueFrom(
    train({
      params: model.init(createRng(1)),
      data,
      pipeline: pipe(
        step,
        tap((r: StepRecord) => {
          xs.push(Array.from(r.batch.x));
          last = r;
        }),
      ),
    }),
  );
  whileOpen(); // the source is open (listeners added) once train is subscribed
  await done;
  return { xs, dropped: last!.dropped, stopReason: last!.stopReason };
}

describe('fromEvents', () => {
  it("trains on a Node EventEmitter's events, ends on endOn, and removes its listeners", async () => {
    const sensor = new EventEmitter();
    const data = fromEvents(sensor, 'reading', { map: (r: { t: number }) => ({ x: [r.t], y: [2 * r.t] }), batchSize: 2, endOn: 'end' });
    expect(sensor.listenerCount('reading')).toBe(0); // nothing listens before a run opens it
    const got = await trainOn(data, () => {
      expect(sensor.listenerCount('reading')).toBe(1);
      expect(sensor.listenerCount('end')).toBe(1);
      setTimeout(() => {
        for (let t = 1; t <= 5; t++) sensor.emit('reading', { t });
        setTimeout(() => sensor.emit('end'), 5);
      }, 5);
    });
    // two full batches, then the rest when the data ends; the final record evaluates an empty batch
    expect(got.xs.slice(0, 3)).toEqual([[1, 2], [3, 4], [5]]);
    expect(got.stopReason).toBe('dataEnd');
    expect(sensor.listenerCount('reading')).toBe(0);
    expect(sensor.listenerCount('end')).toBe(0);
  });

  it('trains on DOM events of an EventTarget (CustomEvent detail), skipping events map turns into null', async () => {
    const target = new EventTarget();
    const add = vi.spyOn(target, 'addEventListener');
    const remove = vi.spyOn(target, 'removeEventListener');
    const seen: number[] = [];
    const data = fromEvents(target, 'sample', {
      map: (e: Event) => {
        const v = (e as CustomEvent<number>).detail;
        seen.push(v);
        return v < 0 ? null : { x: [v], y: [v + 1] };
      },
      endOn: 'done',
    });
    const got = await trainOn(data, () => {
      setTimeout(() => {
        for (const v of [3, -1, 4]) target.dispatchEvent(new CustomEvent('sample', { detail: v }));
        target.dispatchEvent(new Event('done'));
      }, 5);
    });
    expect(got.xs.slice(0, 2)).toEqual([[3], [4]]);
    expect(got.stopReason).toBe('dataEnd');
    expect(add.mock.calls.map((c) => c[0]).sort()).toEqual(['done', 'sample']);
    expect(remove.mock.calls.map((c) => c[0]).sort()).toEqual(['done', 'sample']);
    // the same listeners were removed, so later events reach nobody
    target.dispatchEvent(new CustomEvent('sample', { detail: 9 }));
    expect(seen).toEqual([3, -1, 4]);
  });

  it('feeds fit: the Training handle trains on the events', async () => {
    const sensor = new EventEmitter();
    const training = fit({
      model,
      loss: l,
      optimizer: sgd({ lr: 0.01 }),
      params: model.init(createRng(1)),
      data: fromEvents(sensor, 'reading', { map: (t: number) => ({ x: [t], y: [2 * t] }), endOn: 'close' }),
    });
    training.start();
    await new Promise((r) => setTimeout(r, 5));
    for (let t = 0; t < 20; t++) sensor.emit('reading', t / 20);
    sensor.emit('close');
    const result = await training.done();
    expect(result.stopReason).toBe('dataEnd');
    expect(result.step).toBe(20);
    expect(sensor.listenerCount('reading')).toBe(0);
  });

  it('a Node event with several arguments reaches map as an array; without map the event is the sample', async () => {
    const sensor = new EventEmitter();
    const pairs = fromEvents(sensor, 'pair', { map: (args: [number, number]) => ({ x: [args[0]], y: [args[1]] }), endOn: 'end' });
    const got = await trainOn(pairs, () => {
      sensor.emit('pair', 0.25, 0.5);
      sensor.emit('end');
    });
    expect(got.xs[0]).toEqual([0.25]);
    const plain = fromEvents(sensor, 'sample', { endOn: 'end' });
    const got2 = await trainOn(plain, () => {
      sensor.emit('sample', { x: [0.75], y: [1.5] });
      sensor.emit('end');
    });
    expect(got2.xs[0]).toEqual([0.75]);
  });

  it('a full buffer drops by its policy, counted on record.dropped', async () => {
    for (const [overflow, kept] of [
      ['dropNewest', [0, 1, 2, 3]],
      ['dropOldest', [6, 7, 8, 9]],
    ] as const) {
      const sensor = new EventEmitter();
      const data = fromEvents(sensor, 'reading', { map: (t: number) => ({ x: [t], y: [t] }), buffer: { size: 4, overflow }, endOn: 'end' });
      // ten events at once, before the loop's first slice reads any
      const got = await trainOn(data, () => {
        for (let t = 0; t < 10; t++) sensor.emit('reading', t);
        sensor.emit('end');
      });
      expect(got.xs.slice(0, 4).flat()).toEqual(kept);
      expect(got.dropped).toBe(6);
    }
    // the default policy errors the run
    const sensor = new EventEmitter();
    const data = fromEvents(sensor, 'reading', { map: (t: number) => ({ x: [t], y: [t] }), buffer: { size: 2 } });
    await expect(
      trainOn(data, () => {
        for (let t = 0; t < 3; t++) sensor.emit('reading', t);
      }),
    ).rejects.toThrow(GradstreamError);
    expect(sensor.listenerCount('reading')).toBe(0);
  });

  it('errors the run on the errorOn event or when map throws, and removes its listeners', async () => {
    const sensor = new EventEmitter();
    const data = fromEvents(sensor, 'reading', { map: (t: number) => ({ x: [t], y: [t] }), errorOn: 'error', endOn: 'end' });
    const broken = new Error('sensor unplugged');
    await expect(
      trainOn(data, () => {
        sensor.emit('reading', 1);
        setTimeout(() => sensor.emit('error', broken), 5);
      }),
    ).rejects.toBe(broken);
    expect(sensor.listenerCount('reading') + sensor.listenerCount('error') + sensor.listenerCount('end')).toBe(0);

    const bad = new Error('unparsable');
    const throwing = fromEvents(sensor, 'reading', {
      map: (t: number) => {
        if (t > 1) throw bad;
        return { x: [t], y: [t] };
      },
    });
    await expect(
      trainOn(throwing, () => {
        setTimeout(() => [1, 2].forEach((t) => sensor.emit('reading', t)), 5);
      }),
    ).rejects.toBe(bad);
    expect(sensor.listenerCount('reading')).toBe(0);
  });

  it('stopping the run removes the listeners (a source without endOn runs until stopped)', async () => {
    const sensor = new EventEmitter();
    const training = fit({
      model,
      loss: l,
      optimizer: sgd({ lr: 0.01 }),
      params: model.init(createRng(1)),
      data: fromEvents(sensor, 'reading', { map: (t: number) => ({ x: [t], y: [t] }) }),
    });
    training.start();
    await new Promise((r) => setTimeout(r, 5));
    sensor.emit('reading', 0.5);
    expect(sensor.listenerCount('reading')).toBe(1);
    await new Promise((r) => setTimeout(r, 5));
    training.stop();
    const result = await training.done();
    expect(result.stopReason).toBe('stopped');
    expect(result.step).toBe(1);
    expect(sensor.listenerCount('reading')).toBe(0);
  });

  it('refuses bad arguments with a GradstreamError naming the option', () => {
    const e = new EventEmitter();
    const cases: [() => unknown, string][] = [
      [() => fromEvents(null as unknown as EventEmitter, 'x'), 'fromEvents.target'],
      [() => fromEvents({} as unknown as EventEmitter, 'x'), 'fromEvents.target'],
      [() => fromEvents(e, ''), 'fromEvents.eventName'],
      [() => fromEvents(e, 'x', { map: 3 as unknown as () => null }), 'fromEvents.map'],
      [() => fromEvents(e, 'x', { endOn: '' }), 'fromEvents.endOn'],
      [() => fromEvents(e, 'x', { errorOn: 4 as unknown as string }), 'fromEvents.errorOn'],
      [() => fromEvents(e, 'x', { batchSize: 0 }), 'fromEvents.batchSize'],
      [() => fromEvents(e, 'x', { buffer: { overflow: 'drop' as 'dropOldest' } }), 'fromEvents.buffer.overflow'],
      [() => fromEvents(e, 'x', 5 as unknown as object), 'fromEvents'],
    ];
    for (const [f, path] of cases) {
      let err: unknown;
      try {
        f();
      } catch (x: unknown) {
        err = x;
      }
      expect(err).toBeInstanceOf(GradstreamError);
      expect((err as GradstreamError).path).toBe(path);
    }
    expect(e.listenerCount('x')).toBe(0);
  });
});
