import { describe, expect, it } from 'vitest';
import { minMax, scalerFromJSON, standardize } from '../../src/index.js';

describe('scalerFromJSON', () => {
  it('round-trips fitted scalers through JSON', () => {
    const x = new Float64Array([1, 50, 2, 70, 4, 90]);
    for (const s of [standardize().fit(x, 3), minMax().fit(x, 3)]) {
      const again = scalerFromJSON(JSON.parse(JSON.stringify(s)));
      expect(again.toJSON()).toEqual(s.toJSON());
      expect(Array.from(again.transform(x))).toEqual(Array.from(s.transform(x)));
    }
  });

  it('refuses malformed scalers, naming the field', () => {
    expect(() => scalerFromJSON({ type: 'standardize', mean: [0], std: [0] })).toThrow(/scaler\.std\[0\]/);
    expect(() => scalerFromJSON({ type: 'standardize', mean: [0, 1], std: [1] })).toThrow(
      'scaler.std: expected 2 numbers (as mean), received 1',
    );
    expect(() => scalerFromJSON({ type: 'minMax', min: [0], max: ['1'] })).toThrow(/scaler\.max\[0\]/);
    expect(() => scalerFromJSON({ type: 'zscore' })).toThrow(/scaler/);
    expect(() => scalerFromJSON({ type: 'minMax', min: [0], max: [1], extra: 1 })).toThrow(/scaler/);
  });
});
