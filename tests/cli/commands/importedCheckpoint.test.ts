/**
 * `predict` and `eval` on a checkpoint without a training config, as `gradstream import` writes
 * it: the data file's columns are the features (or `--features`), `--targets` / `--label` name the
 * targets, and the model's last layer makes it a classifier or a regressor.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, tempDir } from '../cliHarness.js';

interface DenseSpec {
  readonly units: number;
  readonly activation: string;
  readonly kernel: number[][];
  readonly bias: number[];
}

/** A TensorFlow.js Layers model.json + weights.bin of dense layers (float32 weights), imported as a checkpoint. */
async function imported(dir: string, inputs: number, layers: DenseSpec[]): Promise<string> {
  const specs: { name: string; shape: number[]; dtype: string }[] = [];
  const values: number[] = [];
  const topology = layers.map((l, i) => {
    specs.push({ name: `d${i}/kernel`, shape: [l.kernel.length, l.units], dtype: 'float32' });
    values.push(...l.kernel.flat());
    specs.push({ name: `d${i}/bias`, shape: [l.units], dtype: 'float32' });
    values.push(...l.bias);
    const config = { name: `d${i}`, units: l.units, activation: l.activation, use_bias: true };
    return { class_name: 'Dense', config: i === 0 ? { ...config, batch_input_shape: [null, inputs] } : config };
  });
  const modelJson = {
    modelTopology: { class_name: 'Sequential', config: { name: 'm', layers: topology } },
    weightsManifest: [{ paths: ['weights.bin'], weights: specs }],
  };
  writeFileSync(join(dir, 'model.json'), JSON.stringify(modelJson));
  writeFileSync(join(dir, 'weights.bin'), new Uint8Array(Float32Array.from(values).buffer));
  const r = await cli(['import', join(dir, 'model.json'), '--out', join(dir, 'ck')]);
  expect(r.code).toBe(0);
  return join(dir, 'ck');
}

/** y = x1 + 2·x2 − x3 + 0.5 */
const REGRESSOR: DenseSpec[] = [{ units: 1, activation: 'linear', kernel: [[1], [2], [-1]], bias: [0.5] }];
/** three classes from two features: logits (x1, x2, −x1 − x2), softmax */
const CLASSIFIER: DenseSpec[] = [
  {
    units: 3,
    activation: 'softmax',
    kernel: [
      [1, 0, -1],
      [0, 1, -1],
    ],
    bias: [0, 0, 0],
  },
];

