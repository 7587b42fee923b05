import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, EXAMPLES, tempDir, trained } from '../cliHarness.js';

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
    expect((await cli(['predict', 'a.json', 'b.json', '--format', 'xml'])).err).toBe(
      'gradstream predict: --format: expected "csv" or "jsonl", received "xml"\nrun "gradstream predict --help" for usage',
    );
    expect((await cli(['predict', '-h'])).out).toMatch(/^usage: gradstream predict CHECKPOINT DATA/);
  });
});

describe('gradstream predict and eval on a data file', () => {
  /** Two named classes ("left", "right") split by x1, as CSV and JSON Lines, plus inputs without the label. */
  function files(dir: string): void {
    const rows: [number, number, string][] = [];
    for (let i = 0; i < 40; i++) {
      const right = i % 2 === 1;
      rows.push([
        Number(((right ? 300 : 100) + 40 * Math.sin(i)).toFixed(3)),
        Number(Math.cos(i * 0.9).toFixed(3)),
        right ? 'right' : 'left',
      ]);
    }
    writeFileSync(join(dir, 'train.csv'), `x1,x2,side\n${rows.map((r) => r.join(',')).join('\n')}\n`);
    writeFileSync(join(dir, 'train.jsonl'), `${rows.map(([x1, x2, side]) => JSON.stringify({ x1, x2, side })).join('\n')}\n`);
    writeFileSync(join(dir, 'new.csv'), 'x2,x1\n0.5,90\n-0.2,310\n');
  }

  it('reads the file with the config, scaler and classes the checkpoint saved', async () => {
    const dir = tempDir();
    files(dir);
    const config = {
      model: { layers: [{ type: 'dense', inputs: 2, units: 2 }] },
      loss: 'softmaxCrossEntropy',
      optimizer: { type: 'adam', lr: 0.1 },
      data: { csv: 'train.csv', features: ['x1', 'x2'], label: 'side', scale: 'standardize' },
      training: { batchSize: 8, epochs: 30, seed: 1, mode: 'sync' },
      checkpoint: { dir: 'ck' },
    };
    writeFileSync(join(dir, 'run.json'), JSON.stringify(config));
    expect((await cli(['train', join(dir, 'run.json'), '--quiet'])).code).toBe(0);
    // the label's classes by name; the columns by header (any order); no label column needed
    const csv = await cli(['predict', join(dir, 'ck'), join(dir, 'new.csv')]);
    expect(csv.code).toBe(0);
    const lines = csv.out.split('\n');
    expect(lines[0]).toBe('class,p_left,p_right');
    expect(lines.slice(1).map((l) => l.split(',')[0])).toEqual(['left', 'right']);
    const jsonl = await cli(['predict', join(dir, 'ck/last.json'), join(dir, 'train.jsonl'), '--format', 'jsonl']);
    const first = JSON.parse(jsonl.out.split('\n')[0]!) as { class: number; label: string; probabilities: number[] };
    expect(first).toMatchObject({ class: 0, label: 'left' });
    // eval on the file: the whole file, scaled as in training
    const e = await cli(['eval', join(dir, 'ck'), join(dir, 'train.csv'), '--json']);
    expect(JSON.parse(e.out)).toMatchObject({ type: 'eval', rows: 40, metrics: { accuracy: 1 } });
    const j = await cli(['eval', join(dir, 'ck'), join(dir, 'train.jsonl'), '--json']);
    expect(JSON.parse(j.out)).toMatchObject({ rows: 40, metrics: { accuracy: 1 } });
  });

  it('needs the config when the checkpoint cannot read a file (exit 2)', async () => {
    const { ckpt, dir } = await trained('seed.json');
    writeFileSync(join(dir, 'x.csv'), 'a,b\n1,2\n');
    const r = await cli(['predict', ckpt, join(dir, 'x.csv')]);
    expect(r.code).toBe(2);
    expect(r.err).toBe(
      `gradstream predict: ${ckpt}: checkpoint.config.data: expected the columns of a CSV or JSON Lines file to read ${join(dir, 'x.csv')} with, received inline data; give the training config as DATA instead`,
    );
    const dir2 = tempDir();
    files(dir2);
    const config = {
      model: { layers: [{ type: 'dense', inputs: 2, units: 2 }] },
      loss: 'softmaxCrossEntropy',
      optimizer: { type: 'sgd', lr: 0.1 },
      data: { csv: 'train.csv', features: ['x1', 'x2'], label: 'side' },
      training: { maxSteps: 2 },
      checkpoint: { dir: 'ck' },
    };
    writeFileSync(join(dir2, 'run.json'), JSON.stringify(config));
    expect((await cli(['train', join(dir2, 'run.json'), '--quiet'])).code).toBe(0);
    writeFileSync(join(dir2, 'bad.csv'), 'x1,x3\n1,2\n');
    const bad = await cli(['predict', join(dir2, 'ck'), join(dir2, 'bad.csv')]);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/bad\.csv, column "x2": expected one of the header's columns "x1", "x3", received no such column$/);
  });
});

