import { describe, expect, it } from 'vitest';
import { applyUpdates, createParams, paramLayout } from '../../src/index.js';

describe('applyUpdates and trainable tensors', () => {
  it('layouts are trainable by default; a third entry marks model state', () => {
    expect(
      paramLayout([
        ['a', [2]],
        ['b', [1]],
      ]).trainable,
    ).toEqual([true, true]);
    const l = paramLayout([
      ['a', [2]],
      ['s', [2], false],
      ['c', [1], true],
    ]);
    expect([l.trainable, l.trainableSize, l.size]).toEqual([[true, false, true], 3, 5]);
  });

  it('adds updates to trainable tensors only', () => {
    const p = createParams(
      paramLayout([
        ['a', [2]],
        ['s', [2], false],
        ['c', [1]],
      ]),
      Float64Array.from([1, 2, 3, 4, 5]),
    );
    expect(applyUpdates(p, Float64Array.from([10, 10, 10, 10, 10]))).toBe(p);
    expect(Array.from(p.data)).toEqual([11, 12, 3, 4, 15]);
  });
});
