import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { modelFromCheckpoint, predict } from '../../../src/index.js';
import { readCheckpoint } from '../../../src/node.js';
import { cli, tempDir } from '../cliHarness.js';
import { expectSamePredictions } from '../../core/interop/exportCases.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** `gradstream predict CKPT FILE`'s numbers. */
async function predicted(ckpt: string, file: string): Promise<number[]> {
  const r = await cli(['predict', ckpt, file]);
  expect(r.err).toBe('');
  return r.out
    .split('\n')
    .slice(1)
    .flatMap((l) => l.split(',').map(Number));
}

describe('gradstream export and import of a CNN', () => {
  it('exports a trained CNN checkpoint to ONNX and TensorFlow.js, and imports it back: the same predictions', async () => {
    const dir = tempDir();
    // 4×4 images of raw "pixels" in 0..255; the target is the brightness of the top half
    const x = Array.from({ length: 24 }, (_, i) =>
      Array.from({ length: 16 }, (_, k) => Math.round(127.5 + 127.5 * Math.sin(i * 1.7 + k * (0.3 + i / 40)))),
    );
    const y = x.map((r) => [r.slice(0, 8).reduce((a, b) => a + b, 0) / 2040]);
    const config = {
      model: {
        layers: [
          { type: 'reshape', shape: [4, 4, 1] },
          { type: 'conv2d', filters: 3, kernelSize: 3, padding: 'same' },
          { type: 'relu' },
          { type: 'maxPool2d' },
          { type: 'conv2d', filters: 4, kernelSize: 2, strides: 2 },
          { type: 'flatten' },
          { type: 'dense', units: 1 },
        ],
      },
      loss: 'mse',
      optimizer: { type: 'adam', lr: 0.01 },
      data: { inputs: x, targets: y, scale: 'standardize' },
      training: { batchSize: 8, epochs: 5, seed: 1, mode: 'sync' },
      checkpoint: { dir: 'ck' },
    };
    writeFileSync(join(dir, 'run.json'), JSON.stringify(config));
    expect((await cli(['train', join(dir, 'run.json'), '--quiet'])).code).toBe(0);
    const want = await predicted(join(dir, 'ck'), join(dir, 'run.json'));
    expect(want).toHaveLength(24);

    const onnx = await cli(['export', join(dir, 'ck'), '--out', join(dir, 'cnn.onnx')]);
    expect(onnx.out).toBe(`wrote ${join(dir, 'cnn.onnx')} (ONNX: 16 inputs → 1 output, behind its standardize scaler)`);
    const session = await ort.InferenceSession.create(readFileSync(join(dir, 'cnn.onnx')));
    const out = await session.run({ input: new ort.Tensor('float32', Float32Array.from(x.flat()), [24, 16]) });
    expectSamePredictions(out.output!.data as Float32Array, want, 1);

    expect((await cli(['export', join(dir, 'ck'), '--out', join(dir, 'web/cnn.json')])).code).toBe(0);
    const modelJson = JSON.parse(readFileSync(join(dir, 'web/cnn.json'), 'utf8')) as {
      modelTopology: { config: { layers: { class_name: string }[] } };
      weightsManifest: { weights: tf.io.WeightsManifestEntry[] }[];
    };
    expect(modelJson.modelTopology.config.layers.map((l) => l.class_name)).toEqual([
      'Dense',
      'Reshape',
      'Conv2D',
      'Activation',
      'MaxPooling2D',
      'Conv2D',
      'Flatten',
      'Dense',
    ]);
    const bytes = readFileSync(join(dir, 'web/cnn.weights.bin'));
    const loaded = await tf.loadLayersModel(
      tf.io.fromMemory({
        modelTopology: modelJson.modelTopology as unknown as tf.io.ModelJSON['modelTopology'],
        weightSpecs: modelJson.weightsManifest[0]!.weights,
        weightData: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength),
      }),
    );
    expectSamePredictions((await (loaded.predict(tf.tensor2d(x)) as tf.Tensor).data()) as Float32Array, want, 1);

    const imported = await cli(['import', join(dir, 'web/cnn.json'), '--out', join(dir, 'imported.json')]);
    expect(imported).toMatchObject({ code: 0, err: '' });
    const back = modelFromCheckpoint(await readCheckpoint(join(dir, 'imported.json')));
    expect(back.model.layers.map((l) => l.kind)).toEqual(['dense', 'reshape', 'conv2d', 'relu', 'maxPool2d', 'conv2d', 'flatten', 'dense']);
    expectSamePredictions(predict(back.model, back.params, x), want, 1);
  });
});
