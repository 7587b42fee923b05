import { describe, expect, it } from 'vitest';
import { createRng, moons } from '../../../src/index.js';

describe('moons', () => {
  it('draws n labelled points on two half circles, reproducibly', () => {
    const { x, y } = moons(200, { rng: createRng(1) });
    expect(x).toHaveLength(200);
    expect(y.filter((l) => l === 1)).toHaveLength(100);
    for (let i = 0; i < x.length; i++) {
      const [px, py] = x[i]!;
      // without noise each point lies on its unit circle: centre (0, 0) upper, (1, 0.5) lower
      const r = y[i] === 0 ? Math.hypot(px!, py!) : Math.hypot(px! - 1, py! - 0.5);
      expect(Math.abs(r - 1)).toBeLessThan(1e-12);
      expect(y[i] === 0 ? py! >= 0 : py! <= 0.5).toBe(true);
    }
    expect(moons(10, { noise: 0.1, rng: createRng(3) })).toEqual(moons(10, { noise: 0.1, rng: createRng(3) }));
    expect(moons(10, { noise: 0.1, rng: createRng(3) })).not.toEqual(moons(10, { noise: 0.1, rng: createRng(4) }));
  });

  it('rejects bad sizes', () => {
    expect(() => moons(0, { rng: createRng(1) })).toThrow('moons.n: expected an integer ≥ 1, received 0');
    expect(() => moons(4, { noise: -1, rng: createRng(1) })).toThrow('moons.noise: expected a finite number ≥ 0, received -1');
    expect(() => moons(4, { noise: Infinity, rng: createRng(1) })).toThrow('moons.noise: expected a finite number ≥ 0, received Infinity');
    expect(() => moons('4' as never, { rng: createRng(1) })).toThrow('moons.n: expected an integer ≥ 1, received "4" (a string)');
    expect(() => moons(2 ** 40, { rng: createRng(1) })).toThrow('moons.n: expected at most 10000000 points, received 1099511627776');
    expect(() => moons(4, undefined as never)).toThrow('moons: expected an options object ({ noise, rng }), received undefined');
    expect(() => moons(4, {} as never)).toThrow('moons.rng: expected a seeded generator: createRng(seed), received undefined');
    expect(() => moons(4, { rng: createRng(1), seed: 1 } as never)).toThrow(
      'moons.seed: expected a known option (noise, rng), received an unknown option',
    );
  });
});
