import { defer, from, switchMap, type Observable } from 'rxjs';
import { GradstreamError, describeValue } from '../core/errors.js';
import { isHyperParam, type HyperParam } from '../core/hyperParam.js';
import type { Precision } from '../core/kernelsF32.js';
import type { Model } from '../core/model.js';
import { precisionOf } from '../core/params.js';
import { createRng, type Rng } from '../core/rng.js';
import type { Stateful } from '../schemas/sinkOptions.js';
import type { BatchSource } from '../streams/batchSource.js';
import { train, type TrainOptions } from '../streams/train.js';
import { checkLayout, type Checkpoint } from './checkpointCodec.js';
import { resumeSource } from './resumeSource.js';

/** Options of {@link resumeFrom} and `resume`: those of `train`, minus what the checkpoint gives. */
export interface ResumeOptions<R> extends Omit<TrainOptions<R>, 'params' | 'step' | 'optState' | 'cursor' | 'rng' | 'data'> {
  /** The data, as for the interrupted run (or built from the checkpoint, e.g. its `dataSeed`). */
  readonly data: BatchSource | ((checkpoint: Checkpoint) => BatchSource);
  /** The model: the checkpoint's parameters must have its layout (names and shapes). */
  readonly model?: Model;
  /**
   * The live state the checkpoint saved, by the same names as `checkpoint({ state })`: each
   * `hyperParam` cell gets its saved value, each stateful operator (`reduceOnPlateau`) its state.
   */
  readonly state?: Readonly<Record<string, HyperParam | Stateful>>;
  /** The run's generator; its state is set to the saved one (default: a new one with that state). */
  readonly rng?: Rng;
}

/** A checkpoint of one precision cannot resume a model of the other: it names the field. */
function checkPrecision(saved: Precision, model: Precision): void {
  if (saved !== model) {
    throw new GradstreamError({
      code: 'invalid_checkpoint',
      path: 'checkpoint.precision',
      expected: `${model} (the model's precision)`,
      received: `${saved} (the checkpoint's params)`,
    });
  }
}

/** Restores the named state of `c` into `state`; every saved name must be given, and only those. */
function restoreState(c: Checkpoint, state: Readonly<Record<string, HyperParam | Stateful>> | undefined): void {
  const given = state ?? {};
  for (const name of Object.keys(c.state)) {
    if (!(name in given)) {
      throw new GradstreamError({
        code: 'invalid_config',
        path: `resume.state.${name}`,
        expected: `the cell or operator saved as "${name}" (the checkpoint holds its state)`,
        received: 'nothing',
      });
    }
  }
  for (const [name, target] of Object.entries(given)) {
    if (!(name in c.state)) {
      throw new GradstreamError({
        code: 'invalid_config',
        path: `resume.state.${name}`,
        expected: `a name the checkpoint saved (${Object.keys(c.state).join(', ') || 'none'})`,
        received: `"${name}"`,
      });
    }
    const saved = c.state[name]!;
    if (typeof (target as Partial<Stateful>).setState === 'function') (target as Stateful).setState(saved);
    else if (isHyperParam(target)) {
      if (typeof saved !== 'number' || !Number.isFinite(saved)) {
        throw new GradstreamError({
          code: 'invalid_checkpoint',
          path: `checkpoint.state.${name}`,
          expected: 'a finite number (a hyperParam value)',
          received: describeValue(saved),
        });
      }
      target.value = saved;
    }
  }
}

/**
 * Continues a run from a checkpoint (or a promise of one) so that it is bit-identical to a run
 * that was never interrupted: the weights, optimizer state, step and data cursor go to `train`,
 * the saved generator state to `rng`, and the saved live state (hyperparameter cells,
 * `reduceOnPlateau`) to the cells and operators named in `state`. `maxSteps` counts from the
 * start of the original run. A checkpoint whose batch was already trained on (`batchTrained`: a
 * final record at the end of the data, or a stop while the next batch was being read) reads on
 * from the batch after it.
 *
 * Returns the run's Observable (the checkpoint is applied when it is subscribed). Errors with a
 * `GradstreamError` when the checkpoint's parameters do not fit `model` (naming the parameter
 * and both shapes), when a saved state has no cell or operator to go to (or the other way
 * round), and otherwise as `train`.
 *
 * @example
 * import { loadCheckpoint, memoryStorage, resumeFrom } from 'gradstream';
 * // const c = await loadCheckpoint(store, 'last.json');
 * // resumeFrom(c, { data, pipeline, model, state: { lr, plateau }, maxSteps: 200 }).subscribe(…)
 */
export function resumeFrom<R>(checkpoint: Checkpoint | PromiseLike<Checkpoint>, options: ResumeOptions<R>): Observable<R> {
  if (typeof options !== 'object' || options === null) {
    throw new GradstreamError({
      code: 'invalid_config',
      path: 'resume',
      expected: 'an options object { data, pipeline, … }',
      received: describeValue(options),
    });
  }
  if (typeof checkpoint !== 'object' || checkpoint === null) {
    throw new GradstreamError({
      code: 'invalid_config',
      path: 'resume(checkpoint)',
      expected: 'a checkpoint (loadCheckpoint, readCheckpoint) or a promise of one',
      received: describeValue(checkpoint),
    });
  }
  if (options.state !== undefined && (typeof options.state !== 'object' || options.state === null)) {
    throw new GradstreamError({
      code: 'invalid_config',
      path: 'resume.state',
      expected: 'named hyperParam cells and stateful operators',
      received: describeValue(options.state),
    });
  }
  const { data, model, state, rng, ...rest } = options;
  const start = (c: Checkpoint): Observable<R> => {
    if (model !== undefined) {
      checkLayout(c.params.layout, model.layout);
      checkPrecision(precisionOf(c.params.data), model.precision ?? 'float64');
    }
    restoreState(c, state);
    let run = rng;
    if (c.rng !== undefined) {
      run ??= createRng(1);
      run.setState(c.rng);
    }
    const source = resumeSource(typeof data === 'function' ? data(c) : data, c);
    return train<R>({
      ...rest,
      data: source,
      params: c.params,
      optState: c.optState,
      step: c.step,
      cursor: c.cursor,
      ...(run === undefined ? {} : { rng: run }),
    });
  };
  return defer(() =>
    typeof (checkpoint as PromiseLike<Checkpoint>).then === 'function'
      ? from(checkpoint as PromiseLike<Checkpoint>).pipe(switchMap(start))
      : start(checkpoint as Checkpoint),
  );
}
