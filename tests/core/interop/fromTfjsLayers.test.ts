import * as tf from '@tensorflow/tfjs';
import { lastValueFrom, pipe, tap } from 'rxjs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  GradstreamError,
  adam,
  createRng,
  forward,
  fromArrays,
  fromTfjsLayers,
  gradient,
  loss,
  mse,
  predict,
  toTfjsLayers,
  train,
  update,
} from '../../../src/index.js';
import { EXPORT_CASES, caseModel, expectSamePredictions, rawRows } from './exportCases.js';
import { saved } from './runtimes.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** A TensorFlow.js model of every layer gradstream imports, with moving statistics away from 0 and 1. */
function tfjsModel(): tf.Sequential {
  const m = tf.sequential();
  m.add(tf.layers.dense({ inputShape: [3], units: 6, activation: 'tanh' }));
  m.add(tf.layers.batchNormalization({ epsilon: 0.01 }));
  m.add(tf.layers.leakyReLU({ alpha: 0.2 }));
  m.add(tf.layers.dropout({ rate: 0.25 }));
  m.add(tf.layers.dense({ units: 5, activation: 'relu' }));
  m.add(tf.layers.elu());
  m.add(tf.layers.activation({ activation: 'softplus' }));
  m.add(tf.layers.reLU());
  m.add(tf.layers.dense({ units: 4, useBias: false, activation: 'sigmoid' }));
  m.add(tf.layers.dense({ units: 3 }));
  m.add(tf.layers.softmax());
  const bn = m.layers[1]!;
  const rng = createRng(9);
  bn.setWeights(
    bn.getWeights().map((_w, i) => tf.tensor1d(Array.from({ length: 6 }, () => (i === 3 ? rng.uniform(0.5, 2) : rng.uniform(-1, 1))))),
  );
  return m;
}

describe('fromTfjsLayers', () => {
  it('imports a TensorFlow.js model of every supported layer: the same predictions', async () => {
    const m = tfjsModel();
    const x = [
      [0.5, -1, 2],
      [1, 1, 1],
      [-2, 0.25, 0],
      [0, 0, 0],
    ];
    const want = (await (m.predict(tf.tensor2d(x)) as tf.Tensor).data()) as Float32Array;
    const { modelJson, weightData } = await saved(m);
    const { model, params } = fromTfjsLayers(modelJson, weightData);
    expect(model.layers.map((l) => l.kind)).toEqual([
      'dense',
      'tanh',
      'batchNorm',
      'leakyRelu',
      'dropout',
      'dense',
      'relu',
      'elu',
      'softplus',
      'relu',
      'dense',
      'sigmoid',
      'dense',
      'softmax',
    ]);
    expectSamePredictions(predict(model, params, x), want, 3);
    expect(() => fromTfjsLayers(modelJson, weightData, { precision: 'float32' })).toThrow(
      /layers\[2\]: .*batchNorm\(6\), which computes in float64 only/,
    );
  });

  for (const c of EXPORT_CASES) {
    it(`round trip ${c.name}: gradstream → TensorFlow.js Layers → gradstream keeps the weights`, () => {
      const { model, params } = caseModel(c, 'float64');
      const { modelJson, weightData } = toTfjsLayers(model, params);
      const back = fromTfjsLayers(JSON.parse(JSON.stringify(modelJson)), weightData);
      expect(back.model.toConfig()).toEqual(model.toConfig());
      const { x } = rawRows(6);
      const plain = x.map((row) => row.map((v) => v / 100));
      expectSamePredictions(predict(back.model, back.params, plain), predict(model, params, plain), model.outputs);
    });
  }

  it('an imported model trains on: the loss falls', async () => {
    const m = tf.sequential();
    m.add(tf.layers.dense({ inputShape: [2], units: 8, activation: 'tanh' }));
    m.add(tf.layers.dense({ units: 1 }));
    const { modelJson, weightData } = await saved(m);
    const { model, params } = fromTfjsLayers(modelJson, new Uint8Array(weightData), { precision: 'float32' });
    expect(params.data).toBeInstanceOf(Float32Array);
    const x = [
      [0, 0],
      [0, 1],
      [1, 0],
      [1, 1],
      [0.5, 0.5],
    ];
    const y = [[0], [1], [1], [2], [1]];
    const l = mse();
    const losses: number[] = [];
    await lastValueFrom(
      train({
        params,
        data: fromArrays(x, y, { batchSize: 5, epochs: 200 }),
        pipeline: pipe(forward(model), loss(l), gradient(model, l), update(adam({ lr: 0.02 }))),
        scheduler: 'sync',
      }).pipe(tap((r) => losses.push(r.loss))),
    );
    expect(losses.length).toBeGreaterThan(100);
    expect(losses[losses.length - 1]!).toBeLessThan(losses[0]! / 10);
  });

  it('refuses an unsupported layer by its class and name, and names missing or misshapen weights', async () => {
    const m = tf.sequential();
    m.add(tf.layers.dense({ inputShape: [4], units: 4 }));
    m.add(tf.layers.layerNormalization({ name: 'norm' }));
    const { modelJson, weightData } = await saved(m);
    const run = (): unknown => fromTfjsLayers(modelJson, weightData);
    expect(run).toThrow(GradstreamError);
    expect(run).toThrow(
      /modelTopology\.config\.layers\[1\]: expected a supported layer \(InputLayer, Dense, .*\), received LayerNormalization "norm"/,
    );
    const d = tf.sequential();
    d.add(tf.layers.dense({ inputShape: [2], units: 1, name: 'out' }));
    const s = await saved(d);
    expect(() => fromTfjsLayers(s.modelJson, s.weightData.slice(0, 8))).toThrow(
      'weightData: expected at least 12 bytes (the manifest up to out/bias), received 8 bytes',
    );
    const manifest = s.modelJson.weightsManifest as { weights: { name: string; shape: number[] }[] }[];
    manifest[0]!.weights[0]!.shape = [1, 2];
    expect(() => fromTfjsLayers(s.modelJson, s.weightData)).toThrow('weightsManifest: out/kernel: expected shape [2, 1], received [1, 2]');
    expect(() =>
      fromTfjsLayers({ modelTopology: { class_name: 'Functional', config: {} }, weightsManifest: [] }, new ArrayBuffer(0)),
    ).toThrow(/modelTopology\.class_name: expected "Sequential"/);
  });
});

