import { describe, expect, it } from 'vitest';
import {
  adam,
  GradstreamError,
  OptimizerConfig,
  optimizerFromConfig,
  rmsprop,
  type GradientTransformation,
  type OptState,
} from '../../src/index.js';
import { stepper } from '../core/optimizers/problems.js';

const grad = { grad: (out: Float64Array, w: Float64Array) => out.set(Array.from(w, (v, i) => (i + 1) * (v - 1))) };
const run = (opt: GradientTransformation<OptState[]>) => {
  const s = stepper(opt, grad, [3, -2, 0.5]);
  for (let k = 0; k < 5; k++) s.step();
  return Array.from(s.params.data);
};

describe('optimizerFromConfig', () => {
  it('builds the named optimizer with the given options', () => {
    const config = { type: 'rmsprop', lr: 0.01, rho: 0.9, momentum: 0, centered: false };
    expect(OptimizerConfig.parse(config)).toEqual(config);
    expect(run(optimizerFromConfig(config))).toEqual(run(rmsprop({ lr: 0.01, rho: 0.9, momentum: 0, centered: false })));
    expect(run(optimizerFromConfig({ type: 'adam' }))).toEqual(run(adam()));
  });

  it.each(['sgd', 'momentum', 'nesterov', 'adagrad', 'rmsprop', 'adam', 'adamw', 'amsgrad'])('knows %s', (type) => {
    const w = run(optimizerFromConfig({ type, lr: 0.01, clipNorm: 100 }));
    expect(w.every(Number.isFinite)).toBe(true);
  });

  it('accepts a schedule as lr', () => {
    const schedules = [
      { type: 'constant', lr: 0.1 },
      { type: 'exponentialDecay', lr: 0.1, decaySteps: 10, decayRate: 0.5 },
      { type: 'stepDecay', lr: 0.1, stepSize: 2 },
      { type: 'piecewiseConstant', boundaries: [2], values: [0.1, 0.01] },
      { type: 'cosineDecay', lr: 0.1, decaySteps: 10, warmupSteps: 2 },
    ];
    for (const lr of schedules) {
      const opt = optimizerFromConfig({ type: 'sgd', lr });
      expect(opt.learningRate!(opt.init(stepper(opt, grad, [0]).params))).toBeGreaterThanOrEqual(0);
    }
    const opt = optimizerFromConfig({ type: 'sgd', lr: { type: 'stepDecay', lr: 0.1, stepSize: 2, factor: 0.5 } });
    const s = stepper(opt, grad, [0]);
    s.step();
    s.step();
    expect(opt.learningRate!(s.state as OptState[])).toBe(0.05);
  });

  it.each([
    [
      { type: 'adamax' },
      'optimizer.type: expected one of "sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adamw", "amsgrad", received "adamax"',
    ],
    [{ type: 'rmsprop', rho: '0.9' }, 'optimizer.rho: expected number, received "0.9"'],
    [{ type: 'adam', beta3: 0.9 }, 'optimizer: expected no other keys, received "beta3"'],
    [{ type: 'adam', beta1: 1.5 }, 'optimizer.beta1: expected a number in [0, 1), received 1.5'],
    [{ type: 'sgd', lr: -0.1 }, 'optimizer.lr: expected a finite number ≥ 0, received -0.1'],
    [{ type: 'sgd', lr: { type: 'stepDecay', lr: 0.1, stepSize: 0 } }, 'optimizer.lr.stepSize: expected an integer ≥ 1, received 0'],
    ['adam', 'optimizer: expected object, received "adam"'],
  ])('rejects %o', (config, message) => {
    const build = () => optimizerFromConfig(config);
    expect(build).toThrow(GradstreamError);
    expect(build).toThrow(message);
  });
});

describe('optimizerFromConfig, schedules in lr', () => {
  it('names the choices for lr.type and the missing field of a schedule', () => {
    expect(() => optimizerFromConfig({ type: 'sgd', lr: { type: 'linear', lr: 1 } })).toThrow(
      'optimizer.lr.type: expected one of "constant", "exponentialDecay", "stepDecay", "piecewiseConstant", "cosineDecay", received "linear"',
    );
    expect(() => optimizerFromConfig({ type: 'sgd', lr: { type: 'stepDecay', lr: 1 } })).toThrow(
      'optimizer.lr.stepSize: expected number, received undefined',
    );
    expect(() => optimizerFromConfig({ type: 'sgd', lr: '0.1' })).toThrow(GradstreamError);
  });
});
