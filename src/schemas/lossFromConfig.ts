import { GradstreamError } from '../core/errors.js';
import type { Loss } from '../core/loss.js';
import { binaryCrossEntropy } from '../core/losses/binaryCrossEntropy.js';
import { huber } from '../core/losses/huber.js';
import { mae } from '../core/losses/mae.js';
import { mse } from '../core/losses/mse.js';
import { softmaxCrossEntropy } from '../core/losses/softmaxCrossEntropy.js';
import { fromZodError } from './fromZodError.js';
import { LossName, LossObjectConfig } from './lossConfig.js';

function build(c: LossObjectConfig): Loss {
  switch (c.type) {
    case 'mse':
      return mse();
    case 'mae':
      return mae();
    case 'huber':
      return huber(c.delta);
    case 'binaryCrossEntropy':
      return binaryCrossEntropy(c.fromLogits === undefined ? {} : { fromLogits: c.fromLogits });
    case 'softmaxCrossEntropy':
      return softmaxCrossEntropy(c.fromLogits === undefined ? {} : { fromLogits: c.fromLogits });
  }
}

/**
 * Builds the loss a config describes (see `LossConfig`): `"mse"`, or
 * `{ type: 'huber', delta: 1 }`, … — every loss of the library; `loss.toConfig()` gives the
 * config back. Errors with a `GradstreamError` (`invalid_config`) naming the field under `root`
 * (`loss.type: expected one of "mse", …, received "hinge"`; `loss.delta: expected a finite
 * number > 0, received -1`).
 *
 * @example
 * import { lossFromConfig } from 'gradstream';
 * const l = lossFromConfig({ type: 'huber', delta: 0.5 });
 * l.toConfig?.(); // { type: 'huber', delta: 0.5 }
 */
export function lossFromConfig(config: unknown, root = 'loss'): Loss {
  // One schema per form, so that an error names the field of the form the input has.
  const parsed = (typeof config === 'string' ? LossName : LossObjectConfig).safeParse(config, { reportInput: true });
  if (!parsed.success) throw fromZodError('invalid_config', root, parsed.error);
  const c: LossObjectConfig = typeof parsed.data === 'string' ? { type: parsed.data } : parsed.data;
  try {
    return build(c);
  } catch (e: unknown) {
    if (!(e instanceof GradstreamError)) throw e;
    // The factories name their options `huber(delta)`: report them as config fields.
    const m = /^\w+\((\w+)\)$/.exec(e.path);
    throw new GradstreamError({ code: 'invalid_config', path: m === null ? root : `${root}.${m[1]!}`, expected: e.expected, received: e.received });
  }
}
