import { EventEmitter, on } from 'node:events';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { NOT_READY, fromAsyncIterable, type Batch } from '../../src/index.js';
import type { Sample } from '../../src/streams/sampleQueue.js';
import { driveReader } from '../helpers/driveReader.js';

const s = (x: number): Sample => ({ x: [x], y: [2 * x + 1] });
const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('fromAsyncIterable', () => {
  it('pulls only when asked, and never more than readAhead samples ahead of the loop', async () => {
    let pulled = 0;
    let trained = 0;
    let worst = 0;
    async function* producer(): AsyncGenerator<Sample> {
      for (let i = 0; i < 100; i++) {
        pulled += 1;
        worst = Math.max(worst, pulled - trained);
        yield s(i);
      }
    }
    const source = fromAsyncIterable(producer(), { batchSize: 4, readAhead: 10 });
    const reader = source.open();
    await tick();
    expect(pulled).toBe(0); // nothing is read before the loop asks
    const got = await driveReader(reader, {
      async onBatch(d) {
        for (let k = 0; k < 3; k++) await tick(); // a slow step: the producer could run far ahead
        expect(pulled - trained).toBeLessThanOrEqual(10);
        trained += d.x.length;
      },
    });
    expect(got.flatMap((d) => d.x)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(got.map((d) => d.x.length)).toEqual([...Array(25).fill(4)]);
    expect(worst).toBeLessThanOrEqual(10);
    expect(worst).toBeGreaterThanOrEqual(4);
  });

  it('trains the last partial batch, then ends', async () => {
    async function* five(): AsyncGenerator<Sample> {
      for (let i = 0; i < 5; i++) yield s(i);
    }
    const got = await driveReader(fromAsyncIterable(five(), { batchSize: 2 }).open());
    expect(got.map((d) => [d.x, d.y, d.batchIndex])).toEqual([
      [[0, 1], [1, 3], 0],
      [[2, 3], [5, 7], 1],
      [[4], [9], 2],
    ]);
  });

  it("trains what was read before the iterable's error, then rejects with it", async () => {
    const boom = new Error('disk gone');
    async function* failing(): AsyncGenerator<Sample> {
      yield s(1);
      yield s(2);
      yield s(3);
      throw boom;
    }
    const seen: number[][] = [];
    await expect(
      driveReader(fromAsyncIterable(failing(), { batchSize: 2, readAhead: 4 }).open(), { onBatch: (d) => void seen.push(d.x) }),
    ).rejects.toBe(boom);
    expect(seen).toEqual([[1, 2], [3]]);
  });

  it('refuses a bad sample with its index', async () => {
    async function* bad(): AsyncGenerator<unknown> {
      yield s(1);
      yield { x: [Number.POSITIVE_INFINITY], y: [1] };
    }
    await expect(driveReader(fromAsyncIterable(bad() as AsyncIterable<Sample>).open())).rejects.toThrow(
      'fromAsyncIterable sample 1, x[0]: expected a finite number, received Infinity',
    );
  });

  it("calls the iterator's return() when the run ends early", async () => {
    let released = false;
    async function* endless(): AsyncGenerator<Sample> {
      try {
        for (let i = 0; ; i++) yield s(i);
      } finally {
        released = true;
      }
    }
    const got = await driveReader(fromAsyncIterable(endless(), { batchSize: 3 }).open(), { limit: 2 });
    expect(got.map((d) => d.x)).toEqual([
      [0, 1, 2],
      [3, 4, 5],
    ]);
    await tick();
    expect(released).toBe(true);
  });

  it('reads Node streams and events.on (with backpressure: the stream pauses)', async () => {
    const stream = Readable.from([s(1), s(2), s(3)], { objectMode: true });
    const got = await driveReader(fromAsyncIterable(stream, { batchSize: 2 }).open());
    expect(got.map((d) => d.x)).toEqual([[1, 2], [3]]);

    const emitter = new EventEmitter();
    const ac = new AbortController();
    async function* samples(): AsyncGenerator<Sample> {
      try {
        for await (const [v] of on(emitter, 'sample', { signal: ac.signal })) yield v as Sample;
      } catch {
        // aborted: the end of the data
      }
    }
    const reader = fromAsyncIterable(samples(), { batchSize: 2 }).open();
    const run = driveReader(reader);
    await tick();
    emitter.emit('sample', s(5));
    emitter.emit('sample', s(6));
    emitter.emit('sample', s(7));
    await tick();
    ac.abort();
    expect((await run).map((d) => d.x)).toEqual([[5, 6], [7]]);
    expect(emitter.listenerCount('sample')).toBe(0);
  });

  it('reads a plain iterable synchronously (never NOT_READY)', () => {
    const reader = fromAsyncIterable([s(1), s(2), s(3), { x: new Float64Array([4, 5]), y: new Float64Array([9, 11]), size: 2 }], {
      batchSize: 2,
      readAhead: 4,
    }).open();
    const out: (number[] | null | typeof NOT_READY)[] = [];
    for (let i = 0; i < 4; i++) {
      const b = reader.next();
      out.push(b === null || b === NOT_READY ? b : Array.from((b as Batch).x));
    }
    expect(out).toEqual([[1, 2], [3, 4], [5], null]);
    let released = false;
    const gen = (function* (): Generator<Sample> {
      try {
        for (let i = 0; ; i++) yield s(i);
      } finally {
        released = true;
      }
    })();
    const r2 = fromAsyncIterable(gen).open();
    r2.next();
    r2.close!();
    expect(released).toBe(true);
  });

  it('validates its options', () => {
    expect(() => fromAsyncIterable([], { batchSize: 0 })).toThrow('fromAsyncIterable.batchSize: expected an integer ≥ 1, received 0');
    expect(() => fromAsyncIterable([], { batchSize: 8, readAhead: 4 })).toThrow(
      'fromAsyncIterable.readAhead: expected at least batchSize (8), received 4',
    );
    expect(() => fromAsyncIterable(42 as unknown as Sample[])).toThrow(
      'fromAsyncIterable: expected an async iterable or an iterable, received 42',
    );
    expect(() => fromAsyncIterable(null as unknown as Sample[])).toThrow(
      'fromAsyncIterable: expected an async iterable or an iterable, received null',
    );
    expect(() => fromAsyncIterable('abc' as unknown as Sample[])).toThrow(
      'fromAsyncIterable: expected an async iterable or an iterable, received "abc"',
    );
    expect(() => fromAsyncIterable([], null as never)).toThrow('fromAsyncIterable: expected an options object, received null');
    expect(() => fromAsyncIterable([], { inputs: 0 })).toThrow('fromAsyncIterable.inputs');
    expect(() => fromAsyncIterable([], { outputs: -1 })).toThrow('fromAsyncIterable.outputs');
    const big = fromAsyncIterable([{ x: new Float64Array(8), y: new Float64Array(8), size: 8 }], { batchSize: 2, readAhead: 4 }).open();
    expect(() => big.next()).toThrow(
      'fromAsyncIterable.buffer: expected at most 4 samples waiting (raise readAhead to hold the largest ready-made batch), received sample 4 while 4 were waiting',
    );
  });
});
