import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadTrainedRun } from '../../src/cli/loadTrainedRun.js';
import { cli, tempDir } from './cliHarness.js';

/** A classifier trained on a CSV file, its checkpoint folder, and a data file to read with it. */
async function trainedOnFile(): Promise<{ dir: string; checkpoint: Record<string, unknown> }> {
  const dir = tempDir();
  writeFileSync(join(dir, 'train.csv'), 'x1,x2,side\n1,2,left\n3,4,right\n');
  const config = {
    model: { layers: [{ type: 'dense', inputs: 2, units: 2 }] },
    loss: 'softmaxCrossEntropy',
    optimizer: { type: 'sgd', lr: 0.1 },
    data: { csv: 'train.csv', features: ['x1', 'x2'], label: 'side' },
    training: { maxSteps: 2 },
    checkpoint: { dir: 'ck' },
  };
  writeFileSync(join(dir, 'run.json'), JSON.stringify(config));
  expect((await cli(['train', join(dir, 'run.json'), '--quiet'])).code).toBe(0);
  return { dir, checkpoint: JSON.parse(readFileSync(join(dir, 'ck/last.json'), 'utf8')) as Record<string, unknown> };
}

describe('loadTrainedRun on a data file', () => {
  it('reads the file with the checkpoint’s model, classes and features', async () => {
    const { dir } = await trainedOnFile();
    const run = await loadTrainedRun(join(dir, 'ck/last.json'), join(dir, 'train.csv'));
    expect(run).toMatchObject({ step: 2, classifier: true, fromLogits: true, classes: ['left', 'right'], validation: undefined });
    expect((await run.table()).rows).toBe(2);
    expect(Array.from((await run.inputs()).x)).toEqual([1, 2, 3, 4]);
  });

  it('refuses a checkpoint without feature columns; a model that does not build is reported first', async () => {
    const { dir, checkpoint } = await trainedOnFile();
    const data = join(dir, 'train.csv');
    const write = (name: string, c: Record<string, unknown>): string => {
      const file = join(dir, name);
      writeFileSync(file, JSON.stringify(c));
      return file;
    };
    const config = checkpoint.config as { data: Record<string, unknown> };
    const { features: _features, ...noFeatures } = config.data;
    const b = write('b.json', { ...checkpoint, config: { ...config, data: noFeatures } });
    await expect(loadTrainedRun(b, data)).rejects.toThrow(
      `${b}: checkpoint.config.data.features: expected the feature columns to read ${data} with, received none; give the training config as DATA instead`,
    );
    // a model that does not build is reported before missing features
    const c = write('c.json', { ...checkpoint, model: { layers: [] }, config: { ...config, data: noFeatures } });
    await expect(loadTrainedRun(c, data)).rejects.toThrow(/checkpoint\.model/);
  });
});
