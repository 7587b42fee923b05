import { from, lastValueFrom, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import {
  createRng,
  earlyStopping,
  fit,
  fullBatch,
  hyperParam,
  moons,
  relu,
  sequential,
  dense,
  adam,
  softmaxCrossEntropy,
  fromArrays,
  sgd,
  GradstreamError,
} from '../../src/index.js';
import type { StepView, TrainingEvent } from '../../src/index.js';
import { seedLoss, seedModel, seedParams, seedX, seedT } from '../helpers/seed.js';

const lesson = (o: { scheduler?: 'sync' | 'sliced'; maxSteps?: number; lossBelow?: number } = {}) =>
  fit({
    model: seedModel,
    loss: seedLoss,
    optimizer: sgd({ lr: 0.01 }),
    data: fullBatch(seedX, seedT),
    params: seedParams(),
    scheduler: o.scheduler ?? 'sync',
    ...(o.maxSteps === undefined ? {} : { maxSteps: o.maxSteps }),
    sinks: o.lossBelow === undefined ? [] : [earlyStopping({ lossBelow: o.lossBelow })],
  });

describe('fit', () => {
  it('runs the lesson once for several subscribers, even in sync mode', async () => {
    const t = lesson({ lossBelow: 2.96 });
    const a: number[] = [];
    const b: number[] = [];
    t.loss$.subscribe((l) => a.push(l));
    t.steps$.subscribe((s) => b.push(s.step));
    const r = await t.done();
    expect(a).toHaveLength(7);
    expect(a[6]).toBe(2.381266365508548);
    expect(b).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(r.stopReason).toBe('threshold');
    expect(r.step).toBe(6);
    expect(r.params.data).toHaveLength(16);
    expect(t.getSnapshot()).toMatchObject({ status: 'done', step: 6, stopReason: 'threshold', loss: 2.381266365508548 });
  });

  it('start() runs a sync run inside the call; late loss$ subscribers get the last loss', async () => {
    const t = lesson({ maxSteps: 5 });
    const events: string[] = [];
    t.events$.subscribe((e) => events.push(e.type));
    t.start();
    expect(t.getSnapshot().status).toBe('done');
    expect(events.filter((e) => e !== 'epochEnd')).toEqual(['started', 'stopped']);
    expect(events.filter((e) => e === 'epochEnd')).toHaveLength(6); // fullBatch: one batch per epoch, the final record's epoch reported once
    const late = await lastValueFrom(t.loss$.pipe(toArray()));
    expect(late).toHaveLength(1);
    expect((await t.done()).stopReason).toBe('maxSteps');
  });

  it('from(training) is steps$', async () => {
    const views = await lastValueFrom(from(lesson({ maxSteps: 3 })).pipe(toArray()));
    expect(views.map((v: StepView) => v.step)).toEqual([0, 1, 2, 3]);
    expect(Object.isFrozen(views[0])).toBe(true);
    expect(views[3]!.stopReason).toBe('maxSteps');
  });

  it('keeps training when one of two subscribers leaves, stops when all leave', async () => {
    const t = lesson({ scheduler: 'sliced' });
    const seen: number[] = [];
    const first = t.steps$.subscribe(() => {});
    const second = t.loss$.subscribe((l) => seen.push(l));
    await new Promise((r) => setTimeout(r, 20));
    first.unsubscribe();
    const n = seen.length;
    await new Promise((r) => setTimeout(r, 20));
    expect(seen.length).toBeGreaterThan(n);
    expect(t.getSnapshot().status).toBe('running');
    second.unsubscribe();
    const r = await t.done();
    expect(r.stopReason).toBe('stopped');
  });

  it('stop() ends with a final record marked stopped, not updated', async () => {
    const t = lesson({ scheduler: 'sliced' });
    const views: StepView[] = [];
    t.steps$.subscribe((v) => views.push(v));
    t.start();
    await new Promise((r) => setTimeout(r, 10));
    const r = await t.stop();
    expect(r.stopReason).toBe('stopped');
    expect(views.at(-1)!.stopReason).toBe('stopped');
    expect(views.at(-1)!.step).toBe(r.step);
    expect(await t.stop()).toBe(r); // idempotent
  });

  it('stop() before the start evaluates one record', async () => {
    const t = lesson();
    const r = await t.stop();
    expect(r).toMatchObject({ stopReason: 'stopped', step: 0, loss: 16.740979677499997 });
  });

  it('two runs in one process do not interfere', async () => {
    const alone = await lesson({ maxSteps: 50, scheduler: 'sliced' }).start().done();
    const [a, b] = await Promise.all([
      lesson({ maxSteps: 50, scheduler: 'sliced' }).start().done(),
      lesson({ maxSteps: 50, scheduler: 'sliced' }).start().done(),
    ]);
    expect(a.loss).toBe(alone.loss);
    expect(b.loss).toBe(alone.loss);
    expect(Array.from(a.params.data)).toEqual(Array.from(alone.params.data));
  });

  it('refuses bad live hyperparameter values without ending the run', async () => {
    const lr = hyperParam(0.01);
    const t = fit({
      model: seedModel,
      loss: seedLoss,
      optimizer: sgd({ lr }),
      data: fullBatch(seedX, seedT),
      params: seedParams(),
      hyperParams: { lr },
      maxSteps: 20,
      scheduler: 'sync',
    });
    const events: TrainingEvent[] = [];
    t.events$.subscribe((e) => events.push(e));
    for (const bad of ['abc', -1, Number.NaN, null]) expect(t.set('lr', bad)).toBeInstanceOf(GradstreamError);
    expect(t.set('lr', 'abc')!.message).toBe('hyperParams.lr: expected a finite number, received "abc"');
    expect(t.set('lr', -1)!.message).toBe('hyperParams.lr: expected a number in [0, Infinity], received -1');
    expect(t.set('momentum', 0.9)!.message).toBe('hyperParams: expected one of "lr", received "momentum"');
    expect(t.set('lr', '0.02')).toBeUndefined();
    expect(lr.value).toBe(0.01); // applied at the next step
    const r = await t.stop();
    expect(lr.value).toBe(0.02);
    expect(r.stopReason).toBe('stopped');
    expect(events.filter((e) => e.type === 'hyperParamRejected')).toHaveLength(7);
    expect(events.find((e) => e.type === 'hyperParam')).toMatchObject({ name: 'lr', value: 0.02 });
    expect(t.getSnapshot().hyperParams).toEqual({ lr: 0.02 });
  });

  it('a run the driver refuses fails through done() and events$', async () => {
    const t = fit({
      model: seedModel,
      loss: seedLoss,
      optimizer: sgd(),
      data: fullBatch(seedX, seedT),
      params: seedParams(),
      maxSteps: -1,
    });
    const events: TrainingEvent[] = [];
    t.events$.subscribe((e) => events.push(e));
    const lossErr = new Promise((resolve) => t.loss$.subscribe({ error: resolve }));
    await expect(t.start().done()).rejects.toThrow('maxSteps');
    expect(events.map((e) => e.type)).toEqual(['started', 'error']);
    expect(String(await lossErr)).toContain('maxSteps');
    expect(t.getSnapshot().status).toBe('error');
    // late subscribers: loss$ errors at once, events$ completes
    await expect(lastValueFrom(t.loss$)).rejects.toThrow('maxSteps');
    expect(await lastValueFrom(t.events$.pipe(toArray()))).toEqual([]);
  });

  it('reports epochs and errors', async () => {
    const { x, y } = moons(64, { noise: 0.1, rng: createRng(1) });
    const t = fit({
      model: sequential([dense(2, 8), relu(), dense(8, 2)]),
      loss: softmaxCrossEntropy(),
      optimizer: adam({ lr: 0.01 }),
      data: fromArrays(x, y, { batchSize: 16, epochs: 3 }),
      rng: createRng(2),
      scheduler: 'sync',
    });
    const epochs = t.epochs$.pipe(toArray());
    const p = lastValueFrom(epochs);
    expect((await t.done()).stopReason).toBe('dataEnd'); // started by the subscription
    expect((await p).map((e) => [e.epoch, e.step])).toEqual([
      [0, 3],
      [1, 7],
      [2, 11],
    ]); // once per epoch
    expect(() => fit({ model: seedModel, loss: seedLoss, optimizer: sgd(), data: fullBatch(seedX, seedT) })).toThrow(
      'fit: expected `params` or `rng`',
    );
  });
});
