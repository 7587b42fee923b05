import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { digitsModel, loadDigits, trainDigits } from '../../examples/digits.js';
import { accuracy, predict, summary } from '../../src/index.js';
import { loadModel } from '../../src/node.js';
import { EXAMPLES, trained } from '../cli/cliHarness.js';

describe('examples/digits.ts (UCI optical digits, a small convnet)', () => {
  it('reads 1,797 images of 64 pixels in [0, 1] with labels 0–9', () => {
    const { x, y } = loadDigits();
    expect(x.length).toBe(1797);
    expect(x.every((row) => row.length === 64 && row.every((v) => v >= 0 && v <= 1))).toBe(true);
    expect(new Set(y)).toEqual(new Set([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]));
    expect(summary(digitsModel())).toContain('total: 6090 parameters; input [batch, 64] → output [batch, 10]');
  });

  it('reaches ≥ 93 % held-out accuracy in 3 epochs (the example runs 20 for ≥ 97 %)', async () => {
    const { accuracy, steps } = await trainDigits(3);
    expect(steps).toBe(135);
    expect(accuracy).toBeGreaterThanOrEqual(0.93);
  });

  it('examples/digits.json: `gradstream train` builds and trains the same network from config (2 epochs here)', async () => {
    const config = JSON.parse(readFileSync(join(EXAMPLES, 'digits.json'), 'utf8'));
    config.data.csv = join(EXAMPLES, 'data/digits.csv');
    config.training.epochs = 2;
    const { ckpt } = await trained(config);
    const { model, params } = await loadModel(ckpt);
    expect(model.toConfig().layers.map((l) => l.type)).toEqual([
      'reshape',
      'conv2d',
      'relu',
      'maxPool2d',
      'conv2d',
      'relu',
      'maxPool2d',
      'flatten',
      'dense',
    ]);
    const { x, y } = loadDigits();
    const raw = x.map((row) => row.map((v) => v * 16)); // the config trains on the pixels as they are ("scale": "none")
    expect(accuracy(predict(model, params, raw), Float64Array.from(y), y.length, 10)).toBeGreaterThan(0.9);
  });
});
