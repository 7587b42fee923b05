import { describe, expect, it } from 'vitest';
import { GradstreamError, createRng, fromArrays, splitArrays, type Batch, type SyncBatchReader } from '../../src/index.js';

const X = Array.from({ length: 10 }, (_, r) => [r, 10 + r]);
const Y = Array.from({ length: 10 }, (_, r) => r % 3);

/** Reads `n` batches as plain copies `[epoch, batchIndex, size, first x of each row]`. */
function read(reader: SyncBatchReader, n: number): (string | null)[] {
  const out: (string | null)[] = [];
  for (let i = 0; i < n; i++) {
    const b: Batch | null = reader.next();
    if (b === null) {
      out.push(null);
      continue;
    }
    const c = reader.cursor();
    const rows = Array.from({ length: b.size }, (_, k) => b.x[k * 2]!);
    // the inputs and targets stay paired
    for (let k = 0; k < b.size; k++) {
      expect(b.x[k * 2 + 1]).toBe(10 + rows[k]!);
      expect(b.y[k]).toBe(rows[k]! % 3);
    }
    expect(b.x.length).toBe(b.size * 2);
    out.push(`${c.epoch}/${c.batchIndex}:${rows.join(',')}`);
  }
  return out;
}

describe('fromArrays', () => {
  it('walks the rows in order in batches, the last one partial, for a number of epochs', () => {
    const reader = fromArrays(X, Y, { batchSize: 4, epochs: 2 }).open();
    expect(reader.cursor()).toEqual({ epoch: 0, batchIndex: -1, epochEnd: false });
    expect(read(reader, 7)).toEqual(['0/0:0,1,2,3', '0/1:4,5,6,7', '0/2:8,9', '1/0:0,1,2,3', '1/1:4,5,6,7', '1/2:8,9', null]);
    expect(reader.next()).toBeNull();
  });

  it('drops the remainder on request, and caps the batch size at the row count', () => {
    expect(read(fromArrays(X, Y, { batchSize: 4, epochs: 1, dropRemainder: true }).open(), 3)).toEqual([
      '0/0:0,1,2,3',
      '0/1:4,5,6,7',
      null,
    ]);
    expect(read(fromArrays(X, Y, { batchSize: 100, epochs: 1 }).open(), 2)).toEqual(['0/0:0,1,2,3,4,5,6,7,8,9', null]);
  });

  it('reshuffles every epoch, deterministically for a seed, each epoch a permutation', () => {
    const a = read(fromArrays(X, Y, { batchSize: 3, epochs: 3, shuffle: true, seed: 5 }).open(), 13);
    const b = read(fromArrays(X, Y, { batchSize: 3, epochs: 3, shuffle: true, seed: 5 }).open(), 13);
    expect(a).toEqual(b);
    expect(a[12]).toBeNull();
    const epochs = [0, 1, 2].map((e) =>
      a
        .slice(e * 4, e * 4 + 4)
        .map((s) => s!.split(':')[1])
        .join(','),
    );
    for (const e of epochs)
      expect(
        e
          .split(',')
          .map(Number)
          .sort((p, q) => p - q),
      ).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(new Set(epochs).size).toBe(3);
    expect(epochs[0]).not.toBe('0,1,2,3,4,5,6,7,8,9');
    const other = read(fromArrays(X, Y, { batchSize: 3, epochs: 3, shuffle: true, seed: 6 }).open(), 4);
    expect(other).not.toEqual(a.slice(0, 4));
  });

  it('resumes at a cursor with the very batches of an uninterrupted run', () => {
    const source = fromArrays(X, Y, { batchSize: 3, epochs: 4, shuffle: true, rng: createRng(3) });
    const all = read(source.open(), 16);
    for (const at of [
      { epoch: 0, batchIndex: 2 },
      { epoch: 2, batchIndex: 0 },
      { epoch: 3, batchIndex: 3 },
    ]) {
      const reader = source.open(at);
      const k = at.epoch * 4 + at.batchIndex;
      expect(read(reader, 17 - k)).toEqual([...all.slice(k), null]);
    }
    expect(read(source.open({ epoch: 9, batchIndex: 0 }), 1)).toEqual([null]);
  });

  it('reuses its batch buffers (no allocation per step) and never changes the caller’s arrays', () => {
    const x = Float64Array.from(X.flat());
    const reader = fromArrays(x, Y, { rows: 10, batchSize: 4, shuffle: true, seed: 1 }).open();
    const b1 = reader.next()!;
    const b2 = reader.next()!;
    expect(b2).toBe(b1);
    expect(b2.x).toBe(b1.x);
    const b3 = reader.next()!;
    expect(b3.size).toBe(2);
    expect(b3.x.buffer).toBe(b1.x.buffer);
    expect(Array.from(x)).toEqual(X.flat());
    const ordered = fromArrays(X, Y, { batchSize: 4 }).open();
    const o1 = ordered.next()!;
    ordered.next();
    ordered.next();
    expect(ordered.next()).toBe(o1); // epoch 2 hands out the same views again
  });

  it('accepts flat inputs with rows, one-hot targets, and infinite epochs by default', () => {
    const reader = fromArrays(new Float64Array([1, 2, 3, 4, 5, 6]), [1, 0, 0, 1, 1, 0], { rows: 3, batchSize: 2 }).open();
    for (let i = 0; i < 100; i++) expect(reader.next()).not.toBeNull();
    const b = fromArrays(
      [[1], [2]],
      [
        [1, 0],
        [0, 1],
      ],
      { batchSize: 2 },
    )
      .open()
      .next()!;
    expect(Array.from(b.y)).toEqual([1, 0, 0, 1]);
  });

  it('reports bad data and options', () => {
    expect(() => fromArrays([[1, 2], [3]], [0, 1])).toThrowErrorMatchingInlineSnapshot(
      `[GradstreamError: x[1]: expected 2 numbers, received an array of length 1]`,
    );
    expect(() => fromArrays([[1], [Number.NaN]], [0, 1])).toThrow(/x\[1\]\[0\]: expected a finite number/);
    expect(() => fromArrays([[1], [2]], [0, 1, 2])).toThrowErrorMatchingInlineSnapshot(
      `[GradstreamError: y: expected a positive multiple of 2 values (2 rows), received 3]`,
    );
    expect(() => fromArrays([[1], [2]], [[0], [1], [2]])).toThrow(/y: expected 2 rows/);
    expect(() => fromArrays(new Float64Array(4), [0, 1, 2, 3])).toThrow(/fromArrays.rows/);
    expect(() => fromArrays(new Float64Array([1, Number.POSITIVE_INFINITY]), [0, 1], { rows: 2 })).toThrow(/x\[1\]/);
    // Malformed arguments are refused, not crashed on
    expect(() => fromArrays(undefined as never, [0])).toThrow(
      'x: expected rows of numbers (nested arrays, a flat list or a Float64Array), received undefined',
    );
    expect(() => fromArrays([[1]], 'abc' as never)).toThrow(
      'y: expected rows of numbers (nested arrays, a flat list or a Float64Array), received "abc"',
    );
    expect(() => fromArrays([[1]], [0], null as never)).toThrow('fromArrays: expected an options object, received null');
    expect(() => fromArrays([[]], [0])).toThrow('x[0]: expected at least one number per row, received an empty row');
    expect(() => fromArrays(X, Y, { shuffle: true, rng: {} as never })).toThrow(
      'fromArrays.rng: expected a generator made by createRng, received object',
    );
    expect(() => fromArrays([1, 2], [3, 4], { rows: '2' as never })).toThrow(
      'fromArrays.rows: expected a positive integer (give `rows` when x and y are both flat), received "2"',
    );
    // Flat lists are checked before conversion: no null → 0, "3" → 3, true → 1 (issue 7, item 6).
    const flat = (v: unknown): number[] => [1, 2, v, 4] as number[];
    expect(() => fromArrays(flat(null), [0, 1], { rows: 2 })).toThrow('x[2] (row 1, column 0): expected a finite number, received null');
    expect(() => fromArrays(flat('3'), [0, 1], { rows: 2 })).toThrow('x[2] (row 1, column 0): expected a finite number, received "3"');
    expect(() => fromArrays(flat(true), [0, 1], { rows: 2 })).toThrow('x[2] (row 1, column 0): expected a finite number, received boolean');
    expect(() => fromArrays([[1], [2]], [0, undefined] as number[])).toThrow('y[1]: expected a finite number, received undefined');
    expect(() => fromArrays([[1], [2]], [[0], [Number.NEGATIVE_INFINITY]])).toThrow(
      'y[1][0]: expected a finite number, received -Infinity',
    );
    expect(() => fromArrays(X, Y, { batchSize: 0 })).toThrow(/batchSize/);
    expect(() => fromArrays(X, Y, { epochs: 1.5 })).toThrow(/epochs/);
    expect(() => fromArrays(X, Y, { shuffle: true })).toThrowErrorMatchingInlineSnapshot(
      `[GradstreamError: fromArrays.shuffle: expected a seed or an rng to shuffle with, received neither]`,
    );
    expect(() => fromArrays(X, Y, { shuffle: true, seed: 0.5 })).toThrow(/seed/);
    expect(() => fromArrays(X, Y, { batchSize: 4 }).open({ epoch: 0, batchIndex: 3 })).toThrow(GradstreamError);
  });
});

