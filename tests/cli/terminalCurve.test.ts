import { describe, expect, it } from 'vitest';
import { LossHistory } from '../../src/cli/lossHistory.js';
import { terminalCurve } from '../../src/cli/terminalCurve.js';

const SEED = [
  16.740979677499997, 12.095357816993747, 8.738896022777983, 6.313852376457095, 4.56175834199025, 3.2958704020879557, 2.381266365508548,
];

describe('terminalCurve', () => {
  it('draws the lesson as Braille dots between the highest and lowest loss', () => {
    const lines = terminalCurve(
      Float64Array.from(SEED, (_, i) => i),
      Float64Array.from(SEED),
      { width: 14, height: 4 },
    );
    expect(lines).toEqual([
      '16.74 ┤⠙⢦⡀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀',
      '      │⠀⠀⠙⢦⣀⠀⠀⠀⠀⠀⠀⠀⠀⠀',
      '      │⠀⠀⠀⠀⠈⠓⠦⣄⡀⠀⠀⠀⠀⠀',
      '2.381 ┤⠀⠀⠀⠀⠀⠀⠀⠀⠉⠓⠲⠤⢤⣀',
      '      └──────────────',
      '       step 0       6',
    ]);
  });

  it('uses a log scale over more than two decades, smooths more points than characters, skips non-finite losses', () => {
    const steps = Float64Array.from({ length: 50 }, (_, i) => i * 10);
    const losses = Float64Array.from(steps, (s) => 10 * Math.exp(-s / 50));
    losses[20] = Number.NaN;
    const lines = terminalCurve(steps, losses, { width: 20, height: 5 });
    expect(lines).toEqual([
      '  9.048 ┤⠉⠓⠦⣄⡀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀',
      '        │⠀⠀⠀⠀⠉⠓⠦⣄⡀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀',
      '        │⠀⠀⠀⠀⠀⠀⠀⠀⠉⠓⠦⣄⡀⠀⠀⠀⠀⠀⠀⠀',
      '        │⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠉⠓⠦⣄⡀⠀⠀⠀',
      '6.13e-4 ┤⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠉⠓⠦⣄',
      '        └────────────────────',
      '         step 0           490  (log scale)',
    ]);
  });

  it('draws a flat loss, a single step and negative losses (linear scale)', () => {
    expect(terminalCurve(Float64Array.from([3, 3, 3]), Float64Array.from([2, 2, 2]), { width: 6, height: 2 })).toEqual([
      '3 ┤⠀⠀⠀⠀⠀⠀',
      '2 ┤⡀⠀⠀⠀⠀⠀',
      '  └──────',
      '   step 33',
    ]);
    expect(terminalCurve(Float64Array.from([0, 1, 2, 3]), Float64Array.from([-1, 2, 2, -1]), { width: 6, height: 2 })).toEqual([
      ' 2 ┤⠀⢠⠏⠉⢧⠀',
      '-1 ┤⣰⠋⠀⠀⠈⢳',
      '   └──────',
      '    step 03',
    ]);
  });

  it('draws nothing from fewer than two finite points', () => {
    expect(terminalCurve(new Float64Array([0]), new Float64Array([1]))).toEqual([]);
    expect(terminalCurve(new Float64Array([0, 1]), new Float64Array([1, Number.NaN]))).toEqual([]);
  });
});

describe('LossHistory', () => {
  it('keeps every point while it fits', () => {
    const h = new LossHistory(8);
    for (let i = 0; i < 5; i++) h.add(i, 10 - i);
    expect(Array.from(h.points().steps)).toEqual([0, 1, 2, 3, 4]);
    expect(Array.from(h.points().losses)).toEqual([10, 9, 8, 7, 6]);
  });

  it('halves its sampling rate when full, and always keeps the last point', () => {
    const h = new LossHistory(8);
    for (let i = 100; i <= 120; i++) h.add(i, i);
    const { steps, losses } = h.points();
    expect(Array.from(steps)).toEqual([100, 104, 108, 112, 116, 120]);
    expect(Array.from(losses)).toEqual([100, 104, 108, 112, 116, 120]);
    const g = new LossHistory(4);
    for (let i = 0; i < 1000; i++) g.add(i, 0);
    expect(g.points().steps.length).toBeLessThanOrEqual(5);
    expect(g.points().steps.at(-1)).toBe(999);
    expect(new LossHistory().points().steps.length).toBe(0);
  });
});
