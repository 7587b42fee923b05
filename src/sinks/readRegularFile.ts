import { constants, type Stats } from 'node:fs';
import { open } from 'node:fs/promises';
import { GradstreamError } from '../core/errors.js';

/**
 * Reads the regular file at `path` as UTF-8. It is opened without blocking (`O_NONBLOCK`: opening
 * a FIFO does not wait for a writer) and refused unless it is a regular file — a FIFO, a device
 * or a folder would block the read or never end, and a pending file-system operation keeps a
 * Node process alive — with a `GradstreamError` (`code`) naming `path` and what is there.
 * Rejects with the file system's error otherwise (`ENOENT` when absent).
 */
export async function readRegularFile(path: string, code: 'invalid_checkpoint' | 'invalid_config' = 'invalid_checkpoint'): Promise<string> {
  const handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) throw new GradstreamError({ code, path, expected: 'a regular file', received: kindOf(stats) });
    return await handle.readFile('utf8');
  } finally {
    await handle.close();
  }
}

/** What a path that is not a regular file is, in words. */
function kindOf(stats: Stats): string {
  if (stats.isFIFO()) return 'a FIFO (named pipe)';
  if (stats.isDirectory()) return 'a folder';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  if (stats.isSocket()) return 'a socket';
  return 'not a regular file';
}
