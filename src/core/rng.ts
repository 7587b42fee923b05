/**
 * A seeded pseudo-random generator (xoshiro128**, seeded through splitmix32) with a plain,
 * serializable state, so checkpoints can hold it and resuming replays the same numbers.
 */
import { GradstreamError, describeTyped } from './errors.js';

/** The generator's whole state as plain data. */
export interface RngState {
  readonly s: readonly [number, number, number, number];
  /** A cached second normal deviate from Box–Muller, or null. */
  readonly spare: number | null;
}

/** A seeded random source. All randomness in gradstream flows through one of these. */
export interface Rng {
  /** A uniform 32-bit unsigned integer. */
  nextUint32(): number;
  /** A uniform float in [0, 1) with 53 random bits. */
  next(): number;
  /** A uniform float in [lo, hi). */
  uniform(lo: number, hi: number): number;
  /** A standard normal deviate (Box–Muller). */
  normal(): number;
  /** A uniform integer in [0, n). */
  int(n: number): number;
  /** Shuffles `arr` in place (Fisher–Yates) and returns it. */
  shuffle<T extends { length: number; [i: number]: unknown }>(arr: T): T;
  /** A copy of the state, to store. */
  getState(): RngState;
  /** Restores a state from {@link Rng.getState}. */
  setState(state: RngState): void;
}

function splitmix32(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x = (x + 0x9e3779b9) >>> 0;
    let z = x;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** Creates a generator from an integer seed (any safe integer; the same seed, the same numbers). */
export function createRng(seed: number): Rng {
  if (!Number.isSafeInteger(seed)) {
    throw new GradstreamError({
      code: 'invalid_value',
      path: 'createRng(seed)',
      expected: 'a safe integer',
      received: describeTyped(seed),
    });
  }
  return new Xoshiro128(seed);
}

/** xoshiro128** over four uint32 words, with Box–Muller's spare normal deviate. */
class Xoshiro128 implements Rng {
  /** The four state words, never all zero; `step` advances them. */
  readonly #words: Uint32Array;
  /**
   * One xoshiro128** step over `#words`: a closure over the array, set once in the constructor
   * and never before (`declare`: no field initializer), so the JIT can treat both as constants.
   */
  declare private readonly step: () => number;
  /** The second deviate of the last Box–Muller pair, not yet drawn. */
  #spare: number | null = null;

  constructor(seed: number) {
    const sm = splitmix32((seed ^ Math.floor(seed / 0x100000000)) >>> 0);
    const words = new Uint32Array([sm(), sm(), sm(), sm()]);
    if ((words[0]! | words[1]! | words[2]! | words[3]!) === 0) words[0] = 1;
    this.#words = words;
    this.step = xoshiro128(words);
  }

  nextUint32(): number {
    return this.step();
  }

  next(): number {
    return ((this.step() >>> 5) * 67108864 + (this.step() >>> 6)) / 9007199254740992;
  }

  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  normal(): number {
    const spare = this.#spare;
    if (spare !== null) {
      this.#spare = null;
      return spare;
    }
    let u = 0;
    while (u === 0) u = this.next();
    const v = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    this.#spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  int(n: number): number {
    if (!Number.isInteger(n) || n < 1 || n > 0x100000000) {
      throw new GradstreamError({
        code: 'invalid_value',
        path: 'rng.int(n)',
        expected: 'an integer in [1, 2^32]',
        received: describeTyped(n),
      });
    }
    return Math.floor(this.next() * n);
  }

  shuffle<T extends { length: number; [i: number]: unknown }>(arr: T): T {
    for (let i = arr.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      const tmp = arr[i];
      arr[i] = arr[j];
      arr[j] = tmp;
    }
    return arr;
  }

  getState(): RngState {
    const w = this.#words;
    return { s: [w[0]!, w[1]!, w[2]!, w[3]!], spare: this.#spare };
  }

  setState(state: RngState): void {
    checkState(state);
    this.#words.set(state.s);
    this.#spare = state.spare ?? null;
  }
}

/** The xoshiro128** step over `s`, in place: returns the next uint32 and advances the state. */
function xoshiro128(s: Uint32Array): () => number {
  return () => {
    const s0 = s[0]!;
    const s1 = s[1]!;
    const s2 = s[2]!;
    const s3 = s[3]!;
    const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
    const t = s1 << 9;
    const n2 = s2 ^ s0;
    const n3 = s3 ^ s1;
    s[1] = s1 ^ n2;
    s[0] = s0 ^ n3;
    s[2] = n2 ^ t;
    s[3] = rotl(n3, 11);
    return result;
  };
}

/** Throws unless `state` is a valid {@link RngState}: 4 uint32 words, not all zero, and a finite spare or null. */
function checkState(state: RngState): void {
  const words: unknown = (state as Partial<RngState> | null)?.s;
  if (
    !Array.isArray(words) ||
    words.length !== 4 ||
    words.some((v) => typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 0xffffffff) ||
    (words[0] | words[1] | words[2] | words[3]) === 0
  ) {
    throw new GradstreamError({
      code: 'invalid_state',
      path: 'rng.s',
      expected: '4 uint32 words, not all zero',
      received: Array.isArray(words) && words.every((v) => typeof v === 'number') ? JSON.stringify(words) : describeTyped(words),
    });
  }
  if (state.spare != null && (typeof state.spare !== 'number' || !Number.isFinite(state.spare))) {
    throw new GradstreamError({
      code: 'invalid_state',
      path: 'rng.spare',
      expected: 'a finite number or null',
      received: describeTyped(state.spare),
    });
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/**
 * A 32-bit key of `rng`'s current state, read without advancing it: counter-based randomness
 * (dropout masks) derives its numbers from this key and a counter, so the same state (a
 * checkpoint's) gives the same numbers.
 */
export function rngKey(rng: Rng): number {
  const { s } = rng.getState();
  let h = 0x2545f491;
  for (let i = 0; i < 4; i++) h = mix32((h ^ s[i]!) >>> 0);
  return h;
}

/** A 32-bit finalizer (splitmix32's): an avalanche mix of `x`, as an unsigned integer. */
export function mix32(x: number): number {
  let z = (x + 0x9e3779b9) >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
  return (z ^ (z >>> 16)) >>> 0;
}
