/** Small test problems and a direct optimizer runner for the optimizer tests. */
import { applyUpdates, createParams, paramLayout, type GradientTransformation, type OptState, type Params } from '../../../src/index.js';

/** A differentiable function of a flat vector: value and gradient (written into `out`). */
export interface Problem {
  readonly name: string;
  readonly start: readonly number[];
  readonly minimum: readonly number[];
  value(w: Float64Array): number;
  grad(out: Float64Array, w: Float64Array): Float64Array;
}

/** f(w) = ½ Σ aᵢ (wᵢ − cᵢ)², an ill-conditioned bowl (condition number 20). */
export const bowl: Problem = {
  name: 'quadratic bowl',
  start: [0.5, -1.2, 2, 0.1, -0.7],
  minimum: [1, -1, 0, 0.5, 2],
  value(w) {
    let s = 0;
    for (let i = 0; i < w.length; i++) s += 0.5 * BOWL_A[i]! * (w[i]! - BOWL_C[i]!) ** 2;
    return s;
  },
  grad(out, w) {
    for (let i = 0; i < w.length; i++) out[i] = BOWL_A[i]! * (w[i]! - BOWL_C[i]!);
    return out;
  },
};
const BOWL_A = [1, 3, 0.5, 10, 2];
const BOWL_C = [1, -1, 0, 0.5, 2];

/** Rosenbrock's valley f(x, y) = (1 − x)² + 100 (y − x²)², from (−1.2, 1); minimum (1, 1). */
export const rosenbrock: Problem = {
  name: 'Rosenbrock',
  start: [-1.2, 1],
  minimum: [1, 1],
  value: (w) => (1 - w[0]!) ** 2 + 100 * (w[1]! - w[0]! ** 2) ** 2,
  grad(out, w) {
    const x = w[0]!;
    const y = w[1]!;
    out[0] = -2 * (1 - x) - 400 * x * (y - x * x);
    out[1] = 200 * (y - x * x);
    return out;
  },
};

/** Params holding `values` as one tensor "0.w". */
export function vectorParams(values: readonly number[]): Params {
  return createParams(paramLayout([['0.w', [values.length]]]), Float64Array.from(values));
}

export type GradFn = { grad(out: Float64Array, w: Float64Array): unknown };

/** A stepper: `step()` computes the gradient at the current params and applies one update. */
export function stepper(opt: GradientTransformation<OptState[]> | GradientTransformation, problem: GradFn, start: readonly number[]) {
  const params = vectorParams(start);
  const state = (opt as GradientTransformation).init(params);
  const updates = new Float64Array(start.length);
  return {
    params,
    state,
    updates,
    step(): Float64Array {
      problem.grad(updates, params.data);
      (opt as GradientTransformation).update(updates, state, params);
      applyUpdates(params, updates);
      return params.data;
    },
  };
}

/** The parameters after each of `steps` updates (copies). */
export function trajectory(
  opt: GradientTransformation<OptState[]>,
  problem: GradFn,
  start: readonly number[],
  steps: number,
): Float64Array[] {
  const s = stepper(opt, problem, start);
  const out: Float64Array[] = [];
  for (let k = 0; k < steps; k++) out.push(s.step().slice());
  return out;
}
