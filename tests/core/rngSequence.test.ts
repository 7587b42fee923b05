import { describe, expect, it } from 'vitest';
import { createRng, type Rng } from '../../src/index.js';

/** The first draws of every method for one seed, from a fresh generator per method. */
function draws(seed: number): Record<string, unknown> {
  const take = (f: (r: Rng) => number, k = 4): number[] => {
    const r = createRng(seed);
    return Array.from({ length: k }, () => f(r));
  };
  const shuffled = createRng(seed).shuffle(Array.from({ length: 8 }, (_, i) => i));
  const mixed = createRng(seed);
  mixed.normal(); // leaves a spare in the state
  mixed.int(7);
  return {
    nextUint32: take((r) => r.nextUint32()),
    next: take((r) => r.next()),
    uniform: take((r) => r.uniform(-2, 3)),
    normal: take((r) => r.normal(), 5),
    int: take((r) => r.int(10)),
    int32: take((r) => r.int(2 ** 32)),
    shuffle: shuffled,
    state: mixed.getState(),
  };
}

describe('createRng sequence', () => {
  it.each([0, 1, 42, -7, 2 ** 40])('is pinned bit for bit for seed %s', (seed) => {
    expect(draws(seed)).toMatchSnapshot();
  });

  it('continues bit for bit after setState, spare included', () => {
    const a = createRng(5);
    a.normal();
    const b = createRng(99);
    b.setState(a.getState());
    expect([b.normal(), b.next(), b.nextUint32()]).toEqual([a.normal(), a.next(), a.nextUint32()]);
  });
});
