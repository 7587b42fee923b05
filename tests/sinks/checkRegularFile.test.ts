import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GradstreamError } from '../../src/index.js';
import { checkRegularFile } from '../../src/sinks/checkRegularFile.js';
import { fsStorage } from '../../src/sinks/fsStorage.js';
import { tempDir } from '../cli/cliHarness.js';

describe('checkRegularFile', () => {
  it('passes a regular file; refuses a FIFO without waiting for a writer, a folder, a device and a file too large', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'a.json'), '{"ok":true}');
    await expect(checkRegularFile(join(dir, 'a.json'), 100, 'invalid_checkpoint')).resolves.toBeUndefined();
    execFileSync('mkfifo', [join(dir, 'pipe.json')]);
    const fifo = await checkRegularFile(join(dir, 'pipe.json'), 100, 'invalid_checkpoint').catch((e: unknown) => e);
    expect(fifo).toBeInstanceOf(GradstreamError);
    expect((fifo as GradstreamError).code).toBe('invalid_checkpoint');
    expect((fifo as Error).message).toBe(`${join(dir, 'pipe.json')}: expected a regular file, received a FIFO (named pipe)`);
    await expect(checkRegularFile(join(dir, 'pipe.json'), 100, 'invalid_checkpoint', 'a checkpoint file')).rejects.toThrow(
      `${join(dir, 'pipe.json')}: expected a checkpoint file (a regular file), received a FIFO (named pipe)`,
    );
    mkdirSync(join(dir, 'sub'));
    await expect(checkRegularFile(join(dir, 'sub'), 100, 'invalid_config')).rejects.toThrow(
      `${join(dir, 'sub')}: expected a regular file, received a folder`,
    );
    await expect(checkRegularFile('/dev/null', 100, 'invalid_checkpoint')).rejects.toThrow(
      '/dev/null: expected a regular file, received a character device',
    );
    await expect(checkRegularFile(join(dir, 'a.json'), 5, 'invalid_config', 'a config file')).rejects.toThrow(
      `${join(dir, 'a.json')}: expected a config file of at most`,
    );
    await expect(checkRegularFile(join(dir, 'none.json'), 100, 'invalid_checkpoint')).resolves.toBeUndefined();
  });

  it('fsStorage reads a regular file, refuses a FIFO and a folder, and reports an absent file as undefined', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'a.json'), '{"ok":true}');
    execFileSync('mkfifo', [join(dir, 'pipe.json')]);
    mkdirSync(join(dir, 'sub'));
    const storage = fsStorage(dir, { owns: () => false });
    expect(await storage.read('a.json')).toBe('{"ok":true}');
    await expect(storage.read('pipe.json')).rejects.toThrow(
      `${join(dir, 'pipe.json')}: expected a regular file, received a FIFO (named pipe)`,
    );
    await expect(storage.read('sub')).rejects.toThrow(`${join(dir, 'sub')}: expected a regular file, received a folder`);
    expect(await storage.read('none.json')).toBeUndefined();
  });
});
