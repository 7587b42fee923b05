import { describe, expect, it } from 'vitest';
import {
  createRng,
  dense,
  elu,
  GradstreamError,
  heNormal,
  identity,
  leakyRelu,
  ModelConfig,
  modelFromConfig,
  ones,
  param,
  predict,
  relu,
  sequential,
  sigmoid,
  softmax,
  softplus,
  tanh,
  type Layer,
} from '../../src/index.js';
import { seedW } from '../helpers/seed.js';

describe('modelFromConfig', () => {
  it('builds the lesson layer with its weights and returns the params', () => {
    const { model, params } = modelFromConfig({ layers: [{ type: 'dense', inputs: 4, units: 4, bias: false, weights: seedW }] });
    expect(model.layout.names).toEqual(['0.W']);
    expect(params).toBeDefined();
    expect(Array.from(param(params!, '0.W'))).toEqual(seedW.flat());
    const out = predict(model, params!, [[1, 2, 3, 4]]);
    expect(Array.from(out).map((v) => Math.round(v * 1e4) / 1e4)).toEqual([-0.5545, 1.1241, -2.3547, 0.9334]);
  });

  it('defaults biases to zeros and takes explicit biases', () => {
    const a = modelFromConfig({ layers: [{ type: 'dense', inputs: 2, units: 1, weights: [[0.5], [-0.25]] }] });
    expect(Array.from(param(a.params!, '0.b'))).toEqual([0]);
    const b = modelFromConfig({ layers: [{ type: 'dense', inputs: 2, units: 1, weights: [[0.5], [-0.25]], biases: [0.1] }] });
    expect(Array.from(param(b.params!, '0.b'))).toEqual([0.1]);
    const c = modelFromConfig({ layers: [{ type: 'dense', inputs: 2, units: 1, weights: [[0.5], [-0.25]], biasInit: 'ones' }] });
    expect(Array.from(param(c.params!, '0.b'))).toEqual([1]);
  });

  it('gives no params when a layer draws its weights, and init follows the named initializer', () => {
    const { model, params } = modelFromConfig({
      layers: [
        { type: 'dense', inputs: 3, units: 5, init: 'heNormal' },
        { type: 'relu' },
        {
          type: 'dense',
          units: 2,
          weights: [
            [1, 2],
            [3, 4],
            [5, 6],
            [7, 8],
            [9, 10],
          ],
        },
      ],
    });
    expect(params).toBeUndefined();
    const p = model.init(createRng(7));
    const ref = sequential([dense(3, 5, { init: heNormal }), relu(), dense(5, 2)]).init(createRng(7));
    expect(Array.from(param(p, '0.W'))).toEqual(Array.from(param(ref, '0.W')));
    expect(Array.from(param(p, '2.W'))).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    // weights win over init; an unknown init never reaches here (schema)
    const fixed = modelFromConfig({
      layers: [{ type: 'dense', inputs: 1, units: 1, init: 'heNormal', weights: [[3]], biasInit: 'heNormal' }],
    });
    expect(fixed.params).toBeUndefined();
    expect(param(fixed.model.init(createRng(1)), '0.W')[0]).toBe(3);
  });

  it('knows every activation', () => {
    const acts = ['relu', 'leakyRelu', 'elu', 'sigmoid', 'tanh', 'softplus', 'identity', 'softmax'];
    const { model } = modelFromConfig({
      layers: [
        { type: 'dense', inputs: 2, units: 3 },
        ...acts.map((type) => ({ type })),
        { type: 'leakyRelu', alpha: 0.1 },
        { type: 'elu', alpha: 0.5 },
      ],
    });
    expect(model.layers.map((l) => l.kind)).toEqual(['dense', ...acts, 'leakyRelu', 'elu']);
    expect(model.outputs).toBe(3);
    const x = new Float64Array([-1, 2]);
    const p = model.init(createRng(3));
    const ref = sequential([
      dense(2, 3),
      relu(),
      leakyRelu(),
      elu(),
      sigmoid(),
      tanh(),
      softplus(),
      identity(),
      softmax(),
      leakyRelu(0.1),
      elu(0.5),
    ]);
    expect(Array.from(predict(model, p, x))).toEqual(Array.from(predict(ref, p, x)));
  });

  it('round-trips through toConfig (layers spec without weights)', () => {
    const model = sequential([
      dense(2, 8, { init: heNormal }),
      leakyRelu(0.2),
      dense(8, 4, { bias: false, biasInit: ones }),
      elu(),
      dense(4, 3, { biasInit: ones }),
      softmax(),
    ]);
    const config = model.toConfig();
    expect(config).toEqual({
      layers: [
        { type: 'dense', inputs: 2, units: 8, init: 'heNormal' },
        { type: 'leakyRelu', alpha: 0.2 },
        { type: 'dense', inputs: 8, units: 4, bias: false },
        { type: 'elu', alpha: 1 },
        { type: 'dense', inputs: 4, units: 3, biasInit: 'ones' },
        { type: 'softmax' },
      ],
    });
    expect(ModelConfig.parse(JSON.parse(JSON.stringify(config)))).toEqual(config);
    const rebuilt = modelFromConfig(config).model;
    expect(rebuilt.layout).toEqual(model.layout);
    expect(rebuilt.toConfig()).toEqual(config);
    const p = model.init(createRng(5));
    const x = new Float64Array([0.3, -0.7, 1.1, 0.2]);
    expect(Array.from(predict(rebuilt, p, x))).toEqual(Array.from(predict(model, p, x)));
  });

  it('omits a custom initializer and errors on a layer without toConfig', () => {
    expect(sequential([dense(1, 1, { init: (out) => out.fill(2), weights: { W: [[1]] } })]).toConfig()).toEqual({
      layers: [{ type: 'dense', inputs: 1, units: 1 }],
    });
    const custom: Layer = { kind: 'mine', inputs: 1, outputs: 1, params: [], init() {}, forward() {}, backward() {} };
    expect(() => sequential([dense(1, 1), custom]).toConfig()).toThrow(
      'layers[1]: expected a layer that can be saved as config (a built-in layer, or one with toConfig), received mine(1) without toConfig',
    );
  });

  it.each([
    [
      { layers: [{ type: 'dense', inputs: 4, units: 8 }, { type: 'relu' }, { type: 'dense', inputs: 4, units: 1 }] },
      'model.layers[2].inputs: expected 8 (the width of layer 1, relu(8)), received 4',
    ],
    [
      {
        layers: [
          { type: 'dense', inputs: 4, units: 8 },
          { type: 'dense', inputs: 3, units: 1 },
        ],
      },
      'model.layers[1].inputs: expected 8 (the width of layer 0, dense(4→8)), received 3',
    ],
    [
      { layers: [{ type: 'dense', units: 8 }] },
      'model.layers[0].inputs: expected the number of input features (required on the first layer), received nothing',
    ],
    [
      { layers: [{ type: 'relu' }, { type: 'dense', inputs: 4, units: 8 }] },
      'model.layers[0].type: expected a layer with a width first (e.g. "dense" with "inputs"), received "relu"',
    ],
    [
      { layers: [{ type: 'dense', inputs: 2, units: 2, weights: [[1, 2]] }] },
      'model.layers[0].weights: expected 2 rows (inputs) of 2 numbers (units), received 1 rows',
    ],
    [
      { layers: [{ type: 'dense', inputs: 2, units: 2, weights: [[1, 2], [3]] }] },
      'model.layers[0].weights[1]: expected 2 numbers (units), received 1',
    ],
    [{ layers: [{ type: 'dense', inputs: 2, units: 2, biases: [1] }] }, 'model.layers[0].biases: expected 2 numbers (units), received 1'],
    [
      { layers: [{ type: 'dense', inputs: 2, units: 2, bias: false, biases: [1, 2] }] },
      'model.layers[0].biases: expected no biases ("bias" is false), received 2 numbers',
    ],
    [
      {
        layers: [
          {
            type: 'dense',
            inputs: 2,
            units: 2,
            weights: [
              [1, 'x'],
              [3, 4],
            ],
          },
        ],
      },
      'model.layers[0].weights[0][1]: expected number, received "x"',
    ],
    [
      { layers: [{ type: 'dense', inputs: 2, units: 2, init: 'random' }] },
      'model.layers[0].init: expected one of "zeros", "ones", "glorotUniform", "glorotNormal", "heUniform", "heNormal", "lecunUniform", "lecunNormal", received "random"',
    ],
    [
      { layers: [{ type: 'conv3d' }] },
      'model.layers[0].type: expected one of "dense", "relu", "leakyRelu", "elu", "sigmoid", "tanh", "softplus", "identity", "softmax"',
    ],
    [{ layers: [{ type: 'conv2d', inputShape: [8, 8, 1], kernelSize: 3 }] }, 'model.layers[0].filters: expected number'],
    [
      {
        layers: [
          { type: 'reshape', shape: [8, 8, 1] },
          { type: 'conv2d', filters: 2, kernelSize: 3, padding: 'full' },
        ],
      },
      'model.layers[1].padding: expected one of "valid", "same"',
    ],
    [
      { layers: [{ type: 'dense', inputs: 2, units: 2, activation: 'relu' }] },
      'model.layers[0]: expected no other keys, received "activation"',
    ],
    [{ layers: [] }, 'model.layers: expected'],
    [{ layers: [{ type: 'dense', inputs: 0, units: 2 }] }, 'model.layers[0].inputs: expected'],
    [[], 'model: expected object, received an array of length 0'],
  ])('rejects %j', (config, message) => {
    const build = () => modelFromConfig(config);
    expect(build).toThrow(GradstreamError);
    expect(build).toThrow(message);
    try {
      build();
    } catch (e) {
      expect((e as GradstreamError).code).toBe('invalid_config');
    }
  });

  it('names its root', () => {
    expect(() => modelFromConfig({ layers: [{ type: 'dense', units: 1 }] }, 'config.model')).toThrow('config.model.layers[0].inputs');
  });
});

