import { Observable } from 'rxjs';
import { GradstreamError, describeValue } from '../core/errors.js';
import { isHyperParam, type HyperParam } from '../core/hyperParam.js';
import type { OptState } from '../core/optimizer.js';
import { checkInteger, checkNumber } from '../core/optimizers/checkOption.js';
import type { StepRecord, WithLoss } from '../streams/stepRecord.js';
import { untilUnsubscribed } from './untilUnsubscribed.js';

/** The counters of a {@link reduceOnPlateau} subscription: its state in a checkpoint. */
interface PlateauCounters {
  best: number;
  wait: number;
  cooling: number;
  /** The last step observed (-1: none). */
  step: number;
  /** Records up to this step pass unobserved: a resumed run replays the checkpoint's step. */
  skipThrough: number;
}

const fresh = (): PlateauCounters => ({ best: Infinity, wait: 0, cooling: 0, step: -1, skipThrough: -1 });

/**
 * The operator {@link reduceOnPlateau} returns: also a stateful object whose counters (best loss,
 * steps waited, cooldown left, the last step observed) a checkpoint saves (`checkpoint({ state: { plateau } })`) and
 * `resume` restores, so a resumed run reduces the rate at the very same step. A checkpoint holds
 * the weights of its step before that step's update, and a resumed run replays the step: a
 * restored state therefore lets the records up to its last observed step pass unobserved.
 */
export interface ReduceOnPlateauOperator<R extends StepRecord & WithLoss = StepRecord & WithLoss> {
  <T extends R>(source: Observable<T>): Observable<T>;
  /** The counters of the latest subscription (or the state it will start from). */
  getState(): OptState;
  /** Sets the counters of the running subscription, if any, and of the next one. */
  setState(state: OptState): void;
}

/** Options of {@link reduceOnPlateau}; the defaults are Keras's `ReduceLROnPlateau` (in steps). */
export interface ReduceOnPlateauOptions {
  /** Multiply the learning rate by this on a plateau, in [0, 1) (default 0.1). */
  readonly factor?: number;
  /** Steps without improvement before reducing, an integer ≥ 1 (default 10). */
  readonly patience?: number;
  /** A loss below `best − minDelta` is an improvement; ≥ 0 (default 1e-4). */
  readonly minDelta?: number;
  /** Steps to wait after a reduction before counting again, an integer ≥ 0 (default 0). */
  readonly cooldown?: number;
  /** Never reduce below this, ≥ 0 (default 0). */
  readonly minLr?: number;
}

/**
 * Lowers a live learning rate when the loss stops improving (Keras `ReduceLROnPlateau`, counted
 * in steps): after `patience` records whose loss is not below `best − minDelta`, sets
 * `lr.value = max(lr.value · factor, minLr)`, then waits `cooldown` records before counting again.
 * Give the same cell to the optimizer (`adam({ lr })`) and place this operator between `loss` and
 * `update`, so the reduced rate applies to the update of the step that triggered it and the
 * record's `lr` says so. The cell is shared: a second subscription continues from its value.
 * The counters are checkpointable: give the operator to `checkpoint({ state: { plateau } })` and
 * to `resume(…, { state: { plateau } })` (with the cell as `lr`) for an exact resume.
 *
 * Emits every record unchanged; completes and errors with its source. Errors at construction
 * with a `GradstreamError` naming the bad option (e.g. `reduceOnPlateau.factor`).
 *
 * @example
 * import { pipe } from 'rxjs';
 * import { adam, dense, forward, gradient, hyperParam, loss, mse, reduceOnPlateau, sequential, update } from 'gradstream';
 * const model = sequential([dense(4, 4, { bias: false })]);
 * const l = mse();
 * const lr = hyperParam(0.01);
 * const step = pipe(forward(model), loss(l), reduceOnPlateau(lr, { patience: 20, factor: 0.5 }), gradient(model, l), update(adam({ lr })));
 */