const softmax = (z: number[]): number[] => {
  const m = Math.max(...z);
  const e = z.map((v) => Math.exp(v - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
};

describe('predict on an imported checkpoint', () => {
  it('reads every column as a feature, in order, and names a regressor column output_0 or the --targets', async () => {
    const dir = tempDir();
    const ck = await imported(dir, 3, REGRESSOR);
    writeFileSync(join(dir, 'x.csv'), 'a,b,c\n1,2,3\n0,0,0\n-1,0.5,2\n');
    expect(await cli(['predict', ck, join(dir, 'x.csv')])).toEqual({ code: 0, out: 'output_0\n2.5\n0.5\n-1.5', err: '' });
    // a target column is left out of the features, and names the output
    writeFileSync(join(dir, 'xy.csv'), 'a,b,y,c\n1,2,9,3\n');
    expect((await cli(['predict', ck, join(dir, 'xy.csv'), '--targets', 'y'])).out).toBe('y\n2.5');
    // --features picks and orders the columns
    expect((await cli(['predict', ck, join(dir, 'xy.csv'), '--features', 'c,b,a'])).out).toBe('output_0\n6.5'); // 3 + 2·2 − 1 + 0.5
    // JSON Lines: the keys of the first object, in order
    writeFileSync(join(dir, 'x.jsonl'), '{"a":1,"b":2,"c":3}\n{"a":0,"b":0,"c":0}\n');
    expect((await cli(['predict', ck, join(dir, 'x.jsonl'), '--format', 'jsonl'])).out).toBe('{"outputs":[2.5]}\n{"outputs":[0.5]}');
  });

  it('refuses a file whose columns are not the model inputs, naming the file, row and count (exit 2)', async () => {
    const dir = tempDir();
    const ck = await imported(dir, 3, REGRESSOR);
    writeFileSync(join(dir, 'wide.csv'), 'a,b,c,d\n1,2,3,4\n');
    expect(await cli(['predict', ck, join(dir, 'wide.csv')])).toEqual({
      code: 2,
      out: '',
      err: `gradstream predict: ${join(dir, 'wide.csv')} row 1: expected 3 feature columns (the model's inputs), received 4 ("a", "b", "c", "d"); name them with --features, or the target columns with --targets or --label`,
    });
    writeFileSync(join(dir, 'bad.csv'), 'a,b,c\n1,2,3\n1,x,3\n');
    const bad = await cli(['predict', ck, join(dir, 'bad.csv')]);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain(`${join(dir, 'bad.csv')} row 3`);
    expect(bad.err).toContain('"b"');
    const short = await cli(['predict', ck, join(dir, 'bad.csv'), '--features', 'a,nope,c']);
    expect(short.err).toContain('column "nope"');
    expect(short.code).toBe(2);
  });

  it('treats a model ending with softmax as a classifier: class and probabilities', async () => {
    const dir = tempDir();
    const ck = await imported(dir, 2, CLASSIFIER);
    writeFileSync(join(dir, 'x.csv'), 'u,v\n2,0\n0,1\n-1,-1\n');
    const r = await cli(['predict', ck, join(dir, 'x.csv'), '--format', 'jsonl']);
    expect(r.code).toBe(0);
    const lines = r.out.split('\n').map((l) => JSON.parse(l) as { class: number; probabilities: number[] });
    expect(lines.map((l) => l.class)).toEqual([0, 1, 2]);
    const want = softmax([2, 0, -2]);
    for (let k = 0; k < 3; k++) expect(lines[0]!.probabilities[k]).toBeCloseTo(want[k]!, 6);
    // named classes
    expect((await cli(['predict', ck, join(dir, 'x.csv'), '--label', 'kind', '--classes', 'cat,dog,eel'])).out.split('\n')[0]).toBe(
      'class,p_cat,p_dog,p_eel',
    );
  });
});

describe('eval on an imported checkpoint', () => {
  it('scores a regressor on --targets: loss, MAE, RMSE, R²', async () => {
    const dir = tempDir();
    const ck = await imported(dir, 3, REGRESSOR);
    // predictions 2.5, 0.5, -1.5, 1.5; errors 0.5, -0.5, 1, 0
    writeFileSync(join(dir, 'xy.csv'), 'a,b,c,y\n1,2,3,2\n0,0,0,1\n-1,0.5,2,-2.5\n1,0,0,1.5\n');
    const r = await cli(['eval', ck, join(dir, 'xy.csv'), '--targets', 'y', '--json']);
    expect(r.code).toBe(0);
    const o = JSON.parse(r.out) as { step: number; rows: number; loss: number; metrics: { mae: number; rmse: number; r2: number } };
    expect(o).toMatchObject({ type: 'eval', step: 0, rows: 4 });
    expect(o.loss).toBeCloseTo((0.25 + 0.25 + 1 + 0) / 4, 12);
    expect(o.metrics.mae).toBeCloseTo(2 / 4, 12);
    expect(o.metrics.rmse).toBeCloseTo(Math.sqrt(1.5 / 4), 12);
    const y = [2, 1, -2.5, 1.5];
    const mean = y.reduce((a, b) => a + b, 0) / 4;
    expect(o.metrics.r2).toBeCloseTo(1 - 1.5 / y.reduce((a, v) => a + (v - mean) ** 2, 0), 12);
  });

  it('scores a classifier on --label (classes 0, 1, … or --classes): accuracy and cross-entropy of its probabilities', async () => {
    const dir = tempDir();
    const ck = await imported(dir, 2, CLASSIFIER);
    writeFileSync(join(dir, 'xy.csv'), 'u,v,k\n2,0,0\n0,1,1\n-1,-1,2\n0,1,0\n');
    const r = await cli(['eval', ck, join(dir, 'xy.csv'), '--label', 'k', '--json']);
    expect(r.code).toBe(0);
    const o = JSON.parse(r.out) as { loss: number; metrics: { accuracy: number } };
    expect(o.metrics.accuracy).toBe(0.75);
    const p = [softmax([2, 0, -2])[0]!, softmax([0, 1, -1])[1]!, softmax([-1, -1, 2])[2]!, softmax([0, 1, -1])[0]!];
    expect(o.loss).toBeCloseTo(-p.reduce((a, v) => a + Math.log(v), 0) / 4, 6);
    writeFileSync(join(dir, 'named.csv'), 'u,v,k\n2,0,cat\n0,1,dog\n');
    const named = await cli(['eval', ck, join(dir, 'named.csv'), '--label', 'k', '--classes', 'cat,dog,eel', '--json']);
    expect((JSON.parse(named.out) as { metrics: { accuracy: number } }).metrics.accuracy).toBe(1);
    // a label outside the classes is refused on its row
    const bad = await cli(['eval', ck, join(dir, 'named.csv'), '--label', 'k']);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain(join(dir, 'named.csv'));
    expect(bad.err).toContain('"cat"');
  });

  it('needs the targets, and refuses contradictory or misplaced options (exit 2)', async () => {
    const dir = tempDir();
    const ck = await imported(dir, 3, REGRESSOR);
    writeFileSync(join(dir, 'xy.csv'), 'a,b,c,y\n1,2,3,2\n');
    expect((await cli(['eval', ck, join(dir, 'xy.csv'), '--features', 'a,b,c'])).err).toBe(
      `gradstream eval: ${join(dir, 'ck')}: expected the target columns of ${join(dir, 'xy.csv')} (--targets COL[,COL], or --label COL for a classifier) for a checkpoint without a training config, received none`,
    );
    expect((await cli(['eval', ck, join(dir, 'xy.csv'), '--targets', 'y', '--label', 'y'])).err).toBe(
      'gradstream eval: --targets, --label: expected either the target columns or a label column, received both\nrun "gradstream eval --help" for usage',
    );
    expect((await cli(['eval', ck, join(dir, 'xy.csv'), '--targets', 'y', '--loss', 'hinge'])).code).toBe(2);
    expect((await cli(['eval', ck, join(dir, 'xy.csv'), '--targets', 'y,'])).err).toMatch(
      /--targets: expected column names separated by commas/,
    );
    // another loss on request: the mean absolute error of 2.5 against 2
    const mse = await cli(['eval', ck, join(dir, 'xy.csv'), '--targets', 'y', '--loss', 'mae', '--json']);
    expect(JSON.parse(mse.out)).toMatchObject({ loss: 0.5 });
  });
});

describe('gradstream import --config', () => {
  const trainConfig = (extra: Record<string, unknown> = {}, layers: unknown[] = [{ type: 'dense', inputs: 3, units: 1 }]) => ({
    model: { layers },
    loss: 'mae',
    optimizer: { type: 'sgd', lr: 0.01 },
    data: { csv: 'xy.csv', targets: ['y'], ...extra },
  });

  it('saves a training config with the weights: predict and eval then read data files with its columns and loss', async () => {
    const dir = tempDir();
    const ck = await imported(dir, 3, REGRESSOR);
    writeFileSync(join(dir, 'xy.csv'), 'a,b,c,y\n1,2,3,2\n0,0,0,1\n');
    writeFileSync(join(dir, 'train.json'), JSON.stringify(trainConfig()));
    const r = await cli(['import', join(dir, 'model.json'), '--out', join(dir, 'ck2'), '--config', join(dir, 'train.json')]);
    expect(r.code).toBe(0);
    // the config's loss (mae) and columns: no options needed
    expect(JSON.parse((await cli(['eval', join(dir, 'ck2'), join(dir, 'xy.csv'), '--json'])).out)).toMatchObject({ rows: 2, loss: 0.5 });
    expect((await cli(['predict', join(dir, 'ck2'), join(dir, 'xy.csv')])).out).toBe('y\n2.5\n0.5');
    // the options are for a checkpoint without a config
    const both = await cli(['eval', join(dir, 'ck2'), join(dir, 'xy.csv'), '--targets', 'y']);
    expect(both.code).toBe(2);
    expect(both.err).toContain('--features, --targets, --label, --classes and --loss: expected for a checkpoint without a training config');
    expect(ck).toBe(join(dir, 'ck'));
  });

  it('refuses a config of another model, or with data.scale (exit 2, naming the config file)', async () => {
    const dir = tempDir();
    await imported(dir, 3, REGRESSOR);
    writeFileSync(join(dir, 'xy.csv'), 'a,b,c,y\n1,2,3,2\n');
    writeFileSync(
      join(dir, 'other.json'),
      JSON.stringify(
        trainConfig({}, [
          { type: 'dense', inputs: 3, units: 2 },
          { type: 'dense', units: 1 },
        ]),
      ),
    );
    const other = await cli(['import', join(dir, 'model.json'), '--out', join(dir, 'x'), '--config', join(dir, 'other.json')]);
    expect(other.code).toBe(2);
    expect(other.err).toMatch(new RegExp(`^gradstream import: ${join(dir, 'other.json')}: .*params`));
    writeFileSync(join(dir, 'scaled.json'), JSON.stringify(trainConfig({ scale: 'standardize' })));
    expect((await cli(['import', join(dir, 'model.json'), '--out', join(dir, 'x'), '--config', join(dir, 'scaled.json')])).err).toBe(
      `gradstream import: ${join(dir, 'scaled.json')}: data.scale: expected "none" or nothing for an imported model (its weights take the raw features), received "standardize"`,
    );
  });
});
