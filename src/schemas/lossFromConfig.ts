import { GradstreamError } from '../core/errors.js';
import type { Loss } from '../core/loss.js';
import { buildLoss } from './buildLoss.js';
import { fromZodError } from './fromZodError.js';
import { LossName, LossObjectConfig } from './lossConfig.js';
import type { ModuleExports } from './moduleExports.js';

/**
 * Builds the loss a config describes (see `LossConfig`): `"mse"`, or
 * `{ type: 'huber', delta: 1 }`, … — every loss of the library; `loss.toConfig()` gives the
 * config back. Errors with a `GradstreamError` (`invalid_config`) naming the field under `root`
 * (`loss.type: expected one of "mse", …, received "hinge"`; `loss.delta: expected a finite
 * number > 0, received -1`). `{"type":"module"}` losses come from `modules`, loaded beforehand.
 *
 * @example
 * import { lossFromConfig } from 'gradstream';
 * const l = lossFromConfig({ type: 'huber', delta: 0.5 });
 * l.toConfig?.(); // { type: 'huber', delta: 0.5 }
 */
export function lossFromConfig(config: unknown, root = 'loss', modules?: ModuleExports): Loss {
  // One schema per form, so that an error names the field of the form the input has.
  const parsed = (typeof config === 'string' ? LossName : LossObjectConfig).safeParse(config, { reportInput: true });
  if (!parsed.success) throw fromZodError('invalid_config', root, parsed.error);
  const c: LossObjectConfig = typeof parsed.data === 'string' ? { type: parsed.data } : parsed.data;
  try {
    return buildLoss(c, modules, root);
  } catch (e: unknown) {
    if (!(e instanceof GradstreamError)) throw e;
    // The factories name their options `huber(delta)`: report them as config fields.
    const m = /^\w+\((\w+)\)$/.exec(e.path);
    throw new GradstreamError({
      code: 'invalid_config',
      path: m === null ? root : `${root}.${m[1]!}`,
      expected: e.expected,
      received: e.received,
    });
  }
}
