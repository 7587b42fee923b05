import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeCheckpoint } from '../../src/index.js';
import { seedRecord } from '../helpers/records.js';
import { cli, tempDir, trained } from './cliHarness.js';

describe('gradstream CLI', () => {
  it('prints help and version', async () => {
    expect(await cli(['--version'])).toEqual({ code: 0, out: '9.9.9', err: '' });
    const help = await cli(['--help']);
    expect(help.code).toBe(0);
    for (const c of [
      'train CONFIG',
      'plot LOG.jsonl',
      'schema',
      'info CHECKPOINT.json',
      'export CHECKPOINT --format F --out PATH',
      'import MODEL.json --out CHECKPOINT',
      'worker',
      'updater',
      'exit codes',
    ])
      expect(help.out).toContain(c);
    expect((await cli([])).code).toBe(2);
    const unknown = await cli(['fly']);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain('unknown command "fly"');
    const helpTrain = await cli(['help', 'train']);
    expect(helpTrain.out).toContain('usage: gradstream train CONFIG');
  });

  it('has --help on every command', async () => {
    for (const [command, first] of [
      ['train', 'usage: gradstream train CONFIG'],
      ['plot', 'usage: gradstream plot LOG.jsonl'],
      ['schema', 'usage: gradstream schema'],
      ['info', 'usage: gradstream info CHECKPOINT.json'],
    ] as const) {
      const r = await cli([command, '--help']);
      expect(r.code).toBe(0);
      expect(r.out.split('\n')[0]!.startsWith(first)).toBe(true);
      expect((await cli([command, '-h'])).out).toBe(r.out);
    }
  });

  it('dispatches worker and updater to the Redis commands (loaded on demand)', async () => {
    const worker = await cli(['worker', '--help']);
    expect(worker.code).toBe(0);
    const updater = await cli(['updater']);
    expect(updater.code).toBe(2);
  });

  it('reports usage errors with exit code 2 and a hint', async () => {
    expect(await cli(['info'])).toEqual({
      code: 2,
      out: '',
      err: 'gradstream info: expected CHECKPOINT.json, received nothing\nrun "gradstream info --help" for usage',
    });
    expect(await cli(['info', 'a', 'b'])).toEqual({
      code: 2,
      out: '',
      err: 'gradstream info: unexpected argument "b" (expected CHECKPOINT.json)\nrun "gradstream info --help" for usage',
    });
    expect((await cli(['train', 'x.json', '--fast'])).err).toBe(
      `gradstream train: Unknown option '--fast'\nrun "gradstream train --help" for usage`,
    );
    expect((await cli(['train', 'x.json', '--max-steps'])).err).toBe(
      `gradstream train: Option '--max-steps <value>' argument missing\nrun "gradstream train --help" for usage`,
    );
    expect((await cli(['train', 'x.json', '--max-steps', '1.5'])).err).toBe(
      'gradstream train: --max-steps: expected an integer ≥ 0, received "1.5"\nrun "gradstream train --help" for usage',
    );
    expect((await cli(['train', 'x.json', '--serve', '70000'])).err).toBe(
      'gradstream train: --serve: expected an integer in [0, 65535], received "70000"\nrun "gradstream train --help" for usage',
    );
    expect((await cli(['schema', 'extra'])).code).toBe(2);
    expect((await cli(['train', 'x.json', '--max-steps', '-1'])).err).toBe(
      `gradstream train: Option '--max-steps' argument is ambiguous\nrun "gradstream train --help" for usage`,
    );
  });

  it('describes a checkpoint', async () => {
    const path = join(tempDir(), 'c.json');
    writeFileSync(path, JSON.stringify(encodeCheckpoint(Object.assign(seedRecord(6), { loss: 2.5, stopReason: 'threshold' as const }))));
    const r = await cli(['info', path]);
    expect(r.code).toBe(0);
    expect(r.out.split('\n').slice(1)).toEqual([
      '  step        6 (epoch 6, batch 0)',
      '  loss        2.5',
      '  lr          -',
      '  stopped     threshold',
      '  parameters  16: 0.W [4, 4]',
      '  optimizer   no state',
      '  rng         not saved',
      '  model       not saved',
      '  scaler      none',
      '  config      not saved',
    ]);
    // a checkpoint of `gradstream train`: its model, scaler, config and best value
    const { ckpt } = await trained({
      model: { layers: [{ type: 'dense', inputs: 1, units: 1 }] },
      loss: 'mse',
      optimizer: { type: 'sgd', lr: 0.1 },
      data: { inputs: [[1], [2], [3]], targets: [[2], [4], [6]], scale: 'minMax' },
      training: { maxSteps: 3 },
    });
    const full = await cli(['info', ckpt]);
    expect(full.out.split('\n').slice(-4)).toEqual([
      '  model       dense',
      '  scaler      minMax',
      '  config      saved',
      expect.stringMatching(/^ {2}best {8}loss [\d.e-]+ at step 3$/),
    ]);
  });

  it('fails with exit code 2 naming the file and field on a bad checkpoint', async () => {
    const dir = tempDir();
    const path = join(dir, 'bad.json');
    writeFileSync(path, JSON.stringify({ format: 'gradstream-checkpoint' }));
    const bad = await cli(['info', path]);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(new RegExp(`^gradstream info: ${path}: checkpoint\\.version: expected 1.*, received undefined$`));
    const none = await cli(['info', join(dir, 'none.json')]);
    expect(none.code).toBe(2);
    expect(none.err).toMatch(new RegExp(`^gradstream info: ${dir}/none\\.json: .*no such file`));
    const folder = await cli(['info', dir]);
    expect(folder.code).toBe(2);
    expect(folder.err).toMatch(new RegExp(`^gradstream info: ${dir}: .*`));
  });
});
