import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, EXAMPLES, trained } from '../cliHarness.js';

describe('gradstream eval', () => {
  it('evaluates a checkpoint on its config data', async () => {
    const { ckpt } = await trained('seed.json');
    const r = await cli(['eval', ckpt, join(EXAMPLES, 'seed.json'), '--json']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^\{"type":"eval","step":6,"rows":1,"loss":2\.381266365508548,"metrics":\{"mae":/);
    const o = JSON.parse(r.out) as { metrics: { mae: number; rmse: number; r2: number } };
    // one row: the RMSE is the square root of the MSE loss; R² of a constant target is 0 unless exact
    expect(o.metrics.rmse).toBeCloseTo(Math.sqrt(2.381266365508548), 14);
    expect(o.metrics.r2).toBe(0);
    const text = await cli(['eval', ckpt, join(EXAMPLES, 'seed.json')]);
    expect(text.out.split('\n').slice(0, 4)).toEqual([
      `checkpoint  ${ckpt} (step 6)`,
      `data        ${join(EXAMPLES, 'seed.json')}: 1 rows`,
      'loss        2.381266365508548',
      `mae         ${String(o.metrics.mae)}`,
    ]);
  });

  it('reports MAE, RMSE and R² of a regressor, on the training and validation parts', async () => {
    // y = 2x on rows with errors 0, 1, 0, 1 (training) and 1, 0 (validation)
    const config = {
      model: { layers: [{ type: 'dense', inputs: 1, units: 1, weights: [[2]], biases: [0] }] },
      loss: 'mse',
      optimizer: { type: 'sgd', lr: 0.1 },
      data: { inputs: [[1], [2], [3], [4]], targets: [[2], [5], [6], [9]] },
      validation: { inputs: [[0], [1]], targets: [[1], [2]] },
      training: { maxSteps: 0, mode: 'sync' },
    };
    const { file, ckpt } = await trained(config);
    const o = JSON.parse((await cli(['eval', ckpt, file, '--json'])).out) as Record<string, unknown>;
    // mean of (t − mean t)² terms: 25 (training), 0.5 (validation); R² = 1 − Σ residual² / that
    expect(o).toEqual({
      type: 'eval',
      step: 0,
      rows: 4,
      loss: 0.5,
      valRows: 2,
      valLoss: 0.5,
      metrics: { mae: 0.5, rmse: Math.sqrt(0.5), r2: 1 - 2 / 25, valMae: 0.5, valRmse: Math.sqrt(0.5), valR2: 1 - 1 / 0.5 },
    });
    const text = (await cli(['eval', ckpt, file])).out.split('\n');
    expect(text.slice(2)).toEqual([
      'loss        0.5',
      'mae         0.5',
      `rmse        ${String(Math.sqrt(0.5))}`,
      `r2          ${String(1 - 2 / 25)}`,
      'val loss    0.5',
      'val mae     0.5',
      `val rmse    ${String(Math.sqrt(0.5))}`,
      'val r2      -1',
    ]);
  });

  it('reports accuracy and the validation part of a classifier', async () => {
    const config = {
      model: { layers: [{ type: 'dense', inputs: 1, units: 2 }] },
      loss: 'softmaxCrossEntropy',
      optimizer: { type: 'sgd', lr: 0.5 },
      data: { inputs: [[-2], [-1], [1], [2], [-3], [3], [-0.5], [0.5]], targets: [[0], [0], [1], [1], [0], [1], [0], [1]] },
      validation: { split: 0.25 },
      training: { maxSteps: 200, mode: 'sync', seed: 1 },
    };
    const { file, ckpt } = await trained(config);
    const r = await cli(['eval', ckpt, file, '--json']);
    const o = JSON.parse(r.out) as Record<string, unknown>;
    expect(o).toMatchObject({ type: 'eval', step: 200, rows: 6, valRows: 2, metrics: { accuracy: 1, valAccuracy: 1 } });
    expect(o.valLoss).toBeLessThan(0.5);
    const text = await cli(['eval', ckpt, file]);
    expect(text.out).toMatch(/\naccuracy {4}1\.0000\nval loss {4}0\.\d+\nval acc\. {4}1\.0000$/);
  });

  it('refuses a checkpoint of another model and bad usage (exit 2)', async () => {
    const { ckpt } = await trained('seed.json');
    const r = await cli(['eval', ckpt, join(EXAMPLES, 'xor.json')]);
    expect(r.code).toBe(2);
    expect(r.err.startsWith(`gradstream eval: ${ckpt}: checkpoint.params`)).toBe(true);
    expect((await cli(['eval', ckpt])).err).toBe(
      'gradstream eval: expected CHECKPOINT and DATA, received "' + ckpt + '"\nrun "gradstream eval --help" for usage',
    );
    expect((await cli(['eval', '--help'])).out).toMatch(/^usage: gradstream eval CHECKPOINT DATA/);
  });
});
