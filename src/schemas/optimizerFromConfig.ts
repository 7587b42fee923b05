import { GradstreamError } from '../core/errors.js';
import type { GradientTransformation, LearningRate, OptState } from '../core/optimizer.js';
import { adagrad } from '../core/optimizers/adagrad.js';
import { adam } from '../core/optimizers/adam.js';
import { adamw } from '../core/optimizers/adamw.js';
import { amsgrad } from '../core/optimizers/amsgrad.js';
import { momentum } from '../core/optimizers/momentum.js';
import { nesterov } from '../core/optimizers/nesterov.js';
import { rmsprop } from '../core/optimizers/rmsprop.js';
import { sgd } from '../core/optimizers/sgd.js';
import { constant } from '../core/schedules/constant.js';
import { cosineDecay } from '../core/schedules/cosineDecay.js';
import { exponentialDecay } from '../core/schedules/exponentialDecay.js';
import { piecewiseConstant } from '../core/schedules/piecewiseConstant.js';
import { stepDecay } from '../core/schedules/stepDecay.js';
import { fromZodError } from './fromZodError.js';
import { OptimizerConfig, type ScheduleConfig } from './optimizerConfig.js';

function schedule(c: ScheduleConfig): LearningRate {
  // The factories take their options without the config's `type` key.
  switch (c.type) {
    case 'constant':
      return constant(c.lr);
    case 'exponentialDecay': {
      const { type: _, ...o } = c;
      return exponentialDecay(o);
    }
    case 'stepDecay': {
      const { type: _, ...o } = c;
      return stepDecay(o);
    }
    case 'piecewiseConstant': {
      const { type: _, ...o } = c;
      return piecewiseConstant(o);
    }
    case 'cosineDecay': {
      const { type: _, ...o } = c;
      return cosineDecay(o);
    }
  }
}

function build(c: OptimizerConfig): GradientTransformation<OptState[]> {
  const { type, ...rest } = c;
  const o = { ...rest, lr: c.lr === undefined || typeof c.lr === 'number' ? c.lr : schedule(c.lr) };
  if (c.lr === undefined) delete o.lr;
  switch (type) {
    case 'sgd':
      return sgd(o);
    case 'momentum':
      return momentum(o);
    case 'nesterov':
      return nesterov(o);
    case 'adagrad':
      return adagrad(o);
    case 'rmsprop':
      return rmsprop(o);
    case 'adam':
      return adam(o);
    case 'adamw':
      return adamw(o);
    case 'amsgrad':
      return amsgrad(o);
  }
}

/**
 * Builds the optimizer a config describes (see {@link OptimizerConfig}), e.g.
 * `optimizerFromConfig({ type: 'adam', lr: 0.001 })`. Errors with a `GradstreamError`
 * (`invalid_config`) naming the field under `root`: a wrong type or key
 * (`optimizer.rho: expected number, received "0.9"`), or a value out of range
 * (`optimizer.beta1: expected a number in [0, 1), received 1.5`; `optimizer.lr.decaySteps: …`
 * for a schedule).
 *
 * @example
 * import { optimizerFromConfig } from 'gradstream';
 * const opt = optimizerFromConfig({ type: 'rmsprop', lr: 0.01, rho: 0.9, momentum: 0, centered: false });
 */
export function optimizerFromConfig(config: unknown, root = 'optimizer'): GradientTransformation<OptState[]> {
  const parsed = OptimizerConfig.safeParse(config, { reportInput: true });
  if (!parsed.success) throw fromZodError('invalid_config', root, parsed.error);
  const c = parsed.data;
  try {
    return build(c);
  } catch (e: unknown) {
    if (!(e instanceof GradstreamError)) throw e;
    const scheduleType = typeof c.lr === 'object' ? `${c.lr.type}.` : undefined;
    let path = e.path;
    if (path.startsWith(`${c.type}.`)) path = `${root}.${path.slice(c.type.length + 1)}`;
    else if (scheduleType !== undefined && path.startsWith(scheduleType)) path = `${root}.lr.${path.slice(scheduleType.length)}`;
    throw new GradstreamError({ code: e.code, path, expected: e.expected, received: e.received });
  }
}
