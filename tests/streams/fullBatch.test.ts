import { describe, expect, it } from 'vitest';
import { fullBatch } from '../../src/index.js';

describe('fullBatch', () => {
  it('returns the whole data set every step, one epoch per step', () => {
    const reader = fullBatch(
      [
        [1, 2],
        [3, 4],
      ],
      [[5], [6]],
    ).open();
    const b = reader.next()!;
    expect(b.size).toBe(2);
    expect(Array.from(b.x)).toEqual([1, 2, 3, 4]);
    expect(Array.from(b.y)).toEqual([5, 6]);
    expect(reader.cursor()).toEqual({ epoch: 0, batchIndex: 0, epochEnd: true });
    expect(reader.next()).toBe(b);
    expect(reader.cursor()).toEqual({ epoch: 1, batchIndex: 0, epochEnd: true });
  });

  it('starts at a cursor when resuming', () => {
    const reader = fullBatch(new Float64Array([1, 2]), new Float64Array([3]), 1).open({ epoch: 7, batchIndex: 0 });
    reader.next();
    expect(reader.cursor()).toEqual({ epoch: 7, batchIndex: 0, epochEnd: true });
  });

  it('names the bad field', () => {
    expect(() => fullBatch([[1, 2], [3]], [[1], [2]])).toThrow('x[1]: expected 2 numbers, received 1');
    expect(() => fullBatch([[1, 2]], [[1], [2]])).toThrow('y: expected 1 rows (at least one), received 2');
    expect(() => fullBatch([[1, Number.NaN]], [[1]])).toThrow('x[0][1]: expected a finite number, received NaN');
    expect(() => fullBatch(new Float64Array([1, Number.NaN]), new Float64Array([3]), 1)).toThrow(
      'x[1]: expected a finite number, received NaN',
    );
    expect(() => fullBatch(new Float64Array([1, 2]), new Float64Array([Number.POSITIVE_INFINITY]), 1)).toThrow(
      'y[0]: expected a finite number, received Infinity',
    );
    expect(() => fullBatch([[1, null as unknown as number]], [[1]])).toThrow('x[0][1]: expected a finite number, received null');
    expect(() => fullBatch(undefined as never, [[1]])).toThrow(
      'x: expected rows of numbers (nested arrays, a flat list or a Float64Array), received undefined',
    );
    expect(() => fullBatch([[1]], [[1]], 'one' as never)).toThrow('fullBatch.rows: expected an integer ≥ 1, received "one"');
    expect(() => fullBatch([[]], [[1]])).toThrow('x[0]: expected a non-empty row of numbers, received an array of length 0');
    expect(() => fullBatch([[1], 2 as never], [[1], [2]])).toThrow('x[1]: expected 1 numbers, received 2');
    expect(() => fullBatch(new Float64Array(3), new Float64Array(2), 2)).toThrow(
      'x: expected a positive multiple of 2 values (2 rows), received 3',
    );
    expect(() => fullBatch([], [])).toThrow('x: expected 0 rows (at least one), received 0');
  });
});
