import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run.js';
import { encodeCheckpoint } from '../../src/index.js';
import { seedRecord } from '../helpers/records.js';

async function cli(...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(args, { out: (l) => out.push(l), err: (l) => err.push(l), version: '9.9.9' });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('gradstream CLI', () => {
  it('prints help and version', async () => {
    expect(await cli('--version')).toEqual({ code: 0, out: '9.9.9', err: '' });
    const help = await cli('--help');
    expect(help.code).toBe(0);
    expect(help.out).toContain('info <checkpoint.json>');
    expect((await cli()).code).toBe(2);
    const unknown = await cli('fly');
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain('unknown command "fly"');
    expect((await cli('info')).code).toBe(2);
  });

  it('describes a checkpoint', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gradstream-cli-'));
    const path = join(dir, 'c.json');
    writeFileSync(path, JSON.stringify(encodeCheckpoint(Object.assign(seedRecord(6), { loss: 2.5, stopReason: 'threshold' as const }))));
    const r = await cli('info', path);
    expect(r.code).toBe(0);
    expect(r.out.split('\n').slice(1)).toEqual([
      '  step        6 (epoch 6, batch 0)',
      '  loss        2.5',
      '  lr          -',
      '  stopped     threshold',
      '  parameters  16: 0.W [4, 4]',
      '  optimizer   no state',
      '  rng         not saved',
    ]);
  });

  it('fails with the field on a bad checkpoint', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gradstream-cli-'));
    const path = join(dir, 'bad.json');
    writeFileSync(path, JSON.stringify({ format: 'gradstream-checkpoint' }));
    const r = await cli('info', path);
    expect(r.code).toBe(1);
    expect(r.err).toBe(`gradstream: ${path}: checkpoint.version: expected 1, received undefined`);
  });
});
