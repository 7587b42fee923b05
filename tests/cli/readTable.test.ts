import { describe, expect, it } from 'vitest';
import { readTable } from '../../src/cli/readTable.js';
import { fromArrays } from '../../src/index.js';

describe('readTable', () => {
  it('reads every batch of a source into one table, growing past its first 1024 rows', async () => {
    const rows = 3000;
    const x = Float64Array.from({ length: rows * 2 }, (_, i) => i);
    const y = Float64Array.from({ length: rows * 3 }, (_, i) => -i);
    const t = await readTable(fromArrays(x, y, { rows, batchSize: 700, epochs: 1 }), 2, 3);
    expect(t.rows).toBe(rows);
    expect(t.x).toEqual(x);
    expect(t.y).toEqual(y);
    expect({ inputs: t.inputs, targets: t.targets }).toEqual({ inputs: 2, targets: 3 });
  });
});
