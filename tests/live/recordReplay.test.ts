import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Subject } from 'rxjs';
import { describe, expect, it, vi } from 'vitest';
import {
  adam,
  createRng,
  dense,
  fit,
  fromArrays,
  fromObservable,
  GradstreamError,
  hyperParam,
  memoryStorage,
  moons,
  mse,
  readRunLog,
  recordTo,
  relu,
  replay,
  sequential,
  sgd,
  softmaxCrossEntropy,
  type MemoryStorage,
} from '../../src/index.js';
import { fromCsv, fsStorage } from '../../src/node.js';
import { sleep } from './helpers.js';

const { x, y } = moons(64, { noise: 0.1, rng: createRng(1) });
const net = () => sequential([dense(2, 8), relu(), dense(8, 2)]);
const ce = softmaxCrossEntropy();

/** Runs fit recorded to a memory storage; returns the result and the log's text. */
async function recorded(store: MemoryStorage, workers?: number) {
  const lr = hyperParam(0.02, { min: 0 });
  const training = fit({
    model: net(),
    loss: ce,
    optimizer: adam({ lr }),
    hyperParams: { lr },
    data: fromArrays(x, y, { batchSize: 16, epochs: 3, shuffle: true, seed: 5 }),
    rng: createRng(3),
    scheduler: 'sync',
    ...(workers === undefined ? {} : { workers }),
    record: recordTo(store, { optimizer: { type: 'adam', lr: 0.02 } }),
  });
  const result = await training.start().done();
  return { result, text: store.get('run.jsonl')! };
}

