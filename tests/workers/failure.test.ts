import { describe, expect, it } from 'vitest';
import { GradstreamError } from '../../src/index.js';
import { errorFromData, errorToData, readFailure, writeFailure } from '../../src/workers/failure.js';
import { CONTROL_WORDS, Ctl, ERROR_BYTES, fixedLayout, batchLayout, shardStart } from '../../src/workers/protocol.js';

describe('failure channel', () => {
  const fresh = () => ({
    control: new Int32Array(new SharedArrayBuffer(CONTROL_WORDS * 4)),
    errors: new Uint8Array(new SharedArrayBuffer(ERROR_BYTES)),
  });

  it('keeps the first failure only, wakes the waiters, and rebuilds a GradstreamError with its fields', () => {
    const { control, errors } = fresh();
    expect(readFailure(control, errors)).toBeNull();
    const g = new GradstreamError({ code: 'invalid_shape', path: 'layers[0]', expected: '4 inputs', received: '3' });
    expect(writeFailure(control, errors, errorToData(g, 1))).toBe(true);
    expect(writeFailure(control, errors, errorToData(new Error('second'), 0))).toBe(false);
    expect(Atomics.load(control, Ctl.DONE)).toBeGreaterThan(1000); // waiters on DONE see a change
    const e = readFailure(control, errors)!;
    expect(e).toBeInstanceOf(GradstreamError);
    expect(e.message).toBe('layers[0]: expected 4 inputs, received 3');
    expect((e as GradstreamError).path).toBe('layers[0]');
    expect((e as { worker?: number }).worker).toBe(1);
    expect(e.stack).toBe(g.stack);
  });

  it('cuts a failure too long for the area, and describes thrown non-errors', () => {
    const { control, errors } = fresh();
    writeFailure(control, errors, { name: 'RangeError', message: 'x'.repeat(40_000), stack: 'y'.repeat(40_000) });
    const e = readFailure(control, errors)!;
    expect(e.name).toBe('RangeError');
    expect(e.message).toBe('x'.repeat(2000));
    expect(errorToData('boom', 2)).toEqual({ name: 'Error', message: 'boom', worker: 2 });
    expect(errorFromData({ name: 'TypeError', message: 'm' })).toBeInstanceOf(Error);
  });
});

describe('shared layouts', () => {
  it('pads every region to a cache line and gives contiguous shards that cover the batch', () => {
    expect(fixedLayout(83, 1)).toEqual({ params: 0, grads: 88, slots: [], stats: 176, scalars: 184, length: 192 });
    expect(fixedLayout(83, 2).slots).toEqual([176, 264]);
    expect(batchLayout(5, 6, 1, 3)).toEqual({ capacity: 5, ycols: 1, x: 0, y: 32, out: 40, length: 56 });
    const bounds = [0, 1, 2, 3].map((i) => shardStart(i, 3, 16));
    expect(bounds).toEqual([0, 5, 10, 16]);
    expect([0, 1, 2, 3].map((i) => shardStart(i, 3, 2))).toEqual([0, 0, 1, 2]);
  });
});
