/**
 * Export and import of the sequence layers (embedding, lstm, gru): exports run in onnxruntime-node
 * and in TensorFlow.js (`tf.loadLayersModel` from memory) as `predict` does; TensorFlow.js models
 * import with the same predictions and train on. Loads both runtimes: in the slow suite.
 */
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
  gru,
  lstm,
  loss,
  mse,
  predict,
  sequential,
  toOnnx,
  toTfjsLayers,
  train,
  update,
  withScaler,
} from '../../../src/index.js';
import { LAYER_CODECS } from '../../../src/core/interop/layerCodecs.js';
import { caseModel, expectSamePredictions, rawRows } from './exportCases.js';
import { SEQUENCE_CASES, sequenceRows } from './sequenceCases.js';
import { runOnnx, runTfjs, saved } from './runtimes.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const measured: Record<string, number> = {};

describe('export of the sequence layers', () => {
  for (const c of SEQUENCE_CASES) {
    for (const precision of c.precisions) {
      it(`${c.name} (${precision}): onnxruntime and TensorFlow.js predict as predict does`, async () => {
        const { model, params } = caseModel(c, precision);
        const x = sequenceRows(c, model.inputs, 16);
        const want = predict(model, params, x);
        measured[`${c.name} (${precision}) onnx`] = expectSamePredictions(await runOnnx(toOnnx(model, params), x), want, model.outputs);
        if (!c.tfjs) {
          expect(() => toTfjsLayers(model, params)).toThrow(GradstreamError);
          expect(() => toTfjsLayers(model, params)).toThrow(/gru\(resetAfter\): expected resetAfter false .*received true/);
          return;
        }
        const exported = toTfjsLayers(model, params);
        measured[`${c.name} (${precision}) tfjs`] = expectSamePredictions(await runTfjs(exported, x), want, model.outputs);
        const classes = exported.modelJson.modelTopology.config.layers.map((l) => l.class_name);
        if (classes.every((k) => LAYER_CODECS.some((codec) => codec.tfjsClasses.includes(k)))) {
          const back = fromTfjsLayers(JSON.parse(JSON.stringify(exported.modelJson)), exported.weightData, { precision });
          expectSamePredictions(predict(back.model, back.params, x), want, model.outputs);
        }
      });
    }
  }
});

describe('export of a recurrent model behind its scaler', () => {
  it('takes raw features in both formats, as predict does', async () => {
    const model = sequential([lstm(4, { timesteps: 3 }), gru(2, { timesteps: 1, features: 4, resetAfter: false })]);
    const params = model.init(createRng(8));
    const { x: raw, scaler } = rawRows(16);
    const x = raw.map((row) => Array.from(Float32Array.from(row)));
    const want = predict(withScaler(model, scaler), params, x);
    measured['lstm → gru behind a scaler onnx'] = expectSamePredictions(await runOnnx(toOnnx(model, params, { scaler }), x), want, 2);
    const exported = toTfjsLayers(model, params, { scaler });
    expect(exported.modelJson.modelTopology.config.layers.map((l) => l.class_name)).toEqual(['Dense', 'Reshape', 'LSTM', 'Reshape', 'GRU']);
    measured['lstm → gru behind a scaler tfjs'] = expectSamePredictions(await runTfjs(exported, x), want, 2);
  });
});

