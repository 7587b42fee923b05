import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadTrainConfig, readDocument } from '../../src/cli/loadTrainConfig.js';
import { EXAMPLES, tempDir } from './cliHarness.js';

const seedText = readFileSync(join(EXAMPLES, 'seed.json'), 'utf8');
const seed = (): Record<string, unknown> => JSON.parse(seedText) as Record<string, unknown>;

async function failure(config: unknown, name = 'c.json'): Promise<string> {
  const dir = tempDir();
  const file = join(dir, name);
  writeFileSync(file, typeof config === 'string' ? config : JSON.stringify(config));
  try {
    await loadTrainConfig(file);
  } catch (e: unknown) {
    return (e as Error).message.replace(file, 'FILE');
  }
  throw new Error('expected a failure');
}

describe('loadTrainConfig', () => {
  it('reads JSON and YAML configs alike', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'a.json'), seedText);
    writeFileSync(
      join(dir, 'b.yaml'),
      `# the lesson
model:
  layers:
    - type: dense
      inputs: 4
      units: 4
      bias: false
      weights: [[-0.2416, -0.2497, -0.3932, 0.2935], [-0.0396, 0.1421, -0.4436, 0.1714], [-0.3519, 0.4072, -0.0721, -0.1659], [0.2055, -0.033, -0.2145, 0.1987]]
loss: mse
optimizer: { type: sgd, lr: 0.01 }
data: { inputs: [[1, 2, 3, 4]], targets: [[2, 3, 4, 5]] }
training: { mode: sync }
stop: { lossBelow: 2.96 }
log: { every: 1 }
`,
    );
    const a = await loadTrainConfig(join(dir, 'a.json'));
    const b = await loadTrainConfig(join(dir, 'b.yaml'));
    expect(b.config).toEqual(a.config);
    // no extension: JSON first, then YAML
    writeFileSync(join(dir, 'c'), 'loss: mse\n');
    expect(await readDocument(join(dir, 'c'))).toEqual({ loss: 'mse' });
  });

  it('resolves relative paths against the config file folder', async () => {
    const dir = tempDir();
    const file = join(dir, 'run.json');
    writeFileSync(
      file,
      JSON.stringify({
        ...seed(),
        data: { csv: 'data/x.csv', features: ['a'], targets: ['b'] },
        validation: { csv: '/abs/v.csv' },
        checkpoint: { dir: 'ckpt' },
        log: { path: 'logs/run.jsonl' },
      }),
    );
    const { config } = await loadTrainConfig(file);
    expect(config.data).toEqual({ csv: join(dir, 'data/x.csv'), features: ['a'], targets: ['b'] });
    expect(config.validation).toEqual({ csv: '/abs/v.csv' });
    expect(config.checkpoint).toEqual({ dir: join(dir, 'ckpt') });
    expect(config.log).toEqual({ path: join(dir, 'logs/run.jsonl') });
    writeFileSync(
      file,
      JSON.stringify({ ...seed(), data: { jsonl: 'd.jsonl', features: ['a'], label: 'y' }, validation: { jsonl: 'v.jsonl' } }),
    );
    const j = await loadTrainConfig(file);
    expect(j.config.data).toEqual({ jsonl: join(dir, 'd.jsonl'), features: ['a'], label: 'y' });
    expect(j.config.validation).toEqual({ jsonl: join(dir, 'v.jsonl') });
  });

  it('names the file, the field and what was expected', async () => {
    expect(await failure({ ...seed(), trainng: {} })).toBe('FILE: expected no other keys, received "trainng"');
    expect(await failure({ ...seed(), training: { batchSize: 0 } })).toBe(
      'FILE: training.batchSize: expected number to be >=1, received 0',
    );
    expect(await failure({ ...seed(), training: { mode: 'fast' } })).toBe(
      'FILE: training.mode: expected one of "sync", "sliced", received "fast"',
    );
    expect(await failure({ ...seed(), loss: 'hinge' })).toBe(
      'FILE: loss: expected one of "mse", "mae", "huber", "binaryCrossEntropy", "softmaxCrossEntropy", received "hinge"',
    );
    expect(await failure({ ...seed(), optimizer: { type: 'adam', lr: '0.1' } })).toMatch(/^FILE: optimizer\.lr: expected /);
    expect(await failure({ ...seed(), model: { layers: [{ type: 'dense', inputs: 4, units: 'four' }] } })).toBe(
      'FILE: model.layers[0].units: expected number, received "four"',
    );
    expect(await failure({ ...seed(), data: { inputs: [[1, 2, 3, 4]], targets: [[2, 3, 'x', 5]] } })).toBe(
      'FILE: data.targets[0][2]: expected number, received "x"',
    );
  });

  it('reports data and validation errors of the branch their keys choose', async () => {
    expect(await failure({ ...seed(), data: { csv: 'x.csv', features: ['a'] } })).toBe(
      'FILE: data.targets: expected either "targets" (columns) or "label" (a class column), not both, received neither',
    );
    expect(await failure({ ...seed(), data: { csv: 'x.csv', features: ['a'], targets: ['b'], label: 'c' } })).toBe(
      'FILE: data.label: expected either "targets" (columns) or "label" (a class column), not both, received both',
    );
    expect(await failure({ ...seed(), data: { jsonl: 'x.jsonl', features: 'a', targets: ['b'] } })).toBe(
      'FILE: data.features: expected array, received "a"',
    );
    expect(await failure({ ...seed(), data: { csv: 'x.csv', features: ['a'], targets: ['b'], sep: ';' } })).toBe(
      'FILE: data: expected no other keys, received "sep"',
    );
    expect(await failure({ ...seed(), data: { rows: [] } })).toBe(
      'FILE: data: expected an object with "inputs" and "targets", "csv" or "jsonl", received keys "rows"',
    );
    expect(await failure({ ...seed(), data: { inputs: [[1]] } })).toBe('FILE: data.targets: expected array, received undefined');
    expect(await failure({ ...seed(), validation: { split: 1.5 } })).toBe('FILE: validation.split: expected number to be <1, received 1.5');
    expect(await failure({ ...seed(), validation: { fraction: 0.2 } })).toBe(
      'FILE: validation: expected an object with "split", "csv", "jsonl" or "inputs", received keys "fraction"',
    );
  });

  it('names the line and column of a syntax error', async () => {
    expect(await failure('{\n  "loss": "mse",\n  oops\n}')).toMatch(/^FILE: expected JSON, received invalid JSON \(line 3, column 3: /);
    expect(await failure('model: [\n', 'c.yaml')).toMatch(/^FILE: expected YAML, received invalid YAML at line 2, column 1 \(/);
    expect(await failure('{ "loss": ')).toMatch(/^FILE: expected JSON, received invalid JSON/);
    const dir = tempDir();
    await expect(loadTrainConfig(join(dir, 'none.json'))).rejects.toThrow(`${join(dir, 'none.json')}: no such file`);
  });
});
