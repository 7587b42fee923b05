import { describe, expect, it } from 'vitest';
import { GradstreamError, hyperParam, isHyperParam, setHyperParam } from '../../src/index.js';

describe('hyperParam', () => {
  it('holds a finite value within its bounds', () => {
    expect(hyperParam(0.1)).toEqual({ value: 0.1 });
    expect(hyperParam(0.1, { min: 0, max: 1 })).toEqual({ value: 0.1, min: 0, max: 1 });
    expect(isHyperParam(hyperParam(2))).toBe(true);
    expect(isHyperParam({ value: '2' })).toBe(false);
    expect(() => hyperParam(Number.NaN)).toThrow('hyperParam: expected a finite number, received NaN');
    expect(() => hyperParam(2, { max: 1 })).toThrow('hyperParam: expected a number in [-Infinity, 1], received 2');
    expect(() => hyperParam(0, { min: 1, max: 0 })).toThrow('hyperParam.max: expected a number ≥ min (1), received 0');
    expect(() => hyperParam(0, { min: Number.NaN })).toThrow('hyperParam.min: expected a number, received NaN');
    expect(() => hyperParam('0.1' as never)).toThrow('hyperParam: expected a finite number, received "0.1" (a string)');
    expect(() => hyperParam(0, null as never)).toThrow('hyperParam: expected an options object ({ min, max }), received null');
    expect(() => hyperParam(0, { minimum: 0 } as never)).toThrow(
      'hyperParam.minimum: expected a known option (min, max), received an unknown option',
    );
    expect(() => hyperParam(0, { max: '1' } as never)).toThrow('hyperParam.max: expected a number, received "1" (a string)');
    expect(() => setHyperParam(0 as never, 1)).toThrow('setHyperParam(cell): expected a hyperParam cell (hyperParam(0.01)), received 0');
    expect(() => setHyperParam(hyperParam(1), 1, null as never)).toThrow(
      'setHyperParam(path): expected a string (where the value came from), received null',
    );
    expect(() => setHyperParam(hyperParam(1), 1, 'lr', '0' as never)).toThrow(
      'setHyperParam(fallbackMin): expected a number or nothing, received "0" (a string)',
    );
  });

  it('setHyperParam writes good outside values and refuses bad ones, keeping the last good value', () => {
    const lr = hyperParam(0.01, { min: 0, max: 1 });
    expect(setHyperParam(lr, '0.5')).toBeUndefined();
    expect(lr.value).toBe(0.5);
    expect(setHyperParam(lr, 0.25)).toBeUndefined();
    const refusals: [unknown, string][] = [
      ['abc', 'lr: expected a finite number, received "abc"'],
      ['', 'lr: expected a finite number, received ""'],
      [Number.NaN, 'lr: expected a finite number, received NaN'],
      [Infinity, 'lr: expected a finite number, received Infinity'],
      [null, 'lr: expected a finite number, received null'],
      [-1, 'lr: expected a number in [0, 1], received -1'],
      ['2', 'lr: expected a number in [0, 1], received "2"'],
    ];
    for (const [v, message] of refusals) {
      const e = setHyperParam(lr, v, 'lr');
      expect(e).toBeInstanceOf(GradstreamError);
      expect(e!.message).toBe(message);
      expect(e!.code).toBe('invalid_value');
    }
    expect(lr.value).toBe(0.25);
    const free = hyperParam(1);
    expect(setHyperParam(free, -5)).toBeUndefined();
    expect(setHyperParam(free, -5, 'x', 0)!.message).toBe('x: expected a number in [0, Infinity], received -5');
  });
});
