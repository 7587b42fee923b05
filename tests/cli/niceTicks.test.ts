import { describe, expect, it } from 'vitest';
import { formatNumber, linearTicks, logTicks } from '../../src/cli/niceTicks.js';

describe('niceTicks', () => {
  it('makes round linear ticks covering the range', () => {
    expect(linearTicks(0, 16.74, 5)).toEqual({ values: [0, 5, 10, 15, 20], labels: ['0', '5', '10', '15', '20'], min: 0, max: 20 });
    expect(linearTicks(0.0012, 0.0098, 5).labels).toEqual(['0', '0.002', '0.004', '0.006', '0.008', '0.01']);
    expect(linearTicks(0, 3_000_000, 7).labels).toEqual(['0', '0.5M', '1M', '1.5M', '2M', '2.5M', '3M']);
    expect(linearTicks(0, 12_500, 6).labels).toEqual(['0', '2.5k', '5k', '7.5k', '10k', '12.5k']);
    expect(linearTicks(-1, 1, 5).values).toEqual([-1, -0.5, 0, 0.5, 1]);
  });

  it('widens a degenerate range', () => {
    expect(linearTicks(2, 2, 5)).toMatchObject({ min: 1.8, max: 2.2 });
    expect(linearTicks(0, 0, 3)).toMatchObject({ min: -1, max: 1 });
  });

  it('makes decade ticks on a log axis, with 2 and 5 on short ranges', () => {
    expect(logTicks(0.09, 2.3)).toEqual({ values: [0.01, 0.1, 1, 10], labels: ['0.01', '0.1', '1', '10'], min: 0.01, max: 10 });
    expect(logTicks(1.5, 40).labels).toEqual(['1', '2', '5', '10', '20', '50', '100']);
    expect(logTicks(5, 5)).toMatchObject({ min: 1, max: 10 });
    const wide = logTicks(1e-12, 10);
    expect(wide.values.length).toBeLessThanOrEqual(9);
    expect(wide.labels[0]).toBe('1e-12');
  });

  it('formats labels', () => {
    expect(formatNumber(0, 1)).toBe('0');
    expect(formatNumber(0.00005, 0.00001)).toBe('5e-5');
    expect(formatNumber(1234, 1)).toBe('1234');
    expect(formatNumber(1.25, 0.25)).toBe('1.25');
  });
});
