import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, EXAMPLES, ROOT, tempDir } from './cliHarness.js';

const SEED_LOSSES = [
  16.740979677499997, 12.095357816993747, 8.738896022777983, 6.313852376457095, 4.56175834199025, 3.2958704020879557, 2.381266365508548,
];
const FIXTURE = join(ROOT, 'tests/fixtures/autodiff/customModule.ts');
const seed = (): Record<string, unknown> => JSON.parse(readFileSync(join(EXAMPLES, 'seed.json'), 'utf8')) as Record<string, unknown>;

/** Writes `config` into a folder of its own and runs `train --json`; `module` is relative to it. */
async function train(make: (module: string) => Record<string, unknown>, ...flags: string[]) {
  const dir = join(tempDir(), 'configs');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'run.json');
  writeFileSync(file, JSON.stringify(make(`./${relative(dir, FIXTURE)}`)));
  const r = await cli(['train', file, '--json', ...flags]);
  return {
    ...r,
    dir,
    lines: r.code === 0 ? r.out.split('\n').map((l) => JSON.parse(l) as { type: string; loss: number; step: number; reason?: string }) : [],
  };
}

describe('gradstream train: a loss and a layer from a module file', () => {
  it('trains the lesson with a defineLoss MSE and a defineLayer layer named by the config', async () => {
    const r = await train((module) => ({
      ...seed(),
      model: { layers: [{ type: 'module', module, export: 'lessonLayer' }] },
      loss: { type: 'module', module, export: 'mseByFormula' },
    }));
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const steps = r.lines.filter((l) => l.type === 'step');
    expect(steps).toHaveLength(7);
    steps.forEach((l, i) => expect(Math.abs(l.loss - SEED_LOSSES[i]!)).toBeLessThanOrEqual(1e-12 * SEED_LOSSES[i]!));
    expect(r.lines[r.lines.length - 1]!.reason).toBe('threshold');
  });

  it('saves the module reference in checkpoints, made absolute', async () => {
    const r = await train((module) => ({
      ...seed(),
      loss: { type: 'module', module, export: 'mseByFormula' },
      model: { layers: [{ type: 'module', module, export: 'lessonLayer' }] },
      checkpoint: { dir: './ckpt' },
    }));
    expect(r.code).toBe(0);
    const ckpt = JSON.parse(readFileSync(join(r.dir, 'ckpt', 'last.json'), 'utf8')) as { model: { layers: unknown[] } };
    expect(ckpt.model.layers).toEqual([{ type: 'module', module: FIXTURE, export: 'lessonLayer' }]);
  });

  it('lets a module loss read class labels (one target column for several outputs)', async () => {
    const r = await train((module) => ({
      model: { layers: [{ type: 'dense', inputs: 2, units: 3 }] },
      loss: { type: 'module', module, export: 'ceLabels' },
      optimizer: { type: 'sgd', lr: 0.5 },
      data: {
        inputs: [
          [1, 0],
          [0, 1],
          [-1, -1],
          [1, 1],
        ],
        targets: [[0], [1], [2], [0]],
      },
      training: { mode: 'sync', maxSteps: 20, seed: 1 },
      log: { every: 1 },
    }));
    expect(r.err).toBe('');
    const steps = r.lines.filter((l) => l.type === 'step');
    expect(steps).toHaveLength(21);
    expect(steps[20]!.loss).toBeLessThan(steps[0]!.loss / 2);
  });

  it('predicts from a checkpoint whose model has a module layer, with the config or a data file', async () => {
    const dir = join(tempDir(), 'csv');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'data.csv'), 'a,b,c,d,t1,t2,t3,t4\n1,2,3,4,2,3,4,5\n');
    const module = `./${relative(dir, FIXTURE)}`;
    const file = join(dir, 'run.json');
    writeFileSync(
      file,
      JSON.stringify({
        model: { layers: [{ type: 'module', module, export: 'lessonLayer' }] },
        loss: { type: 'module', module, export: 'mseByFormula' },
        optimizer: { type: 'sgd', lr: 0.01 },
        data: { csv: './data.csv', features: ['a', 'b', 'c', 'd'], targets: ['t1', 't2', 't3', 't4'] },
        training: { mode: 'sync', maxSteps: 3 },
        checkpoint: { dir: './ckpt' },
      }),
    );
    expect((await cli(['train', file, '--quiet'])).code).toBe(0);
    const ckpt = join(dir, 'ckpt', 'last.json');
    const viaConfig = await cli(['predict', ckpt, file]);
    const viaData = await cli(['predict', ckpt, join(dir, 'data.csv')]);
    expect(viaConfig.err).toBe('');
    expect(viaData.err).toBe('');
    expect(viaData.out).toBe(viaConfig.out);
    expect(viaData.out.split('\n')).toHaveLength(2);
  });

  it('names the field when the module or the export is wrong', async () => {
    const bad = async (loss: Record<string, unknown>) => (await train(() => ({ ...seed(), loss }))).err;
    expect(await bad({ type: 'module', module: './missing.js' })).toMatch(
      /run\.json: loss\.module: expected a module that loads, received ".*\/configs\/missing\.js" \(Cannot find module/,
    );
    const wrongExport = await train((module) => ({ ...seed(), loss: { type: 'module', module, export: 'nope' } }));
    expect(wrongExport.err).toMatch(
      /run\.json: loss\.export: expected an export of .*customModule\.ts \("mseByFormula", "lessonLayer", "notALoss", "ceLabels"\), received "nope"/,
    );
    const notLoss = await train((module) => ({ ...seed(), loss: { type: 'module', module, export: 'notALoss' } }));
    expect(notLoss.err).toMatch(
      /run\.json: loss: expected a loss \(value, grad\), e\.g\. from defineLoss exported as "notALoss" by .*customModule\.ts, received object/,
    );
    expect(notLoss.code).toBe(2);
  });
});
