/**
 * A model of image and sequence layers exported runs in onnxruntime-node and TensorFlow.js as
 * `predict` does, behind its scaler. Loads both runtimes: in the slow suite.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, it } from 'vitest';
import {
  conv2d,
  createRng,
  dense,
  flatten,
  lstm,
  predict,
  relu,
  reshape,
  sequential,
  standardize,
  toOnnx,
  toTfjsLayers,
  withScaler,
} from '../../../src/index.js';
import { expectSamePredictions } from './exportCases.js';
import { runOnnx, runTfjs } from './runtimes.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('image and sequence layers exported together', () => {
  it('conv2d → relu → flatten → reshape → lstm (sequences) → lstm → dense runs in both runtimes as predict does', async () => {
    const model = sequential([
      conv2d({ inputShape: [4, 4, 1], filters: 2, kernelSize: 3 }),
      relu(),
      flatten(),
      reshape([2, 4]),
      lstm(3, { timesteps: 2, features: 4, returnSequences: true }),
      lstm(2, { timesteps: 3, features: 2 }),
      dense(2, 2),
    ]);
    const params = model.init(createRng(6));
    const rng = createRng(7);
    const x = Array.from({ length: 16 }, () => Array.from({ length: 16 }, () => Math.round(rng.uniform(0, 255))));
    const scaler = standardize().fit(x);
    const want = predict(withScaler(model, scaler), params, x);
    expectSamePredictions(await runOnnx(toOnnx(model, params, { scaler }), x), want, 2);
    expectSamePredictions(await runTfjs(toTfjsLayers(model, params, { scaler }), x), want, 2);
  });
});
