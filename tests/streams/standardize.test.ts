import { describe, expect, it } from 'vitest';
import { fromArrays, fromAsyncIterable, splitArrays, standardize } from '../../src/index.js';

describe('standardize', () => {
  it('fits mean and population std on the training rows only, and applies them unchanged', () => {
    const x = [
      [1, 10],
      [2, 10],
      [3, 10],
      [100, 10],
    ];
    const { train, validation } = splitArrays(x, [0, 0, 0, 1], { validation: 0.25 }); // the last row is held out
    const s = standardize().fit(train);
    const sd = Math.sqrt(2 / 3);
    expect(s.toJSON()).toEqual({ type: 'standardize', mean: [2, 10], std: [sd, 1] }); // a constant column keeps std 1
    Array.from(s.transform(train.x)).forEach((v, i) => expect(v).toBeCloseTo([-1 / sd, 0, 0, 0, 1 / sd, 0][i]!, 12));
    const v = s.transform(validation.x); // not refitted on the held-out row
    expect(v[0]).toBeCloseTo(98 / sd, 12);
    expect(v[1]).toBe(0);
    expect([s.type, s.inputs]).toEqual(['standardize', 2]);
  });

  it('transforms in place or into a given buffer, and refuses the wrong width', () => {
    const s = standardize().fit(new Float64Array([0, 2, 4, 6]), 2);
    const buf = new Float64Array([0, 2, 4, 6]);
    expect(s.transform(buf, buf)).toBe(buf);
    expect(Array.from(buf)).toEqual([-1, -1, 1, 1]);
    expect(() => s.transform(new Float64Array(3))).toThrow(
      'standardize.transform: expected rows of 2 inputs (and an out buffer as long), received 3 values, out of 3',
    );
    expect(() => standardize().fit([[1, Number.NaN]])).toThrow('standardize.fit(x)[0][1]: expected a finite number, received NaN');
    expect(() => standardize().fit([1, 2, 3])).toThrow('standardize.fit.rows');
  });

  it('fits on one epoch of a source, streamed (a file part), as on the same rows in memory', async () => {
    const rows = Array.from({ length: 50 }, (_, i) => [i, (i * i) % 17]);
    const inMemory = standardize().fit(rows).toJSON();
    const streamed = await standardize().fitSource(
      fromArrays(
        rows,
        rows.map(() => 0),
        { batchSize: 7 },
      ),
    );
    const j = streamed.toJSON();
    expect(j.type).toBe('standardize');
    if (j.type === 'standardize' && inMemory.type === 'standardize') {
      j.mean.forEach((m, i) => expect(m).toBeCloseTo(inMemory.mean[i]!, 12));
      j.std.forEach((v, i) => expect(v).toBeCloseTo(inMemory.std[i]!, 12));
    }
    const async = await standardize().fitSource(
      fromAsyncIterable(
        (async function* () {
          yield { x: [1], y: [0] };
          yield { x: [3], y: [0] };
        })(),
      ),
    );
    expect(async.toJSON()).toEqual({ type: 'standardize', mean: [2], std: [1] });
    await expect(standardize().fitSource(fromAsyncIterable([]))).rejects.toThrow(
      'standardize.fitSource: expected at least one row, received none',
    );
  });
});
