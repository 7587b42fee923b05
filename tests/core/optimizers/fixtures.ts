/** Loads the reference trajectories written by scripts/optimizer-fixtures.py. */
import { readFileSync } from 'node:fs';

export interface FixtureCase {
  readonly options: Record<string, number | boolean>;
  readonly trajectory: number[][];
}
export interface Fixture {
  readonly problem: { readonly w0: number[]; readonly a: number[]; readonly c: number[]; readonly steps: number };
  readonly cases: FixtureCase[];
}

export function loadFixture(name: 'adam' | 'adamw' | 'amsgrad'): Fixture {
  return JSON.parse(readFileSync(new URL(`../../fixtures/optimizers/${name}.json`, import.meta.url), 'utf8')) as Fixture;
}

/** The fixture's gradient, g = a ⊙ (w − c). */
export function fixtureGrad(f: Fixture) {
  return (out: Float64Array, w: Float64Array) => {
    for (let i = 0; i < w.length; i++) out[i] = f.problem.a[i]! * (w[i]! - f.problem.c[i]!);
    return out;
  };
}
