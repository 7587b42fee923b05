import { describe, expect, it } from 'vitest';
import { RowCache } from '../../src/node/rowCache.js';

/** A row of 2 inputs and 1 target: [r, 10 + r, −r]. */
const row = (r: number): Float64Array => Float64Array.from([r, 10 + r, -r]);

describe('RowCache', () => {
  it('keeps rows apart as inputs and targets, grows past its first size, and replays them', () => {
    const c = new RowCache(2, 1, 1 << 20);
    for (let r = 0; r < 1500; r++) c.add(row(r), 0);
    expect(c.complete).toBe(false);
    c.end();
    c.add(row(9999), 0); // after the end: ignored
    expect([c.complete, c.rows]).toEqual([true, 1500]);
    const out = new Float64Array(6);
    c.copyRow(1234, out, 3);
    expect(Array.from(out)).toEqual([0, 0, 0, 1234, 1244, -1234]);
    const b = c.batches(400);
    expect(b.map((v) => v.size)).toEqual([400, 400, 400, 300]);
    expect(Array.from(b[3]!.x.subarray(0, 2))).toEqual([1200, 1210]);
    expect(Array.from(b[3]!.y.subarray(-1))).toEqual([-1499]);
    expect(c.batches(400)).toBe(b);
  });

  it('keeps nothing once the rows outgrow the limit', () => {
    // 3 numbers a row: 24 bytes; 100 rows fit in 2,400 bytes, not 101
    const fits = new RowCache(2, 1, 2400);
    for (let r = 0; r < 100; r++) fits.add(row(r), 0);
    fits.end();
    expect(fits.complete).toBe(true);
    const over = new RowCache(2, 1, 2400);
    for (let r = 0; r < 101; r++) over.add(row(r), 0);
    over.end();
    expect([over.complete, over.rows]).toEqual([false, 0]);
  });
});
