import { describe, expect, it } from 'vitest';
import { seriesBuffer } from '../../src/live/seriesBuffer.js';

describe('seriesBuffer', () => {
  it('keeps every point until full, then every other one, spanning the whole run', () => {
    const b = seriesBuffer(4);
    for (let s = 0; s < 10; s++) b.offer(s, s / 10, 1 / (s + 1), Number.NaN, 0.01);
    expect(b.columns().step).toEqual([0, 4, 8, 9]);
    expect(b.size).toBe(3);
    const c = b.columns();
    expect(c.loss[3]).toBe(1 / 10);
    expect(c.time[1]).toBe(0.4);
    for (let s = 10; s < 1000; s++) b.offer(s, 0, 0, 0, 0);
    expect(b.size).toBeLessThanOrEqual(4);
    expect(b.columns().step[0]).toBe(0);
    expect(b.columns().step.at(-1)).toBe(999);
    b.clear();
    expect(b.columns().step).toEqual([]);
    b.offer(5, 0, 1, 2, 3);
    expect(b.columns()).toEqual({ step: [5], time: [0], loss: [1], valLoss: [2], lr: [3] });
  });
});
