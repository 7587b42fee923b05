/**
 * The structure of the sequence layers' exports (Keras classes, weights, ONNX operators), their
 * refusals, and an import checked against gradstream itself: no runtime loaded, so `npm test` runs
 * it. The agreement with onnxruntime and TensorFlow.js is in sequenceLayers.test.ts (slow suite).
 */
import { describe, expect, it } from 'vitest';
import {
  GradstreamError,
  createRng,
  embedding,
  fromTfjsLayers,
  gru,
  lstm,
  dense,
  predict,
  sequential,
  toOnnx,
  toTfjsLayers,
} from '../../../src/index.js';
import { caseModel } from './exportCases.js';
import { SEQUENCE_CASES, sequenceRows } from './sequenceCases.js';

describe('sequence layer codecs', () => {
  it('writes the Keras layers with a Reshape before a recurrent layer on rows and a Flatten before a dense layer', () => {
    const classes = (i: number): string[] => {
      const { model, params } = caseModel(SEQUENCE_CASES[i]!, 'float64');
      return toTfjsLayers(model, params).modelJson.modelTopology.config.layers.map((l) => l.class_name);
    };
    expect(classes(0)).toEqual(['Embedding', 'Flatten', 'Dense']);
    expect(classes(1)).toEqual(['Embedding', 'LSTM', 'Dense']);
    expect(classes(5)).toEqual(['Reshape', 'LSTM', 'Flatten']);
    expect(classes(10)).toEqual(['Reshape', 'LSTM', 'Activation', 'GRU', 'Dense']);
    expect(classes(12)).toEqual(['Reshape', 'LSTM', 'Dropout', 'Flatten', 'Dense', 'Activation', 'Dense']);
    expect(classes(13)).toEqual(['Reshape', 'LSTM', 'Reshape', 'LSTM']);
  });

  it('a Keras GRU with reset_after true (Keras 2+), weights under its cell as Keras 3 names them', () => {
    const U = 3;
    const F = 2;
    const T = 4;
    const rng = createRng(12);
    const W = Array.from({ length: F * 3 * U }, () => rng.uniform(-1, 1));
    const R = Array.from({ length: U * 3 * U }, () => rng.uniform(-1, 1));
    const b = Array.from({ length: 2 * 3 * U }, () => rng.uniform(-1, 1));
    const modelJson = {
      format: 'layers-model',
      modelTopology: {
        model_config: {
          class_name: 'Sequential',
          config: {
            layers: [
              { class_name: 'InputLayer', config: { batch_shape: [null, T, F], name: 'input_layer' } },
              {
                class_name: 'GRU',
                config: {
                  name: 'gru',
                  units: U,
                  activation: 'tanh',
                  recurrent_activation: 'sigmoid',
                  reset_after: true,
                  unroll: true,
                  implementation: 2,
                },
              },
            ],
          },
        },
      },
      weightsManifest: [
        {
          paths: ['group1-shard1of1.bin'],
          weights: [
            { name: 'sequential/gru/gru_cell/kernel', shape: [F, 3 * U], dtype: 'float32' },
            { name: 'sequential/gru/gru_cell/recurrent_kernel', shape: [U, 3 * U], dtype: 'float32' },
            { name: 'sequential/gru/gru_cell/bias', shape: [2, 3 * U], dtype: 'float32' },
          ],
        },
      ],
    };
    const { model, params } = fromTfjsLayers(modelJson, new Float32Array([...W, ...R, ...b]));
    const ref = sequential([gru(U, { timesteps: T, features: F })]);
    const refParams = ref.init(createRng(1));
    refParams.data.set(Float32Array.from([...W, ...R, ...b]));
    const x = sequenceRows(SEQUENCE_CASES[4]!, T * F, 5);
    expect(model.toConfig()).toEqual(ref.toConfig());
    expect(Array.from(predict(model, params, x))).toEqual(Array.from(predict(ref, refParams, x)));
  });

  it('names the Keras weights as TensorFlow.js does, in Keras layout', () => {
    const { model, params } = caseModel(SEQUENCE_CASES[2]!, 'float64');
    const { modelJson, weightData } = toTfjsLayers(model, params, { weightsPath: 'w.bin' });
    expect(modelJson.weightsManifest[0]!.weights).toEqual([
      { name: 'embedding_0/embeddings', shape: [11, 4], dtype: 'float32' },
      { name: 'gru_1/kernel', shape: [4, 18], dtype: 'float32' },
      { name: 'gru_1/recurrent_kernel', shape: [6, 18], dtype: 'float32' },
      { name: 'gru_1/bias', shape: [18], dtype: 'float32' },
      { name: 'dense_2/kernel', shape: [6, 2], dtype: 'float32' },
      { name: 'dense_2/bias', shape: [2], dtype: 'float32' },
    ]);
    expect(modelJson.modelTopology.config.layers[1]!.config).toMatchObject({
      units: 6,
      activation: 'tanh',
      recurrent_activation: 'sigmoid',
      reset_after: false,
      return_sequences: false,
    });
    expect(new Float32Array(weightData).subarray(0, 44)).toEqual(Float32Array.from(params.tensors[0]!));
  });

  it('exports to ONNX operators Cast and Gather, LSTM and GRU (linear_before_reset for resetAfter)', () => {
    const text = (i: number): string => {
      const { model, params } = caseModel(SEQUENCE_CASES[i]!, 'float32');
      return new TextDecoder('latin1').decode(toOnnx(model, params));
    };
    expect(text(1)).toMatch(/Cast[\s\S]*Gather[\s\S]*Reshape[\s\S]*Transpose[\s\S]*LSTM[\s\S]*hidden_size[\s\S]*Gemm/);
    expect(text(3)).toMatch(/GRU[\s\S]*linear_before_reset/);
    expect(text(5)).toMatch(/LSTM[\s\S]*Transpose[\s\S]*Reshape/);
  });

  it('refuses a gru with resetAfter (TensorFlow.js runs reset_after false only) for TensorFlow.js', () => {
    const model = sequential([embedding(5, 2, { inputLength: 3 }), gru(2, { timesteps: 3, features: 2 }), dense(2, 1)]);
    const run = (): unknown => toTfjsLayers(model, model.init(createRng(1)));
    expect(run).toThrow(GradstreamError);
    expect(run).toThrow(
      'toTfjsLayers: gru(resetAfter): expected resetAfter false (TensorFlow.js runs GRU with reset_after false only; export to ONNX instead), received true',
    );
    expect(() => toOnnx(model, model.init(createRng(1)))).not.toThrow();
  });

  it('imports an LSTM exported by itself with the same weights', () => {
    const model = sequential([embedding(7, 3, { inputLength: 4 }), lstm(2, { timesteps: 4, features: 3, unitForgetBias: false })]);
    const params = model.init(createRng(2));
    const { modelJson, weightData } = toTfjsLayers(model, params);
    const back = fromTfjsLayers(JSON.parse(JSON.stringify(modelJson)), weightData);
    expect(back.model.toConfig()).toEqual(model.toConfig());
    expect(Array.from(back.params.data)).toEqual(Array.from(Float32Array.from(params.data)));
  });

  it('refuses by field the Keras options gradstream lacks', () => {
    const model = sequential([
      embedding(9, 4, { inputLength: 6 }),
      lstm(5, { timesteps: 6, features: 4, returnSequences: true }),
      gru(3, { timesteps: 6, features: 5, resetAfter: false }),
    ]);
    const { modelJson, weightData } = toTfjsLayers(model, model.init(createRng(3)));
    const json = JSON.parse(JSON.stringify(modelJson)) as { modelTopology: { config: { layers: { config: Record<string, unknown> }[] } } };
    const layers = json.modelTopology.config.layers;
    expect(fromTfjsLayers(json, weightData).model.toConfig()).toEqual(model.toConfig());
    const refused = (i: number, key: string, value: unknown, message: string): void => {
      const before = layers[i]!.config[key];
      layers[i]!.config[key] = value;
      expect(() => fromTfjsLayers(json, weightData)).toThrow(GradstreamError);
      expect(() => fromTfjsLayers(json, weightData)).toThrow(message);
      layers[i]!.config[key] = before;
    };
    const at = 'modelTopology.config.layers';
    refused(0, 'mask_zero', true, `${at}[0].config.mask_zero: expected false (gradstream has no masks), received true`);
    refused(1, 'go_backwards', true, `${at}[1].config.go_backwards: expected false (gradstream reads sequences forwards), received true`);
    refused(1, 'stateful', true, `${at}[1].config.stateful: expected false (gradstream starts each sequence from zeros), received true`);
    refused(1, 'time_major', true, `${at}[1].config.time_major: expected false (samples of [timesteps, features]), received true`);
    refused(1, 'dropout', 0.2, `${at}[1].config.dropout: expected 0 (gradstream's recurrent layers have no dropout), received 0.2`);
    refused(1, 'units', 0, `${at}[1].config.units: expected an integer ≥ 1, received 0`);
    refused(1, 'return_sequences', 'yes', `${at}[1].config.return_sequences: expected true or false, received "yes"`);
    refused(1, 'unit_forget_bias', 1, `${at}[1].config.unit_forget_bias: expected true or false, received 1`);
    refused(
      2,
      'activation',
      'relu',
      `${at}[2].config.activation: expected "tanh" (gradstream's recurrent layers use tanh), received "relu"`,
    );
    refused(2, 'reset_after', 'no', `${at}[2].config.reset_after: expected true or false, received "no"`);
    refused(2, 'use_bias', false, `${at}[2].config.use_bias: expected true (gradstream's recurrent layers have a bias), received false`);
    refused(0, 'input_dim', 2.5, `${at}[0].config.input_dim: expected an integer ≥ 1, received 2.5`);
    refused(0, 'batch_input_shape', [null, 6, 1], `${at}[0]: expected rows of ids ([null, ids] before the Embedding), received [6, 1]`);
    refused(
      0,
      'batch_input_shape',
      [null, null],
      `${at}[0].config.batch_input_shape: expected [null, features] or [null, timesteps, features] (known sizes)`,
    );
  });
});
