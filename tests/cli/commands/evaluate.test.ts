import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, EXAMPLES, trained } from '../cliHarness.js';

describe('gradstream eval', () => {
  it('evaluates a checkpoint on its config data', async () => {
    const { ckpt } = await trained('seed.json');
    expect(await cli(['eval', ckpt, join(EXAMPLES, 'seed.json'), '--json'])).toEqual({ code: 0, out: '{"type":"eval","step":6,"rows":1,"loss":2.381266365508548}', err: '' });
    const text = await cli(['eval', ckpt, join(EXAMPLES, 'seed.json')]);
    expect(text.out.split('\n')).toEqual([`checkpoint  ${ckpt} (step 6)`, `data        ${join(EXAMPLES, 'seed.json')}: 1 rows`, 'loss        2.381266365508548']);
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
    expect((await cli(['eval', ckpt])).err).toBe('gradstream eval: expected CHECKPOINT and DATA, received "' + ckpt + '"\nrun "gradstream eval --help" for usage');
    expect((await cli(['eval', '--help'])).out).toMatch(/^usage: gradstream eval CHECKPOINT DATA/);
  });
});

