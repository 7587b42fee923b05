import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cli, tempDir } from '../cliHarness.js';
import { expectSamePredictions } from '../../core/interop/exportCases.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** A regression run on raw features of very different scales, standardized, with batchNorm and dropout. */
async function trainedRun(): Promise<{ dir: string; ckpt: string; rows: number[][] }> {
  const dir = tempDir();
  const rows: number[][] = [];
  for (let i = 0; i < 60; i++) {
    const x1 = Number((150 + 100 * Math.sin(i * 1.3)).toFixed(2));
    const x2 = Number(Math.cos(i * 0.7).toFixed(3));
    const x3 = Number((5 * Math.sin(i * 0.37)).toFixed(3));
    rows.push([x1, x2, x3, Number((0.01 * x1 - 2 * x2 + 0.3 * x3 + 0.1 * Math.sin(i)).toFixed(4))]);
  }
  writeFileSync(join(dir, 'train.csv'), `size,shape,slope,price\n${rows.map((r) => r.join(',')).join('\n')}\n`);
  writeFileSync(
    join(dir, 'new.csv'),
    `size,shape,slope\n${rows
      .slice(0, 10)
      .map((r) => r.slice(0, 3).join(','))
      .join('\n')}\n`,
  );
  const config = {
    model: {
      layers: [
        { type: 'dense', inputs: 3, units: 8 },
        { type: 'batchNorm' },
        { type: 'tanh' },
        { type: 'dropout', rate: 0.1 },
        { type: 'dense', units: 1 },
      ],
    },
    loss: 'mse',
    optimizer: { type: 'adam', lr: 0.02 },
    data: { csv: 'train.csv', features: ['size', 'shape', 'slope'], targets: ['price'], scale: 'standardize' },
    training: { batchSize: 16, epochs: 20, seed: 3, mode: 'sync' },
    checkpoint: { dir: 'ck' },
  };
  writeFileSync(join(dir, 'run.json'), JSON.stringify(config));
  const r = await cli(['train', join(dir, 'run.json'), '--quiet']);
  if (r.code !== 0) throw new Error(r.err);
  return { dir, ckpt: join(dir, 'ck'), rows: rows.slice(0, 10).map((r) => r.slice(0, 3)) };
}

/** `gradstream predict`'s outputs for new.csv. */
async function predicted(ckpt: string, dir: string): Promise<number[]> {
  const r = await cli(['predict', ckpt, join(dir, 'new.csv')]);
  expect(r.code).toBe(0);
  return r.out.split('\n').slice(1).map(Number);
}

