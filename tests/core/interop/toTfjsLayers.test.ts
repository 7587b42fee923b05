import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  GradstreamError,
  createRng,
  dense,
  elu,
  minMax,
  predict,
  relu,
  sequential,
  toTfjsLayers,
  withScaler,
  type SequentialModel,
  type Params,
} from '../../../src/index.js';
import { EXPORT_CASES, caseModel, expectSamePredictions, rawRows } from './exportCases.js';
import { runTfjs } from './runtimes.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function asFloat32(x: readonly (readonly number[])[]): number[][] {
  return x.map((row) => Array.from(Float32Array.from(row)));
}

describe('toTfjsLayers', () => {
  for (const c of EXPORT_CASES) {
    for (const precision of c.precisions) {
      it(`${c.name} (${precision}) predicts in TensorFlow.js as predict does, behind its scaler`, async () => {
        const { model, params } = caseModel(c, precision);
        const { x: raw, scaler } = rawRows(64);
        const x = asFloat32(raw);
        const plain = x.map((row) => Array.from(scaler.transform(Float64Array.from(row))));
        expectSamePredictions(await runTfjs(toTfjsLayers(model, params), plain), predict(model, params, plain), model.outputs);
        expectSamePredictions(
          await runTfjs(toTfjsLayers(model, params, { scaler }), x),
          predict(withScaler(model, scaler), params, x),
          model.outputs,
        );
      });
    }
  }

  it('puts a min-max scaler given as JSON in front as a diagonal dense layer', async () => {
    const { model, params } = caseModel(EXPORT_CASES[2]!, 'float64');
    const { x } = rawRows(8);
    const scaler = minMax().fit(x);
    const exported = toTfjsLayers(model, params, { scaler: scaler.toJSON() });
    expect(exported.modelJson.modelTopology.config.layers.map((l) => l.class_name)).toEqual(['Dense', 'Dense', 'Activation', 'Dense']);
    const first = exported.modelJson.weightsManifest[0]!.weights[0]!;
    expect(first).toEqual({ name: 'dense_0/kernel', shape: [3, 3], dtype: 'float32' });
    expectSamePredictions(await runTfjs(exported, asFloat32(x)), predict(withScaler(model, scaler), params, asFloat32(x)), model.outputs);
  });

  it('writes model.json as TensorFlow.js saves it: topology, manifest naming the weights file', () => {
    const model = sequential([dense(2, 3), relu(), dense(3, 1, { bias: false })]);
    const { modelJson, weightData } = toTfjsLayers(model, model.init(createRng(1)), { weightsPath: 'model.weights.bin' });
    expect(modelJson.format).toBe('layers-model');
    expect(modelJson.modelTopology.config.layers[0]).toMatchObject({
      class_name: 'Dense',
      config: { units: 3, activation: 'linear', use_bias: true, name: 'dense_0', batch_input_shape: [null, 2], dtype: 'float32' },
    });
    expect(modelJson.weightsManifest).toEqual([
      {
        paths: ['model.weights.bin'],
        weights: [
          { name: 'dense_0/kernel', shape: [2, 3], dtype: 'float32' },
          { name: 'dense_0/bias', shape: [3], dtype: 'float32' },
          { name: 'dense_2/kernel', shape: [3, 1], dtype: 'float32' },
        ],
      },
    ]);
    expect(weightData.byteLength).toBe((6 + 3 + 3) * 4);
  });

  it('refuses elu with an alpha other than 1 (TensorFlow.js runs alpha 1 only), and params of another model', () => {
    const model = sequential([dense(2, 2), elu(0.5)]);
    expect(() => toTfjsLayers(model, model.init(createRng(1)))).toThrow(GradstreamError);
    expect(() => toTfjsLayers(model, model.init(createRng(1)))).toThrow(/elu\(alpha\): expected alpha 1 .*received 0.5/);
    const m: SequentialModel = sequential([dense(3, 1)]);
    const other: Params = sequential([dense(2, 1)]).init(createRng(1));
    expect(() => toTfjsLayers(m, other)).toThrow(/toTfjsLayers\(params\)/);
  });
});

describe('toTfjsLayers of a model behind withScaler', () => {
  it('takes the scaler from the model', async () => {
    const { model, params } = caseModel(EXPORT_CASES[2]!, 'float64');
    const { x, scaler } = rawRows(8);
    const scaled = withScaler(model, scaler);
    expectSamePredictions(await runTfjs(toTfjsLayers(scaled, params), asFloat32(x)), predict(scaled, params, asFloat32(x)), model.outputs);
  });
});
