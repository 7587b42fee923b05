import * as tf from '@tensorflow/tfjs';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { modelFromCheckpoint, predict } from '../../../src/index.js';
import { readCheckpoint } from '../../../src/node.js';
import { cli, tempDir } from '../cliHarness.js';
import { expectSamePredictions } from '../../core/interop/exportCases.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Saves a TensorFlow.js model as model.json + weights.bin in `dir` (what `model.save('file://…')` writes). */
async function saveTo(model: tf.LayersModel, dir: string): Promise<string> {
  mkdirSync(dir, { recursive: true });
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      const modelJson = {
        format: a.format,
        generatedBy: a.generatedBy,
        convertedBy: a.convertedBy,
        modelTopology: a.modelTopology,
        weightsManifest: [{ paths: ['weights.bin'], weights: a.weightSpecs }],
      };
      writeFileSync(join(dir, 'model.json'), JSON.stringify(modelJson));
      writeFileSync(join(dir, 'weights.bin'), new Uint8Array(a.weightData as ArrayBuffer));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  return join(dir, 'model.json');
}

describe('gradstream import', () => {
  it('writes a checkpoint that predicts as the TensorFlow.js model and trains on with --resume', async () => {
    const dir = tempDir();
    const m = tf.sequential();
    m.add(tf.layers.dense({ inputShape: [2], units: 6, activation: 'relu' }));
    m.add(tf.layers.batchNormalization());
    m.add(tf.layers.dense({ units: 1 }));
    const file = await saveTo(m, join(dir, 'tfjs'));
    const r = await cli(['import', file, '--out', join(dir, 'ck')]);
    expect(r).toMatchObject({ code: 0, err: '' });
    expect(r.out).toBe(`wrote ${join(dir, 'ck/last.json')} (dense(2→6) → relu(6) → batchNorm(6) → dense(6→1); 50 parameters)`);
    const { model, params } = modelFromCheckpoint(await readCheckpoint(join(dir, 'ck')));
    const x = [
      [1, 2],
      [-1, 0.5],
      [0, 3],
    ];
    const want = (await (m.predict(tf.tensor2d(x)) as tf.Tensor).data()) as Float32Array;
    expectSamePredictions(predict(model, params, x), want, 1);
    // training continues from the imported weights, with a config of the same model
    const config = {
      model: model.toConfig(),
      loss: 'mse',
      optimizer: { type: 'adam', lr: 0.01 },
      data: {
        inputs: [
          [0, 0],
          [0, 1],
          [1, 0],
          [1, 1],
        ],
        targets: [[0], [1], [1], [2]],
      },
      training: { batchSize: 4, epochs: 50, mode: 'sync' },
    };
    writeFileSync(join(dir, 'run.json'), JSON.stringify(config));
    const t = await cli(['train', join(dir, 'run.json'), '--resume', join(dir, 'ck'), '--json', '--checkpoint-dir', join(dir, 'ck2')]);
    expect(t.code).toBe(0);
    const steps = t.out
      .split('\n')
      .map((l) => JSON.parse(l) as { type?: string; step?: number; loss?: number })
      .filter((l) => l.loss !== undefined && l.step !== undefined);
    expect(steps[0]!.step).toBe(0);
    expect(steps[steps.length - 1]!.loss!).toBeLessThan(steps[0]!.loss!);
  });

  it('refuses an unsupported layer by name, a missing weights file and bad JSON (exit 2)', async () => {
    const dir = tempDir();
    const m = tf.sequential();
    m.add(tf.layers.dense({ inputShape: [4], units: 4 }));
    m.add(tf.layers.layerNormalization({ name: 'norm' }));
    const file = await saveTo(m, join(dir, 'a'));
    const r = await cli(['import', file, '--out', join(dir, 'ck.json')]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(
      new RegExp(
        `^gradstream import: ${file}: modelTopology\\.config\\.layers\\[1\\]: expected a supported layer \\(.*\\), received LayerNormalization "norm"$`,
      ),
    );
    writeFileSync(join(dir, 'b.json'), JSON.stringify({ modelTopology: {}, weightsManifest: [{ paths: ['gone.bin'], weights: [] }] }));
    expect(await cli(['import', join(dir, 'b.json'), '--out', join(dir, 'ck.json')])).toMatchObject({
      code: 2,
      err: `gradstream import: ${join(dir, 'gone.bin')}: no such file`,
    });
    writeFileSync(join(dir, 'c.json'), '{ "modelTopology": ');
    const bad = await cli(['import', join(dir, 'c.json'), '--out', join(dir, 'ck.json')]);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(new RegExp(`^gradstream import: ${join(dir, 'c.json')}: expected JSON \\(a TensorFlow.js model.json\\)`));
    expect((await cli(['import', file])).err).toMatch(/^gradstream import: --out: expected the checkpoint file to write, received nothing/);
    expect((await cli(['import', '-h'])).out).toMatch(/^usage: gradstream import MODEL.json --out CHECKPOINT/);
  });
});
