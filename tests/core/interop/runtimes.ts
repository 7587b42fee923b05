/**
 * Test helper: runs exported models in the two runtimes the exports are checked against —
 * onnxruntime-node and TensorFlow.js (`tf.loadLayersModel` from memory) — and saves a TensorFlow.js
 * model in memory, as `model.save` writes it, for imports.
 */
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import type { TfjsLayersModel } from '../../../src/index.js';

/** The outputs of an ONNX model (input `input`, output `output`) on rows `x`. */
export async function runOnnx(bytes: Uint8Array, x: readonly (readonly number[])[]): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(bytes);
  const input = new ort.Tensor('float32', Float32Array.from(x.flat()), [x.length, x[0]!.length]);
  const out = await session.run({ input });
  return out.output!.data as Float32Array;
}

/** Loads an export with `tf.loadLayersModel` from memory and predicts `x`. */
export async function runTfjs({ modelJson, weightData }: TfjsLayersModel, x: readonly (readonly number[])[]): Promise<Float32Array> {
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

/** What `model.save` writes, kept in memory: a `model.json` object and its weights. */
export async function saved(model: tf.LayersModel): Promise<{ modelJson: Record<string, unknown>; weightData: ArrayBuffer }> {
  let artifacts: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      artifacts = a;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  const a = artifacts!;
  const modelJson = {
    format: a.format,
    generatedBy: a.generatedBy,
    convertedBy: a.convertedBy,
    modelTopology: a.modelTopology,
    weightsManifest: [{ paths: ['weights.bin'], weights: a.weightSpecs }],
  };
  return { modelJson: JSON.parse(JSON.stringify(modelJson)) as Record<string, unknown>, weightData: a.weightData as ArrayBuffer };
}