describe('fromTfjsLayers of a Keras model converted by tensorflowjs_converter', () => {
  it('reads the model_config wrapper, an InputLayer, nested weight names and Keras 3 names', () => {
    const modelJson = {
      format: 'layers-model',
      generatedBy: 'keras v3.4.1',
      convertedBy: 'TensorFlow.js Converter v4.22.0',
      modelTopology: {
        keras_version: '3.4.1',
        backend: 'tensorflow',
        model_config: {
          class_name: 'Sequential',
          config: {
            name: 'sequential',
            layers: [
              { class_name: 'InputLayer', config: { batch_shape: [null, 2], dtype: 'float32', name: 'input_layer' } },
              { class_name: 'Dense', config: { name: 'dense', units: 2, activation: 'linear', use_bias: true } },
              { class_name: 'LeakyReLU', config: { name: 'leaky', negative_slope: 0.5 } },
              { class_name: 'Dense', config: { name: 'out', units: 1, activation: 'sigmoid', use_bias: false } },
            ],
          },
        },
      },
      weightsManifest: [
        {
          paths: ['group1-shard1of1.bin'],
          weights: [
            { name: 'sequential/dense/kernel', shape: [2, 2], dtype: 'float32' },
            { name: 'sequential/dense/bias', shape: [2], dtype: 'float32' },
            { name: 'sequential/out/kernel', shape: [2, 1], dtype: 'float32' },
          ],
        },
      ],
    };
    const weights = new Float32Array([1, -1, 2, 0.5, 0.25, -0.5, 1, 2]);
    const { model, params } = fromTfjsLayers(modelJson, weights);
    expect(model.toConfig()).toEqual({
      layers: [
        { type: 'dense', inputs: 2, units: 2 },
        { type: 'leakyRelu', alpha: 0.5 },
        { type: 'dense', inputs: 2, units: 1, bias: false },
        { type: 'sigmoid' },
      ],
    });
    // x = [1, 1]: h = [1 + 2 + 0.25, −1 + 0.5 − 0.5] = [3.25, −1] → leaky [3.25, −0.5] → 3.25 − 1 = 2.25 → σ
    expect(predict(model, params, [[1, 1]])[0]).toBeCloseTo(1 / (1 + Math.exp(-2.25)), 7);
  });
});