describe('import of the sequence layers', () => {
  it('a TensorFlow.js Embedding → LSTM → Dropout → GRU → Dense model: the same predictions, and training continues', async () => {
    const m = tf.sequential();
    m.add(tf.layers.embedding({ inputDim: 9, outputDim: 4, inputShape: [6] }));
    m.add(tf.layers.lstm({ units: 5, returnSequences: true, recurrentActivation: 'sigmoid' }));
    m.add(tf.layers.dropout({ rate: 0.1 }));
    m.add(tf.layers.gru({ units: 3, recurrentActivation: 'sigmoid' }));
    m.add(tf.layers.dense({ units: 1 }));
    const rng = createRng(4);
    const x = Array.from({ length: 12 }, () => Array.from({ length: 6 }, () => rng.int(9)));
    const want = (await (m.predict(tf.tensor2d(x)) as tf.Tensor).data()) as Float32Array;
    const { modelJson, weightData } = await saved(m);
    const { model, params } = fromTfjsLayers(modelJson, weightData);
    expect(model.toConfig().layers).toEqual([
      { type: 'embedding', inputDim: 9, outputDim: 4, inputLength: 6 },
      { type: 'lstm', units: 5, timesteps: 6, features: 4, returnSequences: true },
      { type: 'dropout', rate: 0.1 },
      { type: 'gru', units: 3, timesteps: 6, features: 5, resetAfter: false },
      { type: 'dense', inputs: 3, units: 1 },
    ]);
    measured['import embedding → lstm → dropout → gru → dense'] = expectSamePredictions(predict(model, params, x), want, 1);
    const y = x.map((row) => [row.filter((id) => id > 4).length / 6]);
    const l = mse();
    const losses: number[] = [];
    await lastValueFrom(
      train({
        params,
        data: fromArrays(x, y, { batchSize: 12, epochs: 60 }),
        pipeline: pipe(forward(model), loss(l), gradient(model, l), update(adam({ lr: 0.02 }))),
        scheduler: 'sync',
        rng: createRng(1),
      }).pipe(tap((r) => losses.push(r.loss))),
    );
    expect(losses[losses.length - 1]!).toBeLessThan(losses[0]! / 4);
  });

  it('an LSTM first (batch_input_shape [null, T, F]) takes rows of T·F numbers', async () => {
    const m = tf.sequential();
    m.add(tf.layers.lstm({ units: 4, inputShape: [5, 3], recurrentActivation: 'sigmoid', returnSequences: true }));
    m.add(tf.layers.flatten());
    const x = sequenceRows(SEQUENCE_CASES[4]!, 15, 8);
    const want = (await (m.predict(tf.tensor3d(x.flat(), [8, 5, 3])) as tf.Tensor).data()) as Float32Array;
    const { modelJson, weightData } = await saved(m);
    const layers = (modelJson.modelTopology as { config: { layers: unknown[] } }).config.layers;
    const { model, params } = fromTfjsLayers(
      { ...modelJson, modelTopology: { class_name: 'Sequential', config: { layers: layers.slice(0, 1) } } },
      weightData,
    );
    expect(model.inputs).toBe(15);
    expectSamePredictions(predict(model, params, x), want, 20);
  });

  it('refuses options gradstream lacks by layer and field', async () => {
    const m = tf.sequential();
    m.add(tf.layers.embedding({ inputDim: 9, outputDim: 4, inputShape: [6] }));
    m.add(tf.layers.lstm({ units: 5, recurrentActivation: 'sigmoid', returnSequences: true }));
    m.add(tf.layers.gru({ units: 3, recurrentActivation: 'sigmoid', returnSequences: true }));
    m.add(tf.layers.dense({ units: 1 }));
    const { modelJson, weightData } = await saved(m);
    const layers = (modelJson.modelTopology as { config: { layers: { config: Record<string, unknown> }[] } }).config.layers;
    const refused = (i: number, key: string, value: unknown, message: RegExp): void => {
      const before = layers[i]!.config[key];
      layers[i]!.config[key] = value;
      expect(() => fromTfjsLayers(modelJson, weightData)).toThrow(GradstreamError);
      expect(() => fromTfjsLayers(modelJson, weightData)).toThrow(message);
      layers[i]!.config[key] = before;
    };
    refused(0, 'mask_zero', true, /layers\[0\]\.config\.mask_zero: expected false \(gradstream has no masks\), received true/);
    refused(1, 'go_backwards', true, /layers\[1\]\.config\.go_backwards: expected false/);
    refused(1, 'stateful', true, /layers\[1\]\.config\.stateful: expected false/);
    refused(1, 'return_state', true, /layers\[1\]\.config\.return_state: expected false/);
    refused(1, 'activation', 'relu', /layers\[1\]\.config\.activation: expected "tanh".*received "relu"/);
    refused(
      2,
      'recurrent_activation',
      'hard_sigmoid',
      /layers\[2\]\.config\.recurrent_activation: expected "sigmoid".*received "hard_sigmoid"/,
    );
    refused(2, 'use_bias', false, /layers\[2\]\.config\.use_bias: expected true/);
    refused(2, 'recurrent_dropout', 0.1, /layers\[2\]\.config\.recurrent_dropout: expected 0/);
    expect(() => fromTfjsLayers(modelJson, weightData)).toThrow(
      /layers\[3\]: expected a Flatten layer before Dense \(it acts on the last axis of a \[6, 3\] sample.*received Dense on samples of shape \[6, 3\]/,
    );
    const flat = tf.sequential();
    flat.add(tf.layers.dense({ units: 6, inputShape: [4] }));
    flat.add(tf.layers.reshape({ targetShape: [3, 2] }));
    const s = await saved(flat);
    const l0 = (s.modelJson.modelTopology as { config: { layers: { class_name: string }[] } }).config.layers;
    l0[1]!.class_name = 'LSTM';
    expect(() => fromTfjsLayers(s.modelJson, s.weightData)).toThrow(
      /layers\[1\]: expected samples of \[timesteps, features\].*received \[6\]/,
    );
  });
});

describe('sequence layers: measured agreement', () => {
  it('reports the largest error relative to the batch largest output', () => {
    console.log(
      Object.entries(measured)
        .map(([n, d]) => `${n}: ${d.toExponential(2)}`)
        .join('\n'),
    );
    expect(Object.keys(measured).length).toBeGreaterThan(20);
  });
});
