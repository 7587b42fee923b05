import { describe, expect, it } from 'vitest';
import { cosineDecay } from '../../../src/index.js';

describe('cosineDecay', () => {
  it('decays from lr to alpha · lr over decaySteps, then stays', () => {
    const s = cosineDecay({ lr: 1, decaySteps: 100, alpha: 0.1 });
    expect(s(0)).toBe(1);
    expect(s(50)).toBeCloseTo(0.55, 15);
    expect(s(100)).toBeCloseTo(0.1, 15);
    expect(s(1000)).toBeCloseTo(0.1, 15);
  });
  it('warms up linearly from initialLr to lr over warmupSteps first', () => {
    const s = cosineDecay({ lr: 1, decaySteps: 10, warmupSteps: 4, initialLr: 0.2 });
    expect([0, 1, 2, 3, 4].map(s)).toEqual([0.2, 0.4, 0.6000000000000001, 0.8, 1]);
    expect(s(9)).toBeCloseTo(0.5, 15);
    expect(s(14)).toBeCloseTo(0, 15);
    expect(cosineDecay({ lr: 1, decaySteps: 10, warmupSteps: 2 })(1)).toBe(0.5);
  });
  it('rejects bad options', () => {
    expect(() => cosineDecay({ lr: 1, decaySteps: 10, alpha: 2 })).toThrow('cosineDecay.alpha: expected a number in [0, 1], received 2');
    expect(() => cosineDecay({ lr: 1, decaySteps: 10, warmupSteps: -1 })).toThrow(
      'cosineDecay.warmupSteps: expected an integer ≥ 0, received -1',
    );
    expect(() => cosineDecay(3 as never)).toThrow(
      'cosineDecay: expected an options object ({ lr, decaySteps, alpha, warmupSteps, initialLr }), received 3',
    );
    expect(() => cosineDecay({ lr: 1 } as never)).toThrow('cosineDecay.decaySteps: expected an integer ≥ 1, received undefined');
  });
});
