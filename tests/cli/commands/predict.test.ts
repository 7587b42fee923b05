import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, EXAMPLES, trained } from '../cliHarness.js';

describe('gradstream predict', () => {
  it('prints the outputs of a regression model as CSV or JSON Lines', async () => {
    const { ckpt } = await trained('seed.json');
    const csv = await cli(['predict', ckpt, join(EXAMPLES, 'seed.json')]);
    expect(csv.code).toBe(0);
    const [header, row] = csv.out.split('\n');
    expect(header).toBe('output_0,output_1,output_2,output_3');
    // the README's prediction after the lesson: 1.0366 2.2925 1.6033 3.4663
    [1.0366, 2.2925, 1.6033, 3.4663].forEach((v, i) => expect(Number(row!.split(',')[i])).toBeCloseTo(v, 4));
    const jsonl = await cli(['predict', ckpt, join(EXAMPLES, 'seed.json'), '--format', 'jsonl']);
    expect((JSON.parse(jsonl.out) as { outputs: number[] }).outputs.map(String)).toEqual(row!.split(','));
  });

  it('prints the class and probabilities of a classifier (logits through sigmoid or softmax)', async () => {
    const { ckpt } = await trained('xor.json');
    const r = await cli(['predict', ckpt, join(EXAMPLES, 'xor.json'), '--format', 'jsonl']);
    const rows = r.out.split('\n').map((l) => JSON.parse(l) as { class: number; probabilities: number[] });
    expect(rows.map((x) => x.class)).toEqual([0, 1, 1, 0]);
    for (const x of rows) {
      expect(x.probabilities[0]! + x.probabilities[1]!).toBeCloseTo(1, 12);
      expect(Math.max(...x.probabilities)).toBeGreaterThan(0.95);
    }
    const softmax = {
      model: { layers: [{ type: 'dense', inputs: 1, units: 3, weights: [[1, 0, -1]], biases: [0, 0.5, 0] }] },
      loss: 'softmaxCrossEntropy',
      optimizer: { type: 'sgd', lr: 0 },
      data: { inputs: [[2], [0], [-2]], targets: [[0], [1], [2]] },
      training: { maxSteps: 0 },
    };
    const s = await trained(softmax);
    const csv = await cli(['predict', s.ckpt, s.file]);
    const lines = csv.out.split('\n');
    expect(lines[0]).toBe('class,p_0,p_1,p_2');
    expect(lines.slice(1).map((l) => l.split(',')[0])).toEqual(['0', '1', '2']);
    const p = lines[2]!.split(',').slice(1).map(Number);
    const e = [1, Math.exp(0.5), 1];
    p.forEach((v, i) => expect(v).toBeCloseTo(e[i]! / (2 + Math.exp(0.5)), 14));
  });

  it('refuses an unknown format (exit 2)', async () => {
    expect((await cli(['predict', 'a.json', 'b.json', '--format', 'xml'])).err).toBe('gradstream predict: --format: expected "csv" or "jsonl", received "xml"\nrun "gradstream predict --help" for usage');
    expect((await cli(['predict', '-h'])).out).toMatch(/^usage: gradstream predict CHECKPOINT DATA/);
  });
});
