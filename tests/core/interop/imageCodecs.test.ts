import { describe, expect, it } from 'vitest';
import {
  GradstreamError,
  conv2d,
  createRng,
  dense,
  flatten,
  fromTfjsLayers,
  globalAvgPool2d,
  maxPool2d,
  predict,
  relu,
  sequential,
  standardize,
  toOnnx,
  toTfjsLayers,
} from '../../../src/index.js';
import { IMAGE_CASES, imageModel } from './imageCases.js';

/** A hand-written model.json of `layers` (Keras JSON) with the weights `specs` lists. */
function modelJson(layers: unknown[], specs: { name: string; shape: number[] }[] = []): Record<string, unknown> {
  return {
    format: 'layers-model',
    modelTopology: { class_name: 'Sequential', config: { name: 's', layers } },
    weightsManifest: [{ paths: ['w.bin'], weights: specs.map((s) => ({ ...s, dtype: 'float32' })) }],
  };
}

/** The operator types of an ONNX model's nodes, in order (each node's field 4, a short string). */
function opTypes(bytes: Uint8Array): string[] {
  const text = new TextDecoder('latin1').decode(bytes);
  const out: string[] = [];
  for (const m of text.matchAll(/\x22([\x01-\x20])([A-Z][A-Za-z]+)/g)) if (m[1]!.charCodeAt(0) === m[2]!.length) out.push(m[2]!);
  return out;
}

/** Zero weights for `specs`. */
function zeros(specs: { shape: number[] }[]): Float32Array {
  return new Float32Array(specs.reduce((n, s) => n + s.shape.reduce((a, b) => a * b, 1), 0));
}

const conv = (config: Record<string, unknown>): unknown => ({
  class_name: 'Conv2D',
  config: { name: 'c', filters: 2, kernel_size: [3, 3], batch_input_shape: [null, 4, 4, 1], ...config },
});
const convWeights = [
  { name: 'c/kernel', shape: [3, 3, 1, 2] },
  { name: 'c/bias', shape: [2] },
];

