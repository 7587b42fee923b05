import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, tempDir } from './cliHarness.js';

const classifier = (units: number, data: object, extra: object = {}) => ({
  model: { layers: [{ type: 'dense', inputs: 2, units: 4 }, { type: 'relu' }, { type: 'dense', units }] },
  loss: 'softmaxCrossEntropy',
  optimizer: { type: 'sgd', lr: 0.1 },
  data,
  training: { maxSteps: 3, batchSize: 2 },
  ...extra,
});

async function train(config: object, csv?: string): Promise<{ code: number; out: string; err: string; file: string; dir: string }> {
  const dir = tempDir();
  if (csv !== undefined) writeFileSync(join(dir, 'd.csv'), csv);
  const file = join(dir, 'run.json');
  writeFileSync(file, JSON.stringify(config));
  return { ...(await cli(['train', file, '--quiet'])), file, dir };
}

const CSV = 'a,b,k\n1,2,x\n2,3,y\n\n3,4,z\n4,5,x\n';

describe("class labels against the model's outputs", () => {
  it("names the file, row and column and the class count of a label past the model's outputs (exit 2)", async () => {
    const r = await train(classifier(2, { csv: 'd.csv', features: ['a', 'b'], label: 'k' }), CSV);
    expect(r.code).toBe(2);
    expect(r.err).toBe(
      `gradstream train: ${r.file}: ${join(r.dir, 'd.csv')} row 5, column "k": expected one of the 2 classes the model outputs ("x", "y"; model.layers[2].units: 2 for the 3 classes of "k"), received "z"`,
    );
  });

  it('refuses more classes than outputs when no row has the extra class', async () => {
    const r = await train(
      classifier(2, { csv: 'd.csv', features: ['a', 'b'], label: 'k', classes: ['x', 'y', 'z', 'w'] }),
      'a,b,k\n1,2,x\n2,3,y\n',
    );
    expect(r.code).toBe(2);
    expect(r.err).toBe(
      `gradstream train: ${r.file}: data.classes: expected at most 2 classes (model.layers[2].units: 2), received 4: "x", "y", "z", "w"`,
    );
  });

  it('names the row of an inline label past the outputs (and of the validation rows)', async () => {
    const r = await train(
      classifier(2, {
        inputs: [
          [1, 2],
          [2, 3],
          [3, 4],
        ],
        targets: [[0], [1], [2]],
      }),
    );
    expect(r.code).toBe(2);
    expect(r.err).toBe(
      `gradstream train: ${r.file}: data.targets[2][0]: expected a class index in [0, 2) (model.layers[2].units: 2), received 2`,
    );
    const v = await train(
      classifier(
        2,
        {
          inputs: [
            [1, 2],
            [2, 3],
          ],
          targets: [[0], [1]],
        },
        { validation: { inputs: [[1, 2]], targets: [[1.5]] } },
      ),
    );
    expect(v.code).toBe(2);
    expect(v.err).toBe(
      `gradstream train: ${v.file}: validation.targets[0][0]: expected a class index in [0, 2) (model.layers[2].units: 2), received 1.5`,
    );
  });

  it('warns when the model has more outputs than classes, and trains', async () => {
    const r = await train(classifier(5, { csv: 'd.csv', features: ['a', 'b'], label: 'k' }), CSV);
    expect(r.code).toBe(0);
    expect(r.err).toBe(
      `gradstream train: warning: ${r.file}: model.layers[2].units: 5, but the label column "k" has 3 classes: outputs 3–4 are never a target`,
    );
    const i = await train(
      classifier(3, {
        inputs: [
          [1, 2],
          [2, 3],
        ],
        targets: [[0], [1]],
      }),
    );
    expect(i.code).toBe(0);
    expect(i.err).toBe(
      `gradstream train: warning: ${i.file}: model.layers[2].units: 3, but the largest class label in data.targets is 1: output 2 is never a target`,
    );
    const ok = await train(classifier(3, { csv: 'd.csv', features: ['a', 'b'], label: 'k' }), CSV);
    expect([ok.code, ok.err]).toEqual([0, '']);
  });
});