describe('gradstream export', () => {
  it('writes an ONNX model that onnxruntime runs on raw features as "gradstream predict" does', async () => {
    const { dir, ckpt, rows } = await trainedRun();
    const r = await cli(['export', ckpt, '--format', 'onnx', '--out', join(dir, 'out/model.onnx')]);
    expect(r).toMatchObject({ code: 0, err: '' });
    expect(r.out).toBe(`wrote ${join(dir, 'out/model.onnx')} (ONNX: 3 inputs → 1 output, behind its standardize scaler)`);
    const session = await ort.InferenceSession.create(readFileSync(join(dir, 'out/model.onnx')));
    const out = await session.run({ input: new ort.Tensor('float32', Float32Array.from(rows.flat()), [rows.length, 3]) });
    expectSamePredictions(out.output!.data as Float32Array, await predicted(ckpt, dir), 1);
  });

  it('writes model.json and its weights for TensorFlow.js (a .json path or a folder)', async () => {
    const { dir, ckpt, rows } = await trainedRun();
    const want = await predicted(ckpt, dir);
    for (const [out, json, bin] of [
      [join(dir, 'web/m.json'), 'web/m.json', 'web/m.weights.bin'],
      [join(dir, 'web2'), 'web2/model.json', 'web2/model.weights.bin'],
    ] as const) {
      const r = await cli(['export', ckpt, '--format', 'tfjs', '--out', out]);
      expect(r.out).toBe(
        `wrote ${join(dir, json)} and ${join(dir, bin)} (TensorFlow.js Layers: 3 inputs → 1 output, behind its standardize scaler)`,
      );
      const modelJson = JSON.parse(readFileSync(join(dir, json), 'utf8')) as {
        modelTopology: object;
        weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
      };
      expect(modelJson.weightsManifest[0]!.paths).toEqual([bin.split('/')[1]]);
      const bytes = readFileSync(join(dir, bin));
      const model = await tf.loadLayersModel(
        tf.io.fromMemory({
          modelTopology: modelJson.modelTopology,
          weightSpecs: modelJson.weightsManifest[0]!.weights,
          weightData: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength),
        }),
      );
      const y = (await (model.predict(tf.tensor2d(rows)) as tf.Tensor).data()) as Float32Array;
      expectSamePredictions(y, want, 1);
    }
    // the format follows the extension when not given
    expect((await cli(['export', ckpt, '--out', join(dir, 'x.onnx')])).code).toBe(0);
  });

  it('exports a float32 run (inline data, min-max scaled) as predict runs it', async () => {
    const dir = tempDir();
    const x = [
      [10, 0.1],
      [20, 0.4],
      [30, 0.2],
      [40, 0.9],
      [50, 0.5],
    ];
    const config = {
      model: { layers: [{ type: 'dense', inputs: 2, units: 4 }, { type: 'elu' }, { type: 'dense', units: 2 }], precision: 'float32' },
      loss: 'mse',
      optimizer: { type: 'sgd', lr: 0.05 },
      data: { inputs: x, targets: x.map(([a, b]) => [a! / 50, b! * 2]), scale: 'minMax' },
      training: { batchSize: 5, epochs: 20, mode: 'sync' },
      checkpoint: { dir: 'ck' },
    };
    writeFileSync(join(dir, 'run.json'), JSON.stringify(config));
    expect((await cli(['train', join(dir, 'run.json'), '--quiet'])).code).toBe(0);
    expect((await cli(['export', join(dir, 'ck'), '--out', join(dir, 'm.onnx')])).out).toMatch(/behind its minMax scaler\)$/);
    const p = await cli(['predict', join(dir, 'ck'), join(dir, 'run.json')]);
    const want = p.out
      .split('\n')
      .slice(1)
      .flatMap((l) => l.split(',').map(Number));
    const session = await ort.InferenceSession.create(readFileSync(join(dir, 'm.onnx')));
    const out = await session.run({ input: new ort.Tensor('float32', Float32Array.from(x.flat()), [5, 2]) });
    expectSamePredictions(out.output!.data as Float32Array, want, 2);
  });

  it('gives a classifier trained on logits the softmax predict applies, unless --logits', async () => {
    const dir = tempDir();
    const x = [0, 1, 2, 3, 4, 5, 6, 7, 8].map((i) => [Math.cos(i), Math.sin(2 * i), i / 8]);
    const config = {
      model: { layers: [{ type: 'dense', inputs: 3, units: 6 }, { type: 'tanh' }, { type: 'dense', units: 3 }] },
      loss: { type: 'softmaxCrossEntropy', fromLogits: true },
      optimizer: { type: 'adam', lr: 0.05 },
      data: { inputs: x, targets: x.map((_, i) => [i % 3]) },
      training: { batchSize: 9, epochs: 30, mode: 'sync' },
      checkpoint: { dir: 'ck' },
    };
    writeFileSync(join(dir, 'run.json'), JSON.stringify(config));
    expect((await cli(['train', join(dir, 'run.json'), '--quiet'])).code).toBe(0);
    const r = await cli(['export', join(dir, 'ck'), '--out', join(dir, 'p.onnx')]);
    expect(r.out).toBe(`wrote ${join(dir, 'p.onnx')} (ONNX: 3 inputs → 3 outputs (softmax probabilities))`);
    const p = await cli(['predict', join(dir, 'ck'), join(dir, 'run.json')]);
    const probs = p.out
      .split('\n')
      .slice(1)
      .flatMap((l) => l.split(',').slice(1).map(Number));
    const input = new ort.Tensor('float32', Float32Array.from(x.flat()), [9, 3]);
    const out = await (await ort.InferenceSession.create(readFileSync(join(dir, 'p.onnx')))).run({ input });
    expectSamePredictions(out.output!.data as Float32Array, probs, 3);
    const l = await cli(['export', join(dir, 'ck'), '--logits', '--out', join(dir, 'l.onnx')]);
    expect(l.out).toBe(`wrote ${join(dir, 'l.onnx')} (ONNX: 3 inputs → 3 outputs)`);
    const logits = (await (await ort.InferenceSession.create(readFileSync(join(dir, 'l.onnx')))).run({ input })).output!
      .data as Float32Array;
    const row0 = Array.from(logits.slice(0, 3), (v) => Math.exp(v - Math.max(...logits.slice(0, 3))));
    expect(row0[0]! / row0.reduce((a, b) => a + b)).toBeCloseTo(probs[0]!, 6);
  });

  it('refuses bad input with exit 2, naming the file and the field', async () => {
    const dir = tempDir();
    const missing = await cli(['export', join(dir, 'nope.json'), '--format', 'onnx', '--out', join(dir, 'm.onnx')]);
    expect(missing).toMatchObject({
      code: 2,
      err: `gradstream export: ${join(dir, 'nope.json')}: expected a checkpoint, received nothing there (no such file)`,
    });
    expect((await cli(['export', 'a.json', '--format', 'keras', '--out', 'm.h5'])).err).toBe(
      'gradstream export: --format: expected "onnx" or "tfjs", received "keras"\nrun "gradstream export --help" for usage',
    );
    expect((await cli(['export', 'a.json', '--format', 'onnx'])).err).toMatch(
      /^gradstream export: --out: expected the file to write, received nothing/,
    );
    expect((await cli(['export', 'a.json', '--out', 'model.bin'])).code).toBe(2);
    // a checkpoint written by the library without its model config
    const bare = {
      format: 'gradstream-checkpoint',
      version: 2,
      step: 0,
      epoch: 0,
      batchIndex: 0,
      dataSeed: null,
      loss: null,
      lr: 0.1,
      stopReason: null,
      params: { '0.W': { shape: [1, 1], data: [1] } },
      optState: null,
      rng: null,
      model: null,
      state: {},
      scaler: null,
      config: null,
      best: null,
    };
    writeFileSync(join(dir, 'bare.json'), JSON.stringify(bare));
    const r = await cli(['export', join(dir, 'bare.json'), '--out', join(dir, 'm.onnx')]);
    expect(r).toMatchObject({
      code: 2,
      err: `gradstream export: ${join(dir, 'bare.json')}: checkpoint.model: expected the model config (write checkpoints with checkpoint({ model })), received none`,
    });
    expect((await cli(['export', '--help'])).out).toMatch(/^usage: gradstream export CHECKPOINT --format onnx\|tfjs --out PATH/);
  });
});