describe('gradstream predict and eval: a regressor on file data', () => {
  // y1 = a + b, y2 = a − b, the target columns between the features
  const csv = 'a,y1,b,y2\n1,3,2,-1\n2,2,0,2\n0,1,1,-1\n3,4,1,2\n';
  const config = (data: Record<string, unknown>): Record<string, unknown> => ({
    model: {
      layers: [
        {
          type: 'dense',
          inputs: 2,
          units: 2,
          weights: [
            [1, 1],
            [1, -1],
          ],
          biases: [0, 0],
        },
      ],
    },
    loss: 'mse',
    optimizer: { type: 'sgd', lr: 0 },
    data,
    training: { maxSteps: 1, mode: 'sync' },
  });

  it('defaults the features to every column but the targets, and names the outputs after the targets', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'train.csv'), csv);
    writeFileSync(join(dir, 'run.json'), JSON.stringify(config({ csv: 'train.csv', targets: ['y1', 'y2'] })));
    const { ckpt } = await trained(config({ csv: join(dir, 'train.csv'), targets: ['y1', 'y2'] }));
    // the weights are exact: zero loss, and the predictions are the targets
    const byConfig = await cli(['predict', ckpt, join(dir, 'run.json')]);
    expect(byConfig.out.split('\n')).toEqual(['y1,y2', '3,-1', '2,2', '1,-1', '4,2']);
    // a file of features only, read with the columns the checkpoint saved
    writeFileSync(join(dir, 'new.csv'), 'b,a\n1,1\n');
    expect((await cli(['predict', ckpt, join(dir, 'new.csv')])).out).toBe('y1,y2\n2,0');
    expect((await cli(['predict', ckpt, join(dir, 'new.csv'), '--format', 'jsonl'])).out).toBe('{"outputs":[2,0]}');
    const saved = JSON.parse(readFileSync(ckpt, 'utf8')) as { config: { data: { features: string[] } } };
    expect(saved.config.data.features).toEqual(['a', 'b']);
    const e = JSON.parse((await cli(['eval', ckpt, join(dir, 'train.csv'), '--json'])).out) as Record<string, unknown>;
    expect(e).toEqual({ type: 'eval', step: 1, rows: 4, loss: 0, metrics: { mae: 0, rmse: 0, r2: 1 } });
  });

  it('defaults the features of JSON Lines data, and of a validation file, alike', async () => {
    const dir = tempDir();
    const rows = csv
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.split(',').map(Number));
    const jsonl = (rs: number[][]): string => rs.map(([a, y1, b, y2]) => JSON.stringify({ y1, a, y2, b })).join('\n') + '\n';
    writeFileSync(join(dir, 'train.jsonl'), jsonl(rows));
    writeFileSync(join(dir, 'val.jsonl'), jsonl(rows.slice(0, 2)));
    const { file, ckpt } = await trained({
      ...config({ jsonl: join(dir, 'train.jsonl'), targets: ['y1', 'y2'] }),
      validation: { jsonl: join(dir, 'val.jsonl') },
    });
    expect((await cli(['predict', ckpt, file])).out.split('\n')).toEqual(['y1,y2', '3,-1', '2,2', '1,-1', '4,2']);
    expect(JSON.parse((await cli(['eval', ckpt, file, '--json'])).out)).toMatchObject({
      rows: 4,
      loss: 0,
      valRows: 2,
      valLoss: 0,
      metrics: { r2: 1, valR2: 1 },
    });
  });
});
