import { describe, expect, it } from 'vitest';
import { createRng } from '../../src/index.js';

describe('createRng', () => {
  it('is deterministic per seed and differs across seeds', () => {
    const a = createRng(42);
    const b = createRng(42);
    const c = createRng(43);
    const xs = Array.from({ length: 5 }, () => a.nextUint32());
    expect(Array.from({ length: 5 }, () => b.nextUint32())).toEqual(xs);
    expect(Array.from({ length: 5 }, () => c.nextUint32())).not.toEqual(xs);
    expect(createRng(2 ** 40).next()).not.toBe(createRng(0).next());
  });

  it('draws uniform floats in [0, 1) and integers in [0, n) with the right moments', () => {
    const r = createRng(1);
    let sum = 0;
    let sq = 0;
    const n = 100_000;
    const counts = [0, 0, 0];
    let outside = 0;
    for (let i = 0; i < n; i++) {
      const u = r.next();
      if (!(u >= 0 && u < 1)) outside += 1;
      sum += u;
      sq += u * u;
      counts[r.int(3)]! += 1;
    }
    expect(outside).toBe(0);
    expect(Math.abs(sum / n - 0.5)).toBeLessThan(0.005);
    expect(Math.abs(sq / n - (sum * sum) / n / n - 1 / 12)).toBeLessThan(0.002);
    for (const c of counts) expect(Math.abs(c / n - 1 / 3)).toBeLessThan(0.01);
    const v = r.uniform(-2, 2);
    expect(v >= -2 && v < 2).toBe(true);
  });

  it('draws standard normals (Box–Muller)', () => {
    const r = createRng(3);
    let sum = 0;
    let sq = 0;
    const n = 100_000;
    for (let i = 0; i < n; i++) {
      const z = r.normal();
      sum += z;
      sq += z * z;
    }
    expect(Math.abs(sum / n)).toBeLessThan(0.02);
    expect(Math.abs(sq / n - 1)).toBeLessThan(0.02);
  });

  it('shuffles in place as a permutation', () => {
    const arr = Array.from({ length: 20 }, (_, i) => i);
    createRng(5).shuffle(arr);
    expect(arr).not.toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect([...arr].sort((x, y) => x - y)).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });

  it('saves and restores its whole state, including a cached normal', () => {
    const r = createRng(9);
    r.normal(); // leaves a spare
    const state = r.getState();
    expect(state.spare).not.toBeNull();
    const next = [r.normal(), r.normal(), r.next()];
    const s = createRng(0);
    s.setState(state);
    expect([s.normal(), s.normal(), s.next()]).toEqual(next);
  });

  it('rejects bad seeds, bounds and states', () => {
    expect(() => createRng(1.5)).toThrow('createRng(seed): expected a safe integer, received 1.5');
    expect(() => createRng('7' as never)).toThrow('createRng(seed): expected a safe integer, received "7" (a string)');
    expect(() => createRng(Object.create(null) as never)).toThrow('createRng(seed): expected a safe integer, received an object');
    expect(() => createRng(1).setState(null as never)).toThrow('rng.s: expected 4 uint32 words, not all zero, received undefined');
    expect(() => createRng(1).setState({ s: [1, 2, 3, '4'], spare: null } as never)).toThrow(
      'rng.s: expected 4 uint32 words, not all zero, received an array of length 4',
    );
    expect(() => createRng(1).setState({ s: [1, 2, 3, 4], spare: Number.NaN })).toThrow(
      'rng.spare: expected a finite number or null, received NaN',
    );
    expect(() => createRng(1).int(0)).toThrow('rng.int(n): expected an integer in [1, 2^32], received 0');
    expect(() => createRng(1).setState({ s: [0, 0, 0, 0], spare: null })).toThrow(
      'rng.s: expected 4 uint32 words, not all zero, received [0,0,0,0]',
    );
  });
});
