import { GradstreamError, describeValue } from '../core/errors.js';
import { isHyperParam, type HyperParam } from '../core/hyperParam.js';
import type { GradientTransformation, OptState } from '../core/optimizer.js';
import { adagrad } from '../core/optimizers/adagrad.js';
import { adam } from '../core/optimizers/adam.js';
import { adamw } from '../core/optimizers/adamw.js';
import { amsgrad } from '../core/optimizers/amsgrad.js';
import { momentum } from '../core/optimizers/momentum.js';
import { nesterov } from '../core/optimizers/nesterov.js';
import { rmsprop } from '../core/optimizers/rmsprop.js';
import { sgd } from '../core/optimizers/sgd.js';
import { optimizerFromConfig } from '../schemas/optimizerFromConfig.js';

/** The optimizer options a live hyperparameter of a worker run may drive (the factories take a cell for them). */
export const LIVE_OPTIMIZER_OPTIONS: readonly string[] = ['lr', 'weightDecay', 'clipNorm', 'clipValue'];

type Factory = (options: Record<string, unknown>) => GradientTransformation<OptState[]>;
const FACTORIES: Readonly<Record<string, Factory>> = {
  sgd,
  momentum,
  nesterov,
  adagrad,
  rmsprop,
  adam,
  adamw,
  amsgrad,
} as unknown as Record<string, Factory>;

/**
 * The optimizer of a worker run whose options named in `cells` are live: each cell replaces the
 * option of the same name in `config` (its value is the initial one), so writing the cell changes
 * the next update. Without cells it is `optimizerFromConfig(config)`. Errors with a
 * `GradstreamError`: the config's own errors (with the cells' values in place), a cell named after
 * no live option (`hyperParams.beta1`), or a schedule `lr` next to live hyperparameters.
 */
export function workerOptimizer(config: unknown, cells: Readonly<Record<string, HyperParam>>): GradientTransformation<OptState[]> {
  const names = Object.keys(cells);
  if (names.length === 0) return optimizerFromConfig(config);
  for (const name of names) {
    if (!LIVE_OPTIMIZER_OPTIONS.includes(name)) {
      throw new GradstreamError({
        code: 'invalid_config',
        path: `hyperParams.${name}`,
        expected: `a live optimizer option in a worker run (${LIVE_OPTIMIZER_OPTIONS.join(', ')})`,
        received: JSON.stringify(name),
      });
    }
    if (!isHyperParam(cells[name])) {
      throw new GradstreamError({
        code: 'invalid_config',
        path: `hyperParams.${name}`,
        expected: 'a hyperParam cell (hyperParam(0.01))',
        received: describeValue(cells[name]),
      });
    }
  }
  const withValues: Record<string, unknown> = { ...(config as Record<string, unknown>) };
  if (typeof withValues.lr === 'object' && withValues.lr !== null) {
    throw new GradstreamError({
      code: 'invalid_config',
      path: 'optimizer.lr',
      expected: 'a number (a schedule cannot be combined with live hyperparameters in a worker run)',
      received: 'a schedule',
    });
  }
  for (const name of names) withValues[name] = cells[name]!.value;
  optimizerFromConfig(withValues); // the config's errors, named as usual
  const { type, ...options } = withValues as { type: string } & Record<string, unknown>;
  for (const name of names) options[name] = cells[name];
  return FACTORIES[type]!(options);
}