export function reduceOnPlateau<R extends StepRecord & WithLoss>(
  lr: HyperParam,
  options: ReduceOnPlateauOptions = {},
): ReduceOnPlateauOperator<R> {
  const settings = checkPlateauArgs(lr, options);
  // The latest subscription's counters (read by getState), and a state to start the next one from.
  let live: PlateauCounters | null = null;
  let restored: PlateauCounters | null = null;
  const operator = <T extends R>(source: Observable<T>): Observable<T> =>
    new Observable<T>((subscriber) => {
      const st: PlateauCounters = restored ?? fresh();
      restored = null;
      live = st;
      return source.pipe(untilUnsubscribed(subscriber)).subscribe({
        next(r) {
          if (r.step > st.skipThrough) observe(st, r.step, r.loss, lr, settings);
          subscriber.next(r);
        },
        error: (e: unknown) => subscriber.error(e),
        complete: () => subscriber.complete(),
      });
    });
  return Object.assign(operator, {
    getState(): OptState {
      const s = live ?? restored ?? fresh();
      return { best: s.best, wait: s.wait, cooling: s.cooling, step: s.step };
    },
    setState(state: OptState): void {
      const next = parseState(state);
      if (live !== null) Object.assign(live, next);
      restored = next;
    },
  });
}

/** The checked options of one {@link reduceOnPlateau}. */
interface PlateauSettings {
  readonly factor: number;
  readonly patience: number;
  readonly minDelta: number;
  readonly cooldown: number;
  readonly minLr: number;
}

function checkPlateauArgs(lr: HyperParam, options: ReduceOnPlateauOptions): PlateauSettings {
  if (!isHyperParam(lr)) {
    throw new GradstreamError({
      code: 'invalid_config',
      path: 'reduceOnPlateau(lr)',
      expected: 'a hyperParam cell (hyperParam(0.01)), also given to the optimizer',
      received: describeValue(lr),
    });
  }
  if (typeof options !== 'object' || options === null) {
    throw new GradstreamError({
      code: 'invalid_config',
      path: 'reduceOnPlateau(options)',
      expected: 'an options object',
      received: describeValue(options),
    });
  }
  return {
    factor: checkNumber('reduceOnPlateau.factor', options.factor ?? 0.1, '[0, 1)'),
    patience: checkInteger('reduceOnPlateau.patience', options.patience ?? 10, 1),
    minDelta: checkNumber('reduceOnPlateau.minDelta', options.minDelta ?? 1e-4, '≥ 0'),
    cooldown: checkInteger('reduceOnPlateau.cooldown', options.cooldown ?? 0, 0),
    minLr: checkNumber('reduceOnPlateau.minLr', options.minLr ?? 0, '≥ 0'),
  };
}

/** Counts one step's loss: a new best resets the wait; `patience` steps without one (out of cooldown) cut `lr`. */
function observe(st: PlateauCounters, step: number, loss: number, lr: HyperParam, o: PlateauSettings): void {
  st.step = step;
  if (st.cooling > 0) {
    st.cooling -= 1;
    st.wait = 0;
  }
  if (loss < st.best - o.minDelta) {
    st.best = loss;
    st.wait = 0;
  } else if (st.cooling === 0 && ++st.wait >= o.patience && lr.value > o.minLr) {
    lr.value = Math.max(lr.value * o.factor, o.minLr);
    st.cooling = o.cooldown;
    st.wait = 0;
  }
}

/** A saved state as counters (resuming skips the steps through its `step`); a malformed one is a `GradstreamError`. */
function parseState(state: OptState): PlateauCounters {
  const s = state as Partial<Record<keyof PlateauCounters, unknown>> | null;
  const ok =
    typeof s === 'object' &&
    s !== null &&
    !Array.isArray(s) &&
    typeof s.best === 'number' &&
    !Number.isNaN(s.best) &&
    Number.isInteger(s.wait) &&
    (s.wait as number) >= 0 &&
    Number.isInteger(s.cooling) &&
    (s.cooling as number) >= 0 &&
    (s.step === undefined || (Number.isInteger(s.step) && (s.step as number) >= -1));
  if (!ok) {
    throw new GradstreamError({
      code: 'invalid_state',
      path: 'reduceOnPlateau.state',
      expected: '{ best: number, wait: integer ≥ 0, cooling: integer ≥ 0, step: integer ≥ -1 }',
      received: JSON.stringify(state) ?? String(state),
    });
  }
  const step = (s.step as number | undefined) ?? -1;
  return { best: s.best as number, wait: s.wait as number, cooling: s.cooling as number, step, skipThrough: step };
}
