import { describe, expect, it } from 'vitest';
import {
  binaryCrossEntropy,
  GradstreamError,
  huber,
  LossConfig,
  lossFromConfig,
  mae,
  mse,
  softmaxCrossEntropy,
  type Loss,
} from '../../src/index.js';

const pred = new Float64Array([0.2, -1.5, 3, 0.9]);
const target = new Float64Array([0, 1, 1, 0]);
const same = (a: Loss, b: Loss) => {
  expect(a.name).toBe(b.name);
  expect(a.value(pred, target, 2, 2)).toBe(b.value(pred, target, 2, 2));
  expect(Array.from(a.grad(new Float64Array(4), pred, target, 2, 2))).toEqual(Array.from(b.grad(new Float64Array(4), pred, target, 2, 2)));
};

describe('lossFromConfig', () => {
  it('takes a name with the defaults', () => {
    same(lossFromConfig('mse'), mse());
    same(lossFromConfig('mae'), mae());
    same(lossFromConfig('huber'), huber());
    same(lossFromConfig('binaryCrossEntropy'), binaryCrossEntropy());
    same(lossFromConfig('softmaxCrossEntropy'), softmaxCrossEntropy());
  });

  it('takes an object with options', () => {
    same(lossFromConfig({ type: 'huber', delta: 0.5 }), huber(0.5));
    same(lossFromConfig({ type: 'binaryCrossEntropy', fromLogits: true }), binaryCrossEntropy({ fromLogits: true }));
    same(lossFromConfig({ type: 'softmaxCrossEntropy', fromLogits: false }), softmaxCrossEntropy({ fromLogits: false }));
    same(lossFromConfig({ type: 'mse' }), mse());
  });

  it('round-trips every loss through toConfig', () => {
    const losses = [
      mse(),
      mae(),
      huber(2),
      binaryCrossEntropy(),
      binaryCrossEntropy({ fromLogits: true }),
      softmaxCrossEntropy(),
      softmaxCrossEntropy({ fromLogits: false }),
    ];
    expect(losses.map((l) => l.toConfig!())).toEqual([
      { type: 'mse' },
      { type: 'mae' },
      { type: 'huber', delta: 2 },
      { type: 'binaryCrossEntropy', fromLogits: false },
      { type: 'binaryCrossEntropy', fromLogits: true },
      { type: 'softmaxCrossEntropy', fromLogits: true },
      { type: 'softmaxCrossEntropy', fromLogits: false },
    ]);
    for (const l of losses) {
      const config = l.toConfig!();
      expect(LossConfig.parse(JSON.parse(JSON.stringify(config)))).toEqual(config);
      same(lossFromConfig(config), l);
    }
  });

  it.each([
    ['hinge', 'loss: expected one of "mse", "mae", "huber", "binaryCrossEntropy", "softmaxCrossEntropy", received "hinge"'],
    [
      { type: 'hinge' },
      'loss.type: expected one of "mse", "mae", "huber", "binaryCrossEntropy", "softmaxCrossEntropy", "module", received "hinge"',
    ],
    [{ type: 'huber', delta: -1 }, 'loss.delta: expected a finite number > 0, received -1'],
    [{ type: 'huber', delta: '1' }, 'loss.delta: expected number, received "1"'],
    [{ type: 'mse', reduction: 'sum' }, 'loss: expected no other keys, received "reduction"'],
    [3, 'loss: expected object, received 3'],
  ])('rejects %j', (config, message) => {
    const build = () => lossFromConfig(config);
    expect(build).toThrow(GradstreamError);
    expect(build).toThrow(message);
  });
});