describe('modelFromConfig: regularization layers', () => {
  it('builds dropout, batchNorm and kernel regularizers, and round-trips them', () => {
    const config = {
      layers: [
        { type: 'dense', inputs: 2, units: 8, kernelRegularizer: { l2: 1e-4 } },
        { type: 'batchNorm' },
        { type: 'relu' },
        { type: 'dropout', rate: 0.2 },
        { type: 'dense', units: 1, kernelRegularizer: { l1: 1e-5, l2: 1e-3 } },
      ],
    };
    const { model } = modelFromConfig(config);
    expect(model.layers.map((l) => l.kind)).toEqual(['dense', 'batchNorm', 'relu', 'dropout', 'dense']);
    expect(model.layout.names).toEqual([
      '0.W',
      '0.b',
      '1.gamma',
      '1.beta',
      '1.movingMean',
      '1.movingVariance',
      '1.statsStep',
      '4.W',
      '4.b',
    ]);
    expect(model.penalty).toBeDefined();
    const back = model.toConfig();
    expect(back.layers[0]).toEqual({ type: 'dense', inputs: 2, units: 8, kernelRegularizer: { l2: 1e-4 } });
    expect(back.layers[1]).toEqual({ type: 'batchNorm', momentum: 0.99, epsilon: 0.001 });
    expect(back.layers[3]).toEqual({ type: 'dropout', rate: 0.2 });
    expect(back.layers[4]).toEqual({ type: 'dense', inputs: 8, units: 1, kernelRegularizer: { l1: 1e-5, l2: 1e-3 } });
    expect(modelFromConfig(back).model.toConfig()).toEqual(back);
    expect(
      modelFromConfig({ layers: [{ type: 'dense', inputs: 1, units: 1, kernelRegularizer: { l1: 0.1 } }] }).model.toConfig().layers[0],
    ).toEqual({ type: 'dense', inputs: 1, units: 1, kernelRegularizer: { l1: 0.1 } });
    const bn = modelFromConfig({
      layers: [
        { type: 'dense', inputs: 1, units: 2, weights: [[1, 2]] },
        { type: 'batchNorm', momentum: 0.9, epsilon: 1e-5 },
      ],
    });
    expect(bn.model.toConfig().layers[1]).toEqual({ type: 'batchNorm', momentum: 0.9, epsilon: 1e-5 });
    expect(Array.from(param(bn.params!, '1.movingVariance'))).toEqual([1, 1]);
  });

  it.each([
    [{ type: 'dropout', rate: 1 }, 'model.layers[1].rate: expected'],
    [{ type: 'dropout' }, 'model.layers[1].rate: expected number, received undefined'],
    [{ type: 'batchNorm', momentum: 2 }, 'model.layers[1].momentum: expected'],
    [{ type: 'batchNorm', center: false }, 'model.layers[1]: expected no other keys, received "center"'],
  ])('rejects %j', (layer, message) => {
    expect(() => modelFromConfig({ layers: [{ type: 'dense', inputs: 2, units: 2 }, layer] })).toThrow(message);
  });

  it('rejects an empty or negative kernel regularizer', () => {
    expect(() => modelFromConfig({ layers: [{ type: 'dense', inputs: 2, units: 2, kernelRegularizer: {} }] })).toThrow(
      'model.layers[0].kernelRegularizer: expected at least one of "l1", "l2", received neither',
    );
    expect(() => modelFromConfig({ layers: [{ type: 'dense', inputs: 2, units: 2, kernelRegularizer: { l2: -1 } }] })).toThrow(
      'model.layers[0].kernelRegularizer.l2: expected',
    );
    expect(() => modelFromConfig({ layers: [{ type: 'dense', inputs: 2, units: 2, kernelRegularizer: { l3: 1 } }] })).toThrow(
      'model.layers[0].kernelRegularizer: expected no other keys, received "l3"',
    );
  });
});
