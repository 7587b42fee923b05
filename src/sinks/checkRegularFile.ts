import type { Stats } from 'node:fs';
import { stat } from 'node:fs/promises';
import { GradstreamError, type GradstreamErrorCode } from '../core/errors.js';
import { describeLength } from '../schemas/limits.js';

/** What a path that is not a regular file is, in words. */
function kind(s: Stats): string {
  if (s.isFIFO()) return 'a FIFO (named pipe)';
  if (s.isDirectory()) return 'a folder';
  if (s.isCharacterDevice()) return 'a character device';
  if (s.isBlockDevice()) return 'a block device';
  if (s.isSocket()) return 'a socket';
  return 'not a regular file';
}

/**
 * Refuses, before reading it, a path that is not a regular file (a FIFO, a device such as
 * `/dev/zero`, a socket, a folder — symbolic links are followed) or a file larger than
 * `maxBytes`: a `GradstreamError` with `code` naming the path, `what` the file should be
 * (`'a checkpoint file'`; without it, `a regular file`) and what is there. Reading such a path
 * would block for ever or fill memory. A path that cannot be examined (absent, no permission) is
 * left to the reader, which says why.
 */
export async function checkRegularFile(path: string, maxBytes: number, code: GradstreamErrorCode, what?: string): Promise<void> {
  let s: Stats;
  try {
    s = await stat(path);
  } catch {
    return;
  }
  if (!s.isFile())
    throw new GradstreamError({
      code,
      path,
      expected: what === undefined ? 'a regular file' : `${what} (a regular file)`,
      received: kind(s),
    });
  if (s.size > maxBytes) {
    throw new GradstreamError({
      code,
      path,
      expected: `${what ?? 'a file'} of at most ${describeLength(maxBytes, 'bytes')}`,
      received: `${s.size.toLocaleString('en-US')} bytes`,
    });
  }
}
