import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { beforeAll, describe, it } from 'vitest';
import { predict, toOnnx, toTfjsLayers, withScaler, type TfjsLayersModel } from '../../../src/index.js';
import { expectSamePredictions } from './exportCases.js';
import { IMAGE_CASES, imageModel, imageRows } from './imageCases.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

async function runOnnx(bytes: Uint8Array, x: readonly (readonly number[])[]): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(bytes);
  const input = new ort.Tensor('float32', Float32Array.from(x.flat()), [x.length, x[0]!.length]);
  const out = await session.run({ input });
  return out.output!.data as Float32Array;
}

async function runTfjs({ modelJson, weightData }: TfjsLayersModel, x: readonly (readonly number[])[]): Promise<Float32Array> {
  const loaded = await tf.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: modelJson.modelTopology as unknown as tf.io.ModelJSON['modelTopology'],
      weightSpecs: modelJson.weightsManifest[0]!.weights as tf.io.WeightsManifestEntry[],
      weightData,
    }),
  );
  const out = loaded.predict(tf.tensor2d(x.map((r) => [...r]))) as tf.Tensor;
  const values = (await out.data()) as Float32Array;
  tf.dispose([out]);
  loaded.dispose();
  return values;
}

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
