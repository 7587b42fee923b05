import { describe, expect, it } from 'vitest';
import { createRng, orthogonal } from '../../src/index.js';

/** Gram matrix of the rows (byRows) or columns of a rows × cols matrix. */
function gram(m: Float64Array, rows: number, cols: number, byRows: boolean): number[] {
  const n = byRows ? rows : cols;
  const len = byRows ? cols : rows;
  const at = (v: number, k: number): number => (byRows ? m[v * cols + k]! : m[k * cols + v]!);
  const out: number[] = [];
  for (let a = 0; a < n; a++)
    for (let b = 0; b < n; b++) {
      let s = 0;
      for (let k = 0; k < len; k++) s += at(a, k) * at(b, k);
      out.push(s);
    }
  return out;
}

describe('orthogonal', () => {
  it.each([
    [4, 12, true],
    [12, 4, false],
    [5, 5, true],
  ] as const)('a %i × %i matrix has orthonormal rows (%s) or columns', (rows, cols, byRows) => {
    const m = new Float64Array(rows * cols);
    orthogonal(m, rows, cols, createRng(3));
    const g = gram(m, rows, cols, byRows);
    const n = Math.min(rows, cols);
    g.forEach((v, i) => expect(v).toBeCloseTo(Math.floor(i / n) === i % n ? 1 : 0, 12));
  });

  it('is deterministic for a generator state', () => {
    const a = new Float64Array(6);
    const b = new Float64Array(6);
    orthogonal(a, 2, 3, createRng(9));
    orthogonal(b, 2, 3, createRng(9));
    expect(Array.from(a)).toEqual(Array.from(b));
  });
});
