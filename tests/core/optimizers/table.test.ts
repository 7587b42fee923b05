/**
 * The shared table every named optimizer passes: finite values, shapes kept, plain-data state that
 * survives a checkpoint round trip (resuming gives the very same next update), and convergence on
 * a quadratic bowl and on Rosenbrock's valley within a stated step budget.
 */
import { describe, expect, it } from 'vitest';
import {
  adagrad,
  adam,
  adamw,
  amsgrad,
  cloneParams,
  decodeCheckpoint,
  encodeCheckpoint,
  momentum,
  nesterov,
  rmsprop,
  sgd,
  type GradientTransformation,
  type OptState,
  type StepRecord,
} from '../../../src/index.js';
import { createStepRecord } from '../../../src/streams/stepRecord.js';
import { bowl, rosenbrock, stepper, type Problem } from './problems.js';

interface Row {
  readonly name: string;
  /** The optimizer for the bowl and for Rosenbrock (tuned learning rates). */
  readonly make: (problem: Problem) => GradientTransformation<OptState[]>;
  /** Step budgets: the parameters must be within `TOL` of the minimum by then. */
  readonly bowlSteps: number;
  readonly rosenbrockSteps: number;
}

/** Distance (Euclidean) to the minimum required at the end of the budget. */
const TOL = 1e-3;

const table: readonly Row[] = [
  { name: 'sgd', make: (p) => sgd({ lr: p === bowl ? 0.05 : 0.002 }), bowlSteps: 400, rosenbrockSteps: 10_000 },
  {
    name: 'sgd (momentum 0.9, clipNorm 10)',
    make: () => sgd({ lr: 0.001, momentum: 0.9, clipNorm: 10 }),
    bowlSteps: 2_000,
    rosenbrockSteps: 2_000,
  },
  { name: 'momentum', make: () => momentum({ lr: 0.001 }), bowlSteps: 2_000, rosenbrockSteps: 2_000 },
  { name: 'nesterov', make: () => nesterov({ lr: 0.001 }), bowlSteps: 2_000, rosenbrockSteps: 2_000 },
  { name: 'adagrad', make: () => adagrad({ lr: 0.5 }), bowlSteps: 200, rosenbrockSteps: 10_000 },
  { name: 'rmsprop', make: () => rmsprop({ lr: 0.001 }), bowlSteps: 4_000, rosenbrockSteps: 10_000 },
  { name: 'rmsprop (momentum 0.9)', make: () => rmsprop({ lr: 0.0005, momentum: 0.9 }), bowlSteps: 1_000, rosenbrockSteps: 1_500 },
  { name: 'rmsprop (centered)', make: () => rmsprop({ lr: 0.001, centered: true }), bowlSteps: 1_000, rosenbrockSteps: 8_000 },
  { name: 'adam', make: () => adam({ lr: 0.02 }), bowlSteps: 1_000, rosenbrockSteps: 5_000 },
  { name: 'adam (clipValue 1)', make: () => adam({ lr: 0.02, clipValue: 1 }), bowlSteps: 1_000, rosenbrockSteps: 5_000 },
  { name: 'adamw (weightDecay 0)', make: () => adamw({ lr: 0.02, weightDecay: 0 }), bowlSteps: 1_000, rosenbrockSteps: 5_000 },
  { name: 'amsgrad', make: () => amsgrad({ lr: 0.02 }), bowlSteps: 1_000, rosenbrockSteps: 10_000 },
];

const distance = (w: Float64Array, m: readonly number[]) => Math.hypot(...Array.from(w, (v, i) => v - m[i]!));

function isPlainData(s: OptState): boolean {
  if (s === null || typeof s === 'number' || typeof s === 'boolean' || s instanceof Float64Array) return true;
  if (Array.isArray(s)) return s.every(isPlainData);
  return Object.getPrototypeOf(s) === Object.prototype && Object.values(s).every(isPlainData);
}

describe.each(table)('$name', (row) => {
  it('keeps shapes, gives finite values, leaves params alone in init, keeps state plain data', () => {
    const s = stepper(row.make(bowl), bowl, bowl.start);
    const before = s.params.data.slice();
    expect(Array.from(stepper(row.make(bowl), bowl, bowl.start).params.data)).toEqual(Array.from(before));
    for (let k = 0; k < 20; k++) {
      const w = s.step();
      expect(w.length).toBe(bowl.start.length);
      expect(s.updates.length).toBe(bowl.start.length);
      expect(w.every(Number.isFinite)).toBe(true);
    }
    expect(isPlainData(s.state)).toBe(true);
    expect(() => JSON.stringify(encodeCheckpoint(record(s.params, s.state)))).not.toThrow();
  });

  it(`converges on the bowl: within ${TOL} of the minimum after ${row.bowlSteps} steps`, () => {
    const s = stepper(row.make(bowl), bowl, bowl.start);
    for (let k = 0; k < row.bowlSteps; k++) s.step();
    expect(distance(s.params.data, bowl.minimum)).toBeLessThan(TOL);
  });

  it(`converges on Rosenbrock: within ${TOL} of (1, 1) after ${row.rosenbrockSteps} steps`, () => {
    const s = stepper(row.make(rosenbrock), rosenbrock, rosenbrock.start);
    for (let k = 0; k < row.rosenbrockSteps; k++) s.step();
    expect(distance(s.params.data, rosenbrock.minimum)).toBeLessThan(TOL);
  });

  it('round-trips its state through a checkpoint: resuming gives the very same next update', () => {
    const opt = row.make(bowl);
    const s = stepper(opt, bowl, bowl.start);
    for (let k = 0; k < 7; k++) s.step();
    const file = JSON.parse(JSON.stringify(encodeCheckpoint(record(s.params, s.state))));
    const ckpt = decodeCheckpoint(file, s.params.layout);
    // continue the original run
    s.step();
    const expected = Array.from(s.updates);
    // resume from the checkpoint, with a fresh optimizer built the same way
    const resumed = row.make(bowl);
    const params = cloneParams(ckpt.params);
    const state = ckpt.optState as OptState[];
    const updates = bowl.grad(new Float64Array(params.data.length), params.data);
    resumed.update(updates, state, params);
    expect(Array.from(updates)).toEqual(expected);
  });
});

function record(params: StepRecord['params'], optState: OptState): StepRecord {
  return createStepRecord(params, { x: new Float64Array(0), y: new Float64Array(0), size: 0 }, { step: 7, epoch: 7, optState, lr: 0.01 });
}
