import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, EXAMPLES, tempDir } from './cliHarness.js';

const seed = (): Record<string, unknown> => JSON.parse(readFileSync(join(EXAMPLES, 'seed.json'), 'utf8')) as Record<string, unknown>;

describe('gradstream train --checkpoint-dir', () => {
  it('gives the folder of a checkpoint section without dir (everySteps applies)', async () => {
    const dir = tempDir();
    const file = join(dir, 'run.json');
    writeFileSync(file, JSON.stringify({ ...seed(), checkpoint: { everySteps: 2 } }));
    const r = await cli(['train', file, '--quiet', '--checkpoint-dir', join(dir, 'flag')]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(existsSync(join(dir, 'flag/last.json'))).toBe(true);
    expect(existsSync(join(dir, 'flag/step-2.json'))).toBe(true);
  });

  it('overrides checkpoint.dir', async () => {
    const dir = tempDir();
    const file = join(dir, 'run.json');
    writeFileSync(file, JSON.stringify({ ...seed(), checkpoint: { dir: 'config', everySteps: 2 } }));
    expect((await cli(['train', file, '--quiet', '--checkpoint-dir', join(dir, 'flag')])).code).toBe(0);
    expect(existsSync(join(dir, 'flag/step-2.json'))).toBe(true);
    expect(existsSync(join(dir, 'config'))).toBe(false);
  });

  it('refuses a checkpoint section without dir and no flag (exit 2, the field named)', async () => {
    const dir = tempDir();
    const file = join(dir, 'run.json');
    writeFileSync(file, JSON.stringify({ ...seed(), checkpoint: { everySteps: 2 } }));
    const r = await cli(['train', file, '--quiet']);
    expect(r.code).toBe(2);
    expect(r.err).toBe(`gradstream train: ${file}: checkpoint.dir: expected a folder (or --checkpoint-dir DIR), received none`);
  });
});
