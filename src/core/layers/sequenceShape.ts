import { GradstreamError, describeTyped } from '../errors.js';
import { checkBoolean, checkInteger, checkOptions } from '../optimizers/checkOption.js';

/** The shape options every recurrent layer takes (see `gru`, `lstm`). */
export interface SequenceOptions {
  /** Steps per input row (each row is `timesteps × features` numbers, step after step). */
  readonly timesteps: number;
  /** Numbers per step (default 1: a window of scalars). */
  readonly features?: number;
  /** Output the hidden state of every step (`timesteps × units` per row) instead of the last one only (default false). */
  readonly returnSequences?: boolean;
}

/** A recurrent layer's checked sizes. */
export interface SequenceShape {
  readonly units: number;
  readonly timesteps: number;
  readonly features: number;
  readonly returnSequences: boolean;
}

/** Checks `units` and the shape options of a recurrent layer `kind`, with `extra` option names allowed too. */
export function sequenceShape(kind: string, units: unknown, options: unknown, extra: readonly string[]): SequenceShape {
  checkInteger(`${kind}.units`, units, 1, 'invalid_shape');
  const o = checkOptions(kind, options, ['timesteps', 'features', 'returnSequences', ...extra], true);
  if (o.timesteps === undefined) {
    throw new GradstreamError({
      code: 'invalid_shape',
      path: `${kind}.timesteps`,
      expected: 'the number of steps per input row (a positive integer)',
      received: describeTyped(o.timesteps),
    });
  }
  checkInteger(`${kind}.timesteps`, o.timesteps, 1, 'invalid_shape');
  const features = o.features ?? 1;
  checkInteger(`${kind}.features`, features, 1, 'invalid_shape');
  const returnSequences = checkBoolean(`${kind}.returnSequences`, o.returnSequences ?? false);
  return { units: units as number, timesteps: o.timesteps as number, features: features as number, returnSequences };
}
