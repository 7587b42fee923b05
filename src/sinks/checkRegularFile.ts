import type { Stats } from 'node:fs';
import { stat } from 'node:fs/promises';
import { GradstreamError, type GradstreamErrorCode } from '../core/errors.js';
import { describeLength } from '../schemas/limits.js';

/** What a path that is not a regular file is. */
function kind(s: Stats): string {
  if (s.isFIFO()) return 'a FIFO (named pipe)';
  if (s.isCharacterDevice()) return 'a character device';
  if (s.isBlockDevice()) return 'a block device';
  if (s.isSocket()) return 'a socket';
  return 'not a regular file';
}

/**
 * Refuses, before reading it, a file that is not a regular file (a FIFO, a device such as
 * `/dev/zero`, a socket — symbolic links are followed) or is larger than `maxBytes`: a
 * `GradstreamError` with `code` naming the path. Reading such a file would block for ever or
 * fill memory. A folder, or a path that cannot be examined, is left to the reader, which says why.
 */
export async function checkRegularFile(path: string, maxBytes: number, code: GradstreamErrorCode, what: string): Promise<void> {
  let s: Stats;
  try {
    s = await stat(path);
  } catch {
    return;
  }
  if (s.isDirectory()) return; // the reader's message says so
  if (!s.isFile()) throw new GradstreamError({ code, path, expected: `${what} (a regular file)`, received: kind(s) });
  if (s.size > maxBytes) {
    throw new GradstreamError({
      code,
      path,
      expected: `${what} of at most ${describeLength(maxBytes, 'bytes')}`,
      received: `${s.size.toLocaleString('en-US')} bytes`,
    });
  }
}
