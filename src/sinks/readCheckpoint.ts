import { readFile } from 'node:fs/promises';
import { GradstreamError } from '../core/errors.js';
import type { ParamLayout } from '../core/params.js';
import { decodeCheckpoint, type Checkpoint } from './checkpointCodec.js';

/**
 * Reads and validates a checkpoint file written by `checkpoint`. With `layout`, its parameter
 * names and shapes must match. Rejects with a `GradstreamError` (`invalid_checkpoint`) naming the
 * file and the field on bad content.
 *
 * @example
 * import { readCheckpoint } from 'gradstream/node';
 * const ckpt = await readCheckpoint('checkpoints/seed.json');
 * // train({ params: ckpt.params, optState: ckpt.optState, step: ckpt.step, cursor: ckpt.cursor, … })
 */
export async function readCheckpoint(path: string, layout?: ParamLayout): Promise<Checkpoint> {
  const text = await readFile(path, 'utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e: unknown) {
    throw new GradstreamError({ code: 'invalid_checkpoint', path, expected: 'a JSON checkpoint file', received: `invalid JSON (${(e as Error).message})` });
  }
  try {
    return decodeCheckpoint(json, layout);
  } catch (e: unknown) {
    if (e instanceof GradstreamError) throw new GradstreamError({ code: e.code, path: `${path}: ${e.path}`, expected: e.expected, received: e.received });
    throw e;
  }
}
