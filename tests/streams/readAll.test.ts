import { describe, expect, it } from 'vitest';
import { fromArrays, fromAsyncIterable, readAll } from '../../src/index.js';

describe('readAll', () => {
  it('reads one epoch of a source into memory, waiting on asynchronous ones', async () => {
    const part = await readAll(fromArrays([[1], [2], [3]], [[4], [5], [6]], { batchSize: 2 })); // infinite epochs: one is read
    expect([Array.from(part.x), Array.from(part.y), part.rows]).toEqual([[1, 2, 3], [4, 5, 6], 3]);
    async function* gen(): AsyncGenerator<{ x: number[]; y: number[] }> {
      for (let i = 0; i < 3000; i++) yield { x: [i, -i], y: [i % 2] };
    }
    const big = await readAll(fromAsyncIterable(gen(), { batchSize: 64 }));
    expect([big.rows, big.x.length, big.x[5998], big.y[2999]]).toEqual([3000, 6000, 2999, 1]);
  });

  it('stops at the start of another epoch (sources without epochEnd) and refuses too many or no rows', async () => {
    const oneBatchPerEpoch = {
      open: () => {
        let e = -1;
        return {
          next: () => ((e += 1), { x: new Float64Array([e]), y: new Float64Array([0]), size: 1 }),
          cursor: () => ({ epoch: e, batchIndex: 0 }),
        };
      },
    };
    expect((await readAll(oneBatchPerEpoch)).rows).toBe(1);
    await expect(readAll(fromArrays([[1], [2], [3]], [0, 1, 2], { batchSize: 1 }), { maxRows: 2 })).rejects.toThrow(
      'readAll: expected at most 2 rows (maxRows), received more',
    );
    await expect(readAll(fromAsyncIterable([]))).rejects.toThrow('readAll: expected at least one row, received none');
  });
});