describe('record and replay', () => {
  it('replays a run from arrays to identical weights, from the log alone', async () => {
    const store = memoryStorage();
    const { result, text } = await recorded(store);
    const events = readRunLog(text).events;
    expect(events[0]!.type).toBe('start');
    expect(events.filter((e) => e.type === 'batch')).toHaveLength(12);
    expect(events[events.length - 1]).toMatchObject({ type: 'end', step: 12, stopReason: 'dataEnd' });
    const r = await replay({ storage: store, name: 'run.jsonl' });
    expect(r.identical).toBe(true);
    expect(r.step).toBe(12);
    expect(r.stepsCompared).toBe(13);
    expect(r.stopReason).toBe('dataEnd');
    expect(Array.from(r.params.data)).toEqual(Array.from(result.params.data));
    expect(r.checksum).toBe(r.recordedChecksum);
    expect(r.truncated).toBeUndefined();
  });

  it('stops at --until, and at the first step that differs, naming it', async () => {
    const store = memoryStorage();
    const { text } = await recorded(store);
    const early = await replay(text, { until: 4 });
    expect(early).toMatchObject({ identical: true, step: 4, stepsCompared: 5 });
    expect(early.recordedChecksum).toBeUndefined();
    expect((await replay(text, { until: 0 })).step).toBe(0);
    await expect(replay(text, { until: -1 })).rejects.toThrow(/replay\.until/);
    // a log whose step 7 loss differs (as if the code had changed)
    const lines = text.split('\n');
    const i = lines.findIndex((l) => l.startsWith('{"type":"step","step":7,'));
    const ev = JSON.parse(lines[i]!) as { loss: number };
    lines[i] = JSON.stringify({ ...ev, loss: ev.loss + 1e-12 });
    const changed = await replay(lines.join('\n'));
    expect(changed.identical).toBe(false);
    expect(changed.firstDifference).toMatchObject({ step: 7, quantity: 'loss', recorded: ev.loss + 1e-12 });
    expect(changed.step).toBe(7);
  });

  it('replays a torn or corrupt log up to its last whole event, and says so', async () => {
    const store = memoryStorage();
    const { text } = await recorded(store);
    const cut = text.indexOf('{"type":"step","step":5,');
    const torn = await replay(text.slice(0, cut + 10));
    expect(torn.identical).toBe(true);
    expect(torn.step).toBe(4);
    expect(torn.truncated?.reason).toMatch(/torn last line/);
    const lines = text.split('\n');
    const at = lines.findIndex((l) => l.startsWith('{"type":"batch","step":3,'));
    lines[at] = '{"type":"batch",,';
    const corrupt = await replay(lines.join('\n'));
    expect(corrupt.truncated).toEqual({ line: at + 1, reason: 'a line that is not JSON' });
    expect(corrupt.identical).toBe(true);
    expect(corrupt.step).toBe(2);
    await expect(replay('{"type":"st')).rejects.toThrow(GradstreamError);
  });

  it('records live lr changes and pauses of a fromObservable run, and replays them to identical weights', async () => {
    const samples = new Subject<{ x: number[]; y: number[] }>();
    const lr = hyperParam(0.05, { min: 0 });
    const store = memoryStorage();
    const model = sequential([dense(1, 1)]);
    const training = fit({
      model,
      loss: mse(),
      optimizer: sgd({ lr }),
      hyperParams: { lr },
      data: fromObservable(samples, { batchSize: 2, maxWaitMs: 5 }),
      rng: createRng(7),
      record: recordTo(store, { optimizer: { type: 'sgd', lr: 0.05 } }),
    }).start();
    const push = async (n: number, from: number) => {
      for (let i = 0; i < n; i++) samples.next({ x: [(from + i) / 10], y: [(3 * (from + i)) / 10 + 1] });
      await sleep(15);
    };
    /** Waits until the run has taken a step after the current one (a set takes effect at the next step). */
    const stepped = async (s: number) => {
      await vi.waitFor(() => expect(training.getSnapshot().step).toBeGreaterThan(s), { timeout: 10_000, interval: 5 });
    };
    await push(6, 0);
    expect(training.set('lr', 0.1)).toBeUndefined();
    let at = training.getSnapshot().step;
    await push(5, 6);
    await stepped(at);
    training.pause();
    await push(4, 11);
    training.resume();
    await push(3, 15);
    expect(training.set('lr', '0.02')).toBeUndefined();
    at = training.getSnapshot().step;
    await push(6, 18);
    await stepped(at);
    samples.complete();
    const result = await training.done();
    const events = readRunLog(store.get('run.jsonl')!).events;
    const sets = events.filter((e) => e.type === 'set');
    expect(sets.map((e) => e.value)).toEqual([0.1, 0.02]);
    expect(events.filter((e) => e.type === 'pause' || e.type === 'resume').map((e) => e.type)).toEqual(['pause', 'resume']);
    const r = await replay({ storage: store, name: 'run.jsonl' });
    expect(r.identical).toBe(true);
    expect(r.step).toBe(result.step);
    expect(Array.from(r.params.data)).toEqual(Array.from(result.params.data));
    expect(r.checksum).toBe(r.recordedChecksum);
  });

  it('replays a CSV run by value, and by reference to its file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gradstream-replay-'));
    const rows = ['a,b,t', ...Array.from({ length: 40 }, (_, i) => `${i / 40},${(i % 7) / 7},${(2 * i) / 40 - (i % 7) / 7}`)];
    writeFileSync(join(dir, 'd.csv'), rows.join('\n') + '\n');
    const csv = () =>
      fromCsv(join(dir, 'd.csv'), { features: ['a', 'b'], targets: ['t'], batchSize: 8, epochs: 2, shuffle: true, seed: 2 });
    for (const batches of ['value', 'reference'] as const) {
      const storage = fsStorage(dir);
      const model = sequential([dense(2, 1)]);
      const result = await fit({
        model,
        loss: mse(),
        optimizer: sgd({ lr: 0.1 }),
        data: csv(),
        rng: createRng(1),
        record: recordTo(storage, { name: `${batches}.jsonl`, batches, optimizer: { type: 'sgd', lr: 0.1 } }),
      })
        .start()
        .done();
      expect(result.step).toBe(10);
      const log = { storage, name: `${batches}.jsonl` };
      if (batches === 'reference')
        await expect(replay(log)).rejects.toThrow(
          /replay\.data: expected the data source of a log of batches by reference \(recorded: file ".*d\.csv"\)/,
        );
      const r = await replay(log, batches === 'reference' ? { data: csv() } : {});
      expect(r).toMatchObject({ identical: true, step: 10 });
      expect(Array.from(r.params.data)).toEqual(Array.from(result.params.data));
    }
  });

  it('replays a dataParallel run (2 workers) to identical weights', async () => {
    const store = memoryStorage();
    const { result } = await recorded(store, 2);
    const r = await replay({ storage: store, name: 'run.jsonl' });
    expect(r.identical).toBe(true);
    expect(Array.from(r.params.data)).toEqual(Array.from(result.params.data));
  }, 60_000);
});
