import * as tf from '@tensorflow/tfjs';
import { lastValueFrom, pipe, tap } from 'rxjs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  adam,
  createRng,
  mse,
  forward,
  fromArrays,
  fromTfjsLayers,
  gradient,
  loss,
  predict,
  toTfjsLayers,
  train,
  update,
} from '../../../src/index.js';
import { expectSamePredictions } from './exportCases.js';
import { IMAGE_CASES, imageModel, imageRows } from './imageCases.js';
import { saved } from './runtimes.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Rows of `width` numbers in [−1, 1]. */
function rows(n: number, width: number, seed = 7): number[][] {
  const rng = createRng(seed);
  return Array.from({ length: n }, () => Array.from(Float32Array.from({ length: width }, () => rng.uniform(-1, 1))));
}

/** A Keras CNN on [8, 8, 1] images: conv same + valid, strides 2, both pools, flatten, dense. */
function tfjsCnn(): tf.Sequential {
  const m = tf.sequential();
  m.add(tf.layers.conv2d({ inputShape: [8, 8, 1], filters: 3, kernelSize: 3, padding: 'same', activation: 'relu' }));
  m.add(tf.layers.maxPooling2d({ poolSize: 2 }));
  m.add(tf.layers.conv2d({ filters: 4, kernelSize: 2, strides: 2, activation: 'tanh' }));
  m.add(tf.layers.averagePooling2d({ poolSize: 2, strides: 1, padding: 'same' }));
  m.add(tf.layers.flatten());
  m.add(tf.layers.dense({ units: 3, activation: 'softmax' }));
  return m;
}

describe('fromTfjsLayers of image models', () => {
  it('imports a TensorFlow.js CNN: the same predictions on the flat rows, and training continues', async () => {
    const m = tfjsCnn();
    const x = rows(12, 64);
    const want = (await (m.predict(tf.tensor4d(x.flat(), [12, 8, 8, 1])) as tf.Tensor).data()) as Float32Array;
    const { modelJson, weightData } = await saved(m);
    const { model, params } = fromTfjsLayers(modelJson, weightData);
    expect(model.layers.map((l) => l.kind)).toEqual([
      'conv2d',
      'relu',
      'maxPool2d',
      'conv2d',
      'tanh',
      'avgPool2d',
      'flatten',
      'dense',
      'softmax',
    ]);
    expect(model.inputs).toBe(64);
    expectSamePredictions(predict(model, params, x), want, 3);

    const labels = x.map((r) => {
      const y = [0, 0, 0];
      y[r[0]! > 0.3 ? 0 : r[9]! > 0 ? 1 : 2] = 1;
      return y;
    });
    const l = mse();
    const losses: number[] = [];
    await lastValueFrom(
      train({
        params,
        data: fromArrays(x, labels, { batchSize: 12, epochs: 60 }),
        pipeline: pipe(forward(model), loss(l), gradient(model, l), update(adam({ lr: 0.02 }))),
        scheduler: 'sync',
      }).pipe(tap((r) => losses.push(r.loss))),
    );
    expect(losses[losses.length - 1]!).toBeLessThan(losses[0]! / 2);
  });

  it('imports a CNN over flat rows (a Reshape first) with globalAveragePooling2D, in float32', async () => {
    const m = tf.sequential();
    m.add(tf.layers.reshape({ inputShape: [48], targetShape: [4, 4, 3] }));
    m.add(tf.layers.conv2d({ filters: 5, kernelSize: [3, 2], useBias: false }));
    m.add(tf.layers.globalAveragePooling2d({}));
    m.add(tf.layers.dense({ units: 2 }));
    const x = rows(6, 48);
    const want = (await (m.predict(tf.tensor2d(x)) as tf.Tensor).data()) as Float32Array;
    const { modelJson, weightData } = await saved(m);
    const { model, params } = fromTfjsLayers(modelJson, weightData, { precision: 'float32' });
    expect(model.toConfig().layers).toEqual([
      { type: 'reshape', shape: [4, 4, 3] },
      { type: 'conv2d', inputShape: [4, 4, 3], filters: 5, kernelSize: [3, 2], bias: false },
      { type: 'globalAvgPool2d', inputShape: [2, 3, 5] },
      { type: 'dense', inputs: 5, units: 2 },
    ]);
    expectSamePredictions(predict(model, params, x), want, 2);
  });

  for (const c of IMAGE_CASES) {
    it(`round trip ${c.name}: gradstream → TensorFlow.js Layers → gradstream predicts the same`, () => {
      const { model, params } = imageModel(c, 'float64');
      const { modelJson, weightData } = toTfjsLayers(model, params);
      const back = fromTfjsLayers(JSON.parse(JSON.stringify(modelJson)), weightData);
      expect(back.model.inputs).toBe(model.inputs);
      const x = imageRows(4, model.inputs).x.map((r) => r.map((v) => v / 100));
      expectSamePredictions(predict(back.model, back.params, x), predict(model, params, x), model.outputs);
    });
  }
});
