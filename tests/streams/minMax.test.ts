import { describe, expect, it } from 'vitest';
import { fromArrays, minMax } from '../../src/index.js';

describe('minMax', () => {
  it('maps the fitted range of each column to [0, 1]', async () => {
    const s = minMax().fit([
      [0, 10, 5],
      [5, 20, 5],
      [10, 30, 5],
    ]);
    expect(s.toJSON()).toEqual({ type: 'minMax', min: [0, 10, 5], max: [10, 30, 5] });
    expect(Array.from(s.transform(new Float64Array([5, 30, 5, 20, 0, 7])))).toEqual([0.5, 1, 0, 2, -0.5, 2]); // outside the range: outside [0, 1]; constant column: range 1
    const streamed = await minMax().fitSource(
      fromArrays(
        [
          [0, 10, 5],
          [5, 20, 5],
          [10, 30, 5],
        ],
        [0, 0, 0],
        { batchSize: 2 },
      ),
    );
    expect(streamed.toJSON()).toEqual(s.toJSON());
  });
});
