import { describe, expect, it } from 'vitest';
import { createRng, fromArrays, GradstreamError } from '../../src/index.js';
import { LAZY_COPY_MIN_VALUES, RowStore } from '../../src/streams/rowStore.js';

const COLS = 64;
const ROWS = LAZY_COPY_MIN_VALUES / COLS; // 4096 rows: just large enough to be copied lazily

function data(): { x: Float64Array; y: Float64Array } {
  const rng = createRng(9);
  const x = new Float64Array(ROWS * COLS);
  for (let i = 0; i < x.length; i++) x[i] = rng.uniform(-1, 1);
  const y = new Float64Array(ROWS);
  for (let i = 0; i < ROWS; i++) y[i] = rng.int(3);
  return { x, y };
}

describe('RowStore', () => {
  it('copies a large Float64Array one row at a time, on first read', () => {
    const { x } = data();
    const s = new RowStore(x, ROWS, 'x');
    expect(s.copied).toBe(0);
    s.rows(10, 42);
    expect(s.copied).toBe(32);
    s.rows(0, 42);
    s.row(41);
    expect(s.copied).toBe(42);
    expect(Array.from(s.data.subarray(0, 42 * COLS))).toEqual(Array.from(x.subarray(0, 42 * COLS)));
    expect(s.data.subarray(42 * COLS).every((v) => v === 0)).toBe(true);
  });

  it('copies small, nested and list input at once', () => {
    const small = new Float64Array([1, 2, 3, 4]);
    const s = new RowStore(small, 2, 'x');
    expect(s.copied).toBe(2);
    expect(s.data).not.toBe(small);
    expect(Array.from(s.data)).toEqual([1, 2, 3, 4]);
    expect(new RowStore([[1], [2]], 2, 'x').copied).toBe(2);
  });

  it('reports a non-finite value on the read of its row, and a bad length at once', () => {
    const { x } = data();
    x[5 * COLS + 3] = Number.NaN;
    const s = new RowStore(x, ROWS, 'x');
    s.rows(0, 5);
    expect(() => s.row(5)).toThrow(`x[${5 * COLS + 3}] (row 5, column 3): expected a finite number, received NaN`);
    expect(() => new RowStore(x, ROWS - 1, 'x')).toThrow(GradstreamError);
  });
});

describe('fromArrays on a large Float64Array', () => {
  it('gives the batches of the same data copied at once, shuffled or not', () => {
    const { x, y } = data();
    const nested = Array.from({ length: ROWS }, (_, r) => Array.from(x.subarray(r * COLS, (r + 1) * COLS)));
    for (const shuffle of [false, true]) {
      const opts = { rows: ROWS, batchSize: 100, epochs: 2, shuffle, seed: 4 };
      const lazy = fromArrays(x, y, opts).open();
      const eager = fromArrays(nested, y, opts).open();
      for (;;) {
        const a = lazy.next();
        const b = eager.next();
        if (a === null || b === null) {
          expect(a).toBe(b);
          break;
        }
        expect(a.size).toBe(b.size);
        expect(Array.from(a.x)).toEqual(Array.from(b.x));
        expect(Array.from(a.y)).toEqual(Array.from(b.y));
      }
    }
  });

  it('errors the read of the batch holding a non-finite value', () => {
    const { x, y } = data();
    x[250 * COLS] = Number.POSITIVE_INFINITY;
    const reader = fromArrays(x, y, { rows: ROWS, batchSize: 100 }).open();
    reader.next();
    reader.next();
    expect(() => reader.next()).toThrow(`x[${250 * COLS}] (row 250, column 0): expected a finite number, received Infinity`);
  });
});