describe('splitArrays', () => {
  it('holds out the last rows, or a seeded random part', () => {
    const { train, validation } = splitArrays(X, Y, { validation: 0.3 });
    expect([train.rows, validation.rows]).toEqual([7, 3]);
    expect(Array.from(validation.x)).toEqual([7, 17, 8, 18, 9, 19]);
    expect(Array.from(validation.y)).toEqual([1, 2, 0]);
    const s = splitArrays(X, Y, { seed: 2 });
    expect([s.train.rows, s.validation.rows]).toEqual([8, 2]);
    const firsts = [
      ...Array.from({ length: 8 }, (_, k) => s.train.x[2 * k]!),
      ...Array.from({ length: 2 }, (_, k) => s.validation.x[2 * k]!),
    ];
    expect([...firsts].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(firsts).not.toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    for (let k = 0; k < 8; k++) expect(s.train.y[k]).toBe(s.train.x[2 * k]! % 3);
    const flat = splitArrays(new Float64Array([1, 2, 3, 4]), [0, 1], { rows: 2, validation: 0.5 });
    expect(Array.from(flat.validation.x)).toEqual([3, 4]);
  });

  it('refuses splits that leave a side empty', () => {
    expect(() => splitArrays(X, Y, { validation: 0.01 })).toThrow(/splitArrays.validation/);
    expect(() => splitArrays(X, Y, { validation: 1 })).toThrow(GradstreamError);
  });
});
