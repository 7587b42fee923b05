import { basename, dirname } from 'node:path';
import { GradstreamError, describeValue } from '../core/errors.js';
import type { ParamLayout } from '../core/params.js';
import type { Checkpoint } from './checkpointCodec.js';
import { MAX_CHECKPOINT_BYTES } from '../schemas/limits.js';
import { checkRegularFile } from './checkRegularFile.js';
import { fsStorage } from './fsStorage.js';
import { loadCheckpoint } from './loadCheckpoint.js';
import { resolveCheckpointPath } from './resolveCheckpointPath.js';

/**
 * Reads and validates a checkpoint file written by `checkpoint` — or, given a checkpoint folder,
 * its `last.json`. With `layout`, its parameter names and shapes must match. Rejects with a
 * `GradstreamError` (`invalid_checkpoint`) naming the file and the field: a missing file, bad
 * JSON, an unknown version, a wrong shape, a weight that is not finite; at once, without reading
 * it, a path that is not a regular file (a FIFO, `/dev/zero` behind a symbolic link) or a file
 * larger than 256 MiB (`MAX_CHECKPOINT_BYTES`).
 *
 * @example
 * import { readCheckpoint } from 'gradstream/node';
 * const ckpt = await readCheckpoint('checkpoints/run1'); // its last.json
 * // train({ params: ckpt.params, optState: ckpt.optState, step: ckpt.step, cursor: ckpt.cursor, … })
 */
export async function readCheckpoint(path: string, layout?: ParamLayout): Promise<Checkpoint> {
  if (typeof path !== 'string' || path === '') {
    throw new GradstreamError({
      code: 'invalid_config',
      path: 'readCheckpoint(path)',
      expected: 'a checkpoint file or folder path',
      received: describeValue(path),
    });
  }
  const file = await resolveCheckpointPath(path);
  await checkRegularFile(file, MAX_CHECKPOINT_BYTES, 'invalid_checkpoint', 'a checkpoint file');
  return loadCheckpoint(fsStorage(dirname(file)), basename(file), layout);
}
