import { tap } from 'rxjs';
import { describe, expect, it } from 'vitest';
import {
  adam,
  createRng,
  dense,
  dropout,
  fit,
  fromArrays,
  memoryStorage,
  moons,
  readRunLog,
  recordTo,
  relu,
  replay,
  sequential,
  softmaxCrossEntropy,
  splitArrays,
  validation,
  type CheckpointStorage,
  type FitSink,
  type OptState,
  type StepRecord,
} from '../../src/index.js';
import { sleep } from './helpers.js';

const { x, y } = moons(64, { noise: 0.1, rng: createRng(1) });
const ce = softmaxCrossEntropy();
const adamConfig = { type: 'adam', lr: 0.01 };

describe('record and replay: stops, dropout, resumed runs, validation, failures', () => {
  it('a sliced run stopped by stop() with dropout drawing from the run’s generator replays identically', async () => {
    const store = memoryStorage();
    const model = sequential([dense(2, 16), relu(), dropout(0.3), dense(16, 2)]);
    const training = fit({
      model,
      loss: ce,
      optimizer: adam({ lr: 0.01 }),
      data: fromArrays(x, y, { batchSize: 8, epochs: 10_000, shuffle: true, seed: 3 }),
      rng: createRng(9),
      sliceMs: 1,
      record: recordTo(store, { optimizer: adamConfig }),
    }).start();
    await sleep(30);
    const result = await training.stop();
    expect(result.stopReason).toBe('stopped');
    const events = readRunLog(store.get('run.jsonl')!).events;
    const stop = events.find((e) => e.type === 'stop')!;
    expect(stop.step).toBe(result.step);
    const r = await replay({ storage: store, name: 'run.jsonl' });
    expect(r).toMatchObject({ identical: true, step: result.step, stopReason: 'stopped' });
    expect(Array.from(r.params.data)).toEqual(Array.from(result.params.data));
  });

  it('a resumed run (step, optimizer state, cursor) replays identically', async () => {
    const model = sequential([dense(2, 8), relu(), dense(8, 2)]);
    const data = () => fromArrays(x, y, { batchSize: 8, epochs: 3, shuffle: true, seed: 4 });
    let saved: { optState: OptState; epoch: number; batchIndex: number } | undefined;
    const keep: FitSink = tap((r: StepRecord) => {
      if (r.stopReason !== undefined) saved = { optState: structuredClone(r.optState!), epoch: r.epoch, batchIndex: r.batchIndex };
    });
    const first = await fit({
      model,
      loss: ce,
      optimizer: adam({ lr: 0.01 }),
      data: data(),
      rng: createRng(2),
      scheduler: 'sync',
      maxSteps: 5,
      sinks: [keep],
    })
      .start()
      .done();
    const store = memoryStorage();
    const second = await fit({
      model,
      loss: ce,
      optimizer: adam({ lr: 0.01 }),
      data: data(),
      params: first.params,
      step: 5,
      optState: saved!.optState,
      cursor: { epoch: saved!.epoch, batchIndex: saved!.batchIndex },
      scheduler: 'sync',
      record: recordTo(store, { optimizer: adamConfig }),
    })
      .start()
      .done();
    expect(second.step).toBe(24);
    const r = await replay({ storage: store, name: 'run.jsonl' });
    expect(r).toMatchObject({ identical: true, step: 24 });
    expect(Array.from(r.params.data)).toEqual(Array.from(second.params.data));
  });

  it('records validation results', async () => {
    const model = sequential([dense(2, 2)]);
    const { train, validation: held } = splitArrays(x, y, { validation: 0.25, seed: 1 });
    const store = memoryStorage();
    await fit({
      model,
      loss: ce,
      optimizer: adam({ lr: 0.01 }),
      data: fromArrays(train.x, train.y, { rows: train.rows, batchSize: 16, epochs: 2 }),
      rng: createRng(2),
      scheduler: 'sync',
      sinks: [validation(model, held, { loss: ce }) as FitSink],
      record: recordTo(store, { optimizer: adamConfig }),
    })
      .start()
      .done();
    const vals = readRunLog(store.get('run.jsonl')!).events.filter((e) => e.type === 'step' && e.valLoss !== undefined);
    expect(vals.length).toBeGreaterThan(0);
    expect(typeof vals[0]!.valLoss).toBe('number');
    expect((await replay({ storage: store, name: 'run.jsonl' })).identical).toBe(true);
  });

  it('a storage that fails errors the run with its error', async () => {
    const failing: CheckpointStorage = {
      describe: (n) => n,
      write: () => Promise.reject(new Error('disk full')),
      read: () => Promise.resolve(undefined),
      remove: () => Promise.resolve(),
      list: () => Promise.resolve([]),
    };
    const model = sequential([dense(2, 2)]);
    const run = fit({
      model,
      loss: ce,
      optimizer: adam(),
      data: fromArrays(x, y, { batchSize: 16 }),
      rng: createRng(1),
      scheduler: 'sync',
      record: recordTo(failing),
    }).start();
    await expect(run.done()).rejects.toThrow('disk full');
  });

  it('writes through a storage without append (read, then write the whole text)', async () => {
    const inner = memoryStorage();
    const plain: CheckpointStorage = {
      describe: inner.describe,
      write: inner.write,
      read: inner.read,
      remove: inner.remove,
      list: inner.list,
    };
    const model = sequential([dense(2, 2)]);
    const result = await fit({
      model,
      loss: ce,
      optimizer: adam({ lr: 0.01 }),
      data: fromArrays(x, y, { batchSize: 8, epochs: 2 }),
      rng: createRng(1),
      scheduler: 'sync',
      record: recordTo(plain, { optimizer: adamConfig, maxPendingBytes: 1000 }),
    })
      .start()
      .done();
    const r = await replay({ storage: plain, name: 'run.jsonl' });
    expect(r).toMatchObject({ identical: true, step: 16, stopReason: 'dataEnd' });
    expect(Array.from(r.params.data)).toEqual(Array.from(result.params.data));
  });

  it('refuses a bad batches option', () => {
    expect(() => recordTo(memoryStorage(), { batches: 'copy' as 'value' })).toThrow(/recordTo\.batches/);
  });
});
