import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, it } from 'vitest';
import { predict, toOnnx, toTfjsLayers, withScaler } from '../../../src/index.js';
import { expectSamePredictions } from './exportCases.js';
import { IMAGE_CASES, imageModel, imageRows } from './imageCases.js';
import { runOnnx, runTfjs } from './runtimes.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('image layers exported', () => {
  for (const c of IMAGE_CASES) {
    for (const precision of c.precisions ?? (['float64', 'float32'] as const)) {
      it(`${c.name} (${precision}) runs in onnxruntime and TensorFlow.js as predict does, behind its scaler`, async () => {
        const { model, params } = imageModel(c, precision);
        const { x, scaler } = imageRows(16, model.inputs);
        const plain = x.map((row) => Array.from(Float32Array.from(scaler.transform(Float64Array.from(row)))));
        const want = predict(model, params, plain);
        expectSamePredictions(await runOnnx(toOnnx(model, params), plain), want, model.outputs);
        expectSamePredictions(await runTfjs(toTfjsLayers(model, params), plain), want, model.outputs);
        const scaled = predict(withScaler(model, scaler), params, x);
        expectSamePredictions(await runOnnx(toOnnx(model, params, { scaler }), x), scaled, model.outputs);
        expectSamePredictions(await runTfjs(toTfjsLayers(model, params, { scaler }), x), scaled, model.outputs);
      });
    }
  }
});
