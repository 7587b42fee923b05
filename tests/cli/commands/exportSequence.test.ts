import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { modelFromCheckpoint, predict } from '../../../src/index.js';
import { readCheckpoint } from '../../../src/node.js';
import { cli, tempDir } from '../cliHarness.js';
import { expectSamePredictions } from '../../core/interop/exportCases.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Windows of 6 steps of a series, and the next value. */
function windows(): { x: number[][]; y: number[][] } {
  const s = Array.from({ length: 40 }, (_, i) => Number(Math.sin(i * 0.4).toFixed(4)));
  const x: number[][] = [];
  const y: number[][] = [];
  for (let i = 0; i + 6 < s.length; i++) {
    x.push(s.slice(i, i + 6));
    y.push([s[i + 6]!]);
  }
  return { x, y };
}

/** Trains `layers` on the windows from the command line; returns the run's folder and `gradstream predict`'s outputs. */
async function trainedRun(layers: unknown[]): Promise<{ dir: string; x: number[][]; want: number[] }> {
  const dir = tempDir();
  const { x, y } = windows();
  const config = {
    model: { layers },
    loss: 'mse',
    optimizer: { type: 'adam', lr: 0.01 },
    data: { inputs: x, targets: y },
    training: { batchSize: 8, epochs: 3, seed: 2, mode: 'sync' },
    checkpoint: { dir: 'ck' },
  };
  writeFileSync(join(dir, 'run.json'), JSON.stringify(config));
  const t = await cli(['train', join(dir, 'run.json'), '--quiet']);
  if (t.code !== 0) throw new Error(t.err);
  const p = await cli(['predict', join(dir, 'ck'), join(dir, 'run.json')]);
  expect(p.code).toBe(0);
  return { dir, x, want: p.out.split('\n').slice(1).map(Number) };
}

describe('gradstream export and import of recurrent models', () => {
  it('exports a GRU checkpoint to ONNX as "gradstream predict" runs it; TensorFlow.js needs resetAfter false', async () => {
    const { dir, x, want } = await trainedRun([
      { type: 'gru', units: 5, timesteps: 6 },
      { type: 'dense', units: 1 },
    ]);
    const r = await cli(['export', join(dir, 'ck'), '--out', join(dir, 'gru.onnx')]);
    expect(r).toMatchObject({ code: 0, out: `wrote ${join(dir, 'gru.onnx')} (ONNX: 6 inputs → 1 output)` });
    const session = await ort.InferenceSession.create(readFileSync(join(dir, 'gru.onnx')));
    const out = await session.run({ input: new ort.Tensor('float32', Float32Array.from(x.flat()), [x.length, 6]) });
    expectSamePredictions(out.output!.data as Float32Array, want, 1);
    const refused = await cli(['export', join(dir, 'ck'), '--out', join(dir, 'gru.json')]);
    expect(refused.code).toBe(2);
    expect(refused.err).toMatch(
      /gru\(resetAfter\): expected resetAfter false \(TensorFlow\.js runs GRU with reset_after false only; export to ONNX instead\), received true/,
    );
  });

  it('exports an LSTM → GRU checkpoint to TensorFlow.js, which predicts as "gradstream predict" does', async () => {
    const { dir, x, want } = await trainedRun([
      { type: 'lstm', units: 4, timesteps: 6, returnSequences: true },
      { type: 'gru', units: 3, timesteps: 6, features: 4, resetAfter: false },
      { type: 'dense', units: 1 },
    ]);
    const r = await cli(['export', join(dir, 'ck'), '--out', join(dir, 'web/model.json')]);
    expect(r.code).toBe(0);
    const modelJson = JSON.parse(readFileSync(join(dir, 'web/model.json'), 'utf8')) as {
      modelTopology: tf.io.ModelJSON['modelTopology'];
      weightsManifest: { weights: tf.io.WeightsManifestEntry[] }[];
    };
    const bytes = readFileSync(join(dir, 'web/model.weights.bin'));
    const weightData = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
    const model = await tf.loadLayersModel(
      tf.io.fromMemory({ modelTopology: modelJson.modelTopology, weightSpecs: modelJson.weightsManifest[0]!.weights, weightData }),
    );
    expectSamePredictions((await (model.predict(tf.tensor2d(x)) as tf.Tensor).data()) as Float32Array, want, 1);
  });

  it('imports a TensorFlow.js Embedding → LSTM model', async () => {
    const dir = tempDir();
    const m = tf.sequential();
    m.add(tf.layers.embedding({ inputDim: 8, outputDim: 3, inputShape: [4] }));
    m.add(tf.layers.lstm({ units: 2, recurrentActivation: 'sigmoid' }));
    mkdirSync(join(dir, 'tfjs'));
    await m.save(
      tf.io.withSaveHandler(async (a) => {
        const json = {
          format: a.format,
          modelTopology: a.modelTopology,
          weightsManifest: [{ paths: ['weights.bin'], weights: a.weightSpecs }],
        };
        writeFileSync(join(dir, 'tfjs/model.json'), JSON.stringify(json));
        writeFileSync(join(dir, 'tfjs/weights.bin'), new Uint8Array(a.weightData as ArrayBuffer));
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    );
    const r = await cli(['import', join(dir, 'tfjs/model.json'), '--out', join(dir, 'ck')]);
    expect(r).toMatchObject({ code: 0, err: '' });
    expect(r.out).toBe(`wrote ${join(dir, 'ck/last.json')} (embedding(4→12) → lstm(12→2); 72 parameters)`);
    const x = [
      [0, 1, 2, 3],
      [7, 7, 0, 5],
    ];
    const { model, params } = modelFromCheckpoint(await readCheckpoint(join(dir, 'ck')));
    const got = predict(model, params, x);
    expectSamePredictions(got, (await (m.predict(tf.tensor2d(x)) as tf.Tensor).data()) as Float32Array, 2);
  });
});
