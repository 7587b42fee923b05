import { describe, expect, it } from 'vitest';
import { adagrad, adam, createParamsIn, paramLayout, rmsprop, sgd, type GradientTransformation, type OptState } from '../../src/index.js';
import { checkOptState } from '../../src/ops/checkOptState.js';

const layout = paramLayout([['w', [3]]]);
const p64 = createParamsIn(layout, 'float64');
const p32 = createParamsIn(layout, 'float32');
type S = { [k: string]: OptState };

describe('checkOptState', () => {
  it('accepts the state an optimizer makes, and after updates', () => {
    for (const opt of [adam({ lr: 0.1 }), adagrad({ lr: 0.1 }), rmsprop({ lr: 0.1 }), sgd({ lr: 0.1, momentum: 0.9 })]) {
      for (const p of [p64, p32]) {
        const s = opt.init(p);
        expect(() => checkOptState(opt, p, s)).not.toThrow();
        const g = new Float64Array([1, -2, 3]);
        opt.update(g, s, p);
        expect(() => checkOptState(opt, p, s)).not.toThrow();
      }
    }
  });

  it("checks a custom transformation's state for its structure only", () => {
    const custom: GradientTransformation<OptState> = { init: () => ({ best: Infinity, m: new Float64Array(3) }), update: () => undefined };
    const s = { best: -Infinity, m: new Float64Array([Number.NaN, 1, -1]) };
    expect(() => checkOptState(custom, p64, s)).not.toThrow();
    expect(() => checkOptState(custom, p64, { best: 1 })).toThrow(
      'optState.m: expected a Float64Array of 3 values, received nothing (missing)',
    );
  });

  it('refuses a NaN, negative or fractional count, naming it', () => {
    const opt = adam({ lr: 0.1 });
    for (const [count, shown] of [
      [Number.NaN, 'NaN'],
      [-1, '-1'],
      [1.5, '1.5'],
      [Infinity, 'Infinity'],
    ] as const) {
      const s = opt.init(p64) as S[];
      s[0]!.count = count;
      expect(() => checkOptState(opt, p64, s)).toThrow(`optState[0].count: expected an update count (an integer ≥ 0), received ${shown}`);
    }
  });

  it('refuses non-finite moments and negative second moments or sums of squares (float64 and float32)', () => {
    const opt = adam({ lr: 0.1 });
    for (const p of [p64, p32]) {
      const a = opt.init(p) as S[];
      (a[0]!.mu as Float64Array)[2] = Infinity;
      expect(() => checkOptState(opt, p, a)).toThrow('optState[0].mu[2]: expected a finite number, received Infinity');
      const b = opt.init(p) as S[];
      (b[0]!.nu as Float64Array)[1] = -0.25;
      expect(() => checkOptState(opt, p, b)).toThrow('optState[0].nu[1]: expected a finite number ≥ 0, received -0.25');
    }
    const ada = adagrad({ lr: 0.1 });
    const c = ada.init(p64) as S[];
    (c[0]!.sumOfSquares as Float64Array)[0] = -1;
    expect(() => checkOptState(ada, p64, c)).toThrow('optState[0].sumOfSquares[0]: expected a finite number ≥ 0, received -1');
    const m = sgd({ lr: 0.1, momentum: 0.9 });
    const d = m.init(p64) as S[];
    expect(() => checkOptState(m, p64, JSON.parse(JSON.stringify(d)) as OptState)).toThrow(
      /^optState\[0\]\.trace: expected a Float64Array of 3 values, received an object/,
    );
  });
});