describe('image layer codecs', () => {
  it('exports a CNN over rows as a Keras Sequential: a Reshape in front, a Flatten before Dense', () => {
    const model = sequential([
      conv2d({ inputShape: [6, 6, 1], filters: 2, kernelSize: 3, padding: 'same' }),
      relu(),
      maxPool2d(),
      dense(18, 2),
    ]);
    const { modelJson: json, weightData } = toTfjsLayers(model, model.init(createRng(1)));
    const layers = json.modelTopology.config.layers;
    expect(layers.map((l) => l.class_name)).toEqual(['Reshape', 'Conv2D', 'Activation', 'MaxPooling2D', 'Flatten', 'Dense']);
    expect(layers[0]!.config).toMatchObject({ target_shape: [6, 6, 1], batch_input_shape: [null, 36] });
    expect(layers[1]!.config).toMatchObject({
      filters: 2,
      kernel_size: [3, 3],
      strides: [1, 1],
      padding: 'same',
      data_format: 'channels_last',
      dilation_rate: [1, 1],
      use_bias: true,
    });
    expect(layers[3]!.config).toMatchObject({ pool_size: [2, 2], strides: [2, 2], padding: 'valid' });
    expect(json.weightsManifest[0]!.weights.map((w) => [w.name, w.shape])).toEqual([
      ['conv2d_1/kernel', [3, 3, 1, 2]],
      ['conv2d_1/bias', [2]],
      ['dense_5/kernel', [18, 2]],
      ['dense_5/bias', [2]],
    ]);
    expect(weightData.byteLength).toBe((18 + 2 + 36 + 2) * 4);
    const scaled = toTfjsLayers(model, model.init(createRng(1)), { scaler: standardize().fit([Array(36).fill(0), Array(36).fill(1)]) });
    expect(scaled.modelJson.modelTopology.config.layers.map((l) => l.class_name).slice(0, 3)).toEqual(['Dense', 'Reshape', 'Conv2D']);
  });

  it('exports to ONNX with explicit pads, NCHW transposes and int64 shapes', () => {
    const model = sequential([conv2d({ inputShape: [5, 5, 1], filters: 2, kernelSize: 4, padding: 'same' }), maxPool2d()]);
    const bytes = toOnnx(model, model.init(createRng(1)));
    const text = new TextDecoder('latin1').decode(bytes);
    for (const word of ['kernel_shape', 'pads', 'perm']) expect(text).toContain(word);
    expect(opTypes(bytes)).toEqual(['Reshape', 'Transpose', 'Conv', 'MaxPool', 'Transpose', 'Flatten']);
  });

  it('keeps consecutive image layers in NCHW: no transposes between them, elementwise activations included', () => {
    const model = sequential([
      conv2d({ inputShape: [6, 6, 1], filters: 2, kernelSize: 3, padding: 'same' }),
      relu(),
      maxPool2d(),
      conv2d({ filters: 3, kernelSize: 2 }),
      globalAvgPool2d(),
      dense(3, 2),
    ]);
    expect(opTypes(toOnnx(model, model.init(createRng(1))))).toEqual([
      'Reshape',
      'Transpose',
      'Conv',
      'Relu',
      'MaxPool',
      'Conv',
      'ReduceMean',
      'Gemm',
    ]);
    const flat = sequential([conv2d({ inputShape: [4, 4, 1], filters: 2, kernelSize: 3 }), relu(), flatten(), dense(8, 1)]);
    expect(opTypes(toOnnx(flat, flat.init(createRng(1))))).toEqual([
      'Reshape',
      'Transpose',
      'Conv',
      'Relu',
      'Transpose',
      'Flatten',
      'Identity',
      'Gemm',
    ]);
  });

  it('imports what it exports: the same config for a model starting with reshape', () => {
    const { model, params } = imageModel(IMAGE_CASES.find((c) => c.name === 'cnn')!, 'float64');
    const { modelJson: json, weightData } = toTfjsLayers(model, params);
    const back = fromTfjsLayers(JSON.parse(JSON.stringify(json)), weightData);
    expect(back.model.toConfig()).toEqual(model.toConfig());
    expect(Array.from(back.params.data)).toEqual(Array.from(Float32Array.from(params.data)));
  });

  it('refuses what gradstream does not compute, naming the layer and field', () => {
    const refuse = (layer: Record<string, unknown>, message: RegExp | string): void => {
      const run = (): unknown => fromTfjsLayers(modelJson([conv(layer)], convWeights), zeros(convWeights));
      expect(run).toThrow(GradstreamError);
      expect(run).toThrow(message);
    };
    refuse({ dilation_rate: [2, 2] }, 'layers[0].config.dilation_rate: expected 1 (gradstream has no dilated convolution), received [2,2]');
    refuse({ groups: 2 }, 'layers[0].config.groups: expected 1 (gradstream has no grouped convolution), received 2');
    refuse(
      { data_format: 'channels_first' },
      `layers[0].config.data_format: expected 'channels_last' (gradstream samples are NHWC), received "channels_first"`,
    );
    refuse({ padding: 'causal' }, /layers\[0\]\.config\.padding: expected 'valid' or 'same', received "causal"/);
    refuse({ activation: 'gelu' }, /layers\[0\]\.config\.activation: expected a supported activation/);
  });

  it('refuses layers on samples of the wrong shape: Dense without Flatten, Conv2D on rows, keepdims', () => {
    const dense = { class_name: 'Dense', config: { name: 'd', units: 1 } };
    expect(() => fromTfjsLayers(modelJson([conv({}), dense], convWeights), zeros(convWeights))).toThrow(
      'layers[1]: expected rows of features for Dense "d" (a Flatten before it), received samples of shape [2, 2, 2]',
    );
    const rows = { class_name: 'Dense', config: { name: 'd', units: 16, batch_input_shape: [null, 3] } };
    const dw = [
      { name: 'd/kernel', shape: [3, 16] },
      { name: 'd/bias', shape: [16] },
    ];
    expect(() => fromTfjsLayers(modelJson([rows, conv({ batch_input_shape: undefined })], dw), zeros(dw))).toThrow(
      'layers[1]: expected samples of shape [height, width, channels] for Conv2D (a Reshape before it), received [16]',
    );
    const gap = { class_name: 'GlobalAveragePooling2D', config: { name: 'g', keepdims: true } };
    expect(() => fromTfjsLayers(modelJson([conv({}), gap], convWeights), zeros(convWeights))).toThrow(
      'layers[1].config.keepdims: expected false (gradstream gives [channels]), received true',
    );
    const bad = { class_name: 'Reshape', config: { name: 'r', target_shape: [3, -1] } };
    expect(() => fromTfjsLayers(modelJson([rows, bad], dw), zeros(dw))).toThrow(
      /layers\[1\]\.config\.target_shape: expected a shape of 16 numbers \(the layer's input\), at most one -1/,
    );
  });

  it('reads a Keras 3 image model converted by tensorflowjs_converter: 4-D batch_shape, nested weight names', () => {
    const json = {
      format: 'layers-model',
      modelTopology: {
        model_config: {
          class_name: 'Sequential',
          config: {
            name: 'sequential',
            layers: [
              { class_name: 'InputLayer', config: { batch_shape: [null, 3, 3, 1], name: 'input' } },
              {
                class_name: 'Conv2D',
                config: {
                  name: 'conv',
                  filters: 1,
                  kernel_size: [2, 2],
                  strides: [1, 1],
                  padding: 'valid',
                  data_format: 'channels_last',
                  dilation_rate: [1, 1],
                  groups: 1,
                  activation: 'relu',
                  use_bias: true,
                },
              },
              {
                class_name: 'MaxPooling2D',
                config: { name: 'pool', pool_size: [2, 2], strides: [1, 1], padding: 'valid', data_format: 'channels_last' },
              },
              { class_name: 'Flatten', config: { name: 'flat', data_format: 'channels_last' } },
            ],
          },
        },
      },
      weightsManifest: [
        {
          paths: ['group1-shard1of1.bin'],
          weights: [
            { name: 'sequential/conv/kernel', shape: [2, 2, 1, 1], dtype: 'float32' },
            { name: 'sequential/conv/bias', shape: [1], dtype: 'float32' },
          ],
        },
      ],
    };
    const { model, params } = fromTfjsLayers(json, new Float32Array([1, 1, 1, -1, -4]));
    expect(model.layers.map((l) => l.kind)).toEqual(['conv2d', 'relu', 'maxPool2d', 'flatten']);
    expect(model.inputs).toBe(9);
    // image 1 2 3 / 4 5 6 / 7 8 9: windows a + b + c − d − 4 = 1+2+4−5−4, 2+3+5−6−4, 4+5+7−8−4, 5+6+8−9−4 = −2, 0, 4, 6 → relu → max 6
    expect(Array.from(predict(model, params, [[1, 2, 3, 4, 5, 6, 7, 8, 9]]))).toEqual([6]);
  });
});
