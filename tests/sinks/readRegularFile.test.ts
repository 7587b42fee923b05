import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GradstreamError } from '../../src/index.js';
import { readRegularFile } from '../../src/sinks/readRegularFile.js';
import { tempDir } from '../cli/cliHarness.js';

describe('readRegularFile', () => {
  it('reads a regular file; refuses a FIFO without waiting for a writer, a folder and a device', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'a.json'), '{"ok":true}');
    expect(await readRegularFile(join(dir, 'a.json'))).toBe('{"ok":true}');
    execFileSync('mkfifo', [join(dir, 'pipe.json')]);
    const fifo = await readRegularFile(join(dir, 'pipe.json')).catch((e: unknown) => e);
    expect(fifo).toBeInstanceOf(GradstreamError);
    expect((fifo as GradstreamError).code).toBe('invalid_checkpoint');
    expect((fifo as Error).message).toBe(`${join(dir, 'pipe.json')}: expected a regular file, received a FIFO (named pipe)`);
    mkdirSync(join(dir, 'sub'));
    await expect(readRegularFile(join(dir, 'sub'), 'invalid_config')).rejects.toThrow(
      `${join(dir, 'sub')}: expected a regular file, received a folder`,
    );
    await expect(readRegularFile('/dev/null')).rejects.toThrow('/dev/null: expected a regular file, received a character device');
    await expect(readRegularFile(join(dir, 'none.json'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
