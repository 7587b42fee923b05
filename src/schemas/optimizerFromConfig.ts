import type { z } from 'zod';
import { GradstreamError, describeValue } from '../core/errors.js';
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
import { formatPath, fromZodError } from './fromZodError.js';
import { OptimizerConfig, type ScheduleConfig } from './optimizerConfig.js';

function schedule(c: ScheduleConfig): LearningRate {
  switch (c.type) {
    case 'constant':
      return constant(c.lr);
    case 'exponentialDecay':
      return exponentialDecay(c);
    case 'stepDecay':
      return stepDecay(c);
    case 'piecewiseConstant':
      return piecewiseConstant(c);
    case 'cosineDecay':
      return cosineDecay(c);
  }
}

function build(c: OptimizerConfig): GradientTransformation<OptState[]> {
  const o = { ...c, lr: c.lr === undefined || typeof c.lr === 'number' ? c.lr : schedule(c.lr) };
  switch (o.type) {
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

interface Issue {
  code: string;
  path: PropertyKey[];
  options?: unknown[];
  errors?: Issue[][];
  input?: unknown;
}

/**
 * Unions need more than `fromZodError` says about them: for an unknown discriminator it names the
 * choices; for `lr` (a number or a schedule) it reports the issue of the branch that fits the input.
 */
function fromUnionError(root: string, error: z.ZodError): GradstreamError {
  let issue = error.issues[0] as Issue;
  let prefix: PropertyKey[] = [];
  while (issue.code === 'invalid_union' && issue.errors !== undefined && issue.errors.length > 0) {
    const branch = issue.errors.find((e) => e[0] !== undefined && !(e[0].code === 'invalid_type' && e[0].path.length === 0)) ?? issue.errors[0]!;
    prefix = [...prefix, ...issue.path];
    issue = branch[0]!;
  }
  if (issue.code === 'invalid_union' && Array.isArray(issue.options)) {
    const input = issue.input as Record<string, unknown> | undefined;
    return new GradstreamError({
      code: 'invalid_config',
      path: formatPath(root, [...prefix, ...issue.path]),
      expected: `one of ${issue.options.map((o) => JSON.stringify(o)).join(', ')}`,
      received: describeValue(input?.type),
    });
  }
  const single = { issues: [{ ...issue, path: [...prefix, ...issue.path] }] } as unknown as z.ZodError;
  return fromZodError('invalid_config', root, single);
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
  if (!parsed.success) throw fromUnionError(root, parsed.error);
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
