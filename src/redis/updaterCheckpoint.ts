import { readFile } from 'node:fs/promises';
import { GradstreamError } from '../core/errors.js';
import type { OptState } from '../core/optimizer.js';
import type { ParamLayout, Params } from '../core/params.js';
import { fromZodError } from '../schemas/fromZodError.js';
import { RedisUpdaterCheckpoint } from '../schemas/redisUpdaterCheckpoint.js';
import { decodeCheckpoint, encodeCheckpoint } from '../sinks/checkpointCodec.js';
import { writeFileAtomic } from '../sinks/writeFileAtomic.js';
import { createStepRecord } from '../streams/stepRecord.js';

/** Where a distributed run stands: what the updater checkpoints after every round. */
export interface UpdaterState {
  /** The model version (rounds applied). */
  version: number;
  params: Params;
  optState: OptState;
  /** Samples applied so far. */
  samples: number;
  /** The last contributions-stream entry the updater consumed. */
  gradsCursor: string;
  /** The last applied data-entry ID of every consumer. */
  applied: Record<string, string>;
  /** The data-entry IDs of the round that made `version`. */
  lastRound: string[];
  stale: number;
  duplicates: number;
  /** The mean loss of the last round (NaN before the first) and the learning rate it used. */
  loss: number;
  lr: number;
}

const NO_BATCH = { x: new Float64Array(0), y: new Float64Array(0), size: 0 };

/** Writes the updater's state atomically (temporary file, flush, rename) as JSON. */
export function writeUpdaterCheckpoint(path: string, s: UpdaterState): Promise<void> {
  const checkpoint = encodeCheckpoint(
    createStepRecord(s.params, NO_BATCH, { step: s.version, optState: s.optState, loss: s.loss, lr: s.lr }),
  );
  const file: RedisUpdaterCheckpoint = {
    format: 'gradstream-redis-updater',
    version: 1,
    modelVersion: s.version,
    samples: s.samples,
    gradsCursor: s.gradsCursor,
    applied: s.applied,
    lastRound: s.lastRound,
    stale: s.stale,
    duplicates: s.duplicates,
    checkpoint,
  };
  return writeFileAtomic(path, JSON.stringify(file));
}

/**
 * Reads an updater checkpoint; `undefined` when the file does not exist. Rejects with a
 * `GradstreamError` (`invalid_checkpoint`) naming the file and the field on bad content, or
 * parameters that do not match `layout`.
 */
export async function readUpdaterCheckpoint(path: string, layout: ParamLayout): Promise<UpdaterState | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e: unknown) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e: unknown) {
    throw new GradstreamError({
      code: 'invalid_checkpoint',
      path,
      expected: 'a JSON updater checkpoint',
      received: `invalid JSON (${(e as Error).message})`,
    });
  }
  const parsed = RedisUpdaterCheckpoint.safeParse(json, { reportInput: true });
  if (!parsed.success) throw fromZodError('invalid_checkpoint', `${path}: checkpoint`, parsed.error);
  const c = parsed.data;
  let inner: ReturnType<typeof decodeCheckpoint>;
  try {
    inner = decodeCheckpoint(c.checkpoint, layout);
  } catch (e: unknown) {
    if (e instanceof GradstreamError)
      throw new GradstreamError({ code: e.code, path: `${path}: ${e.path}`, expected: e.expected, received: e.received });
    throw e;
  }
  if (inner.optState === undefined)
    throw new GradstreamError({
      code: 'invalid_checkpoint',
      path: `${path}: checkpoint.checkpoint.optState`,
      expected: 'the optimizer state',
      received: 'null',
    });
  return {
    version: c.modelVersion,
    params: inner.params,
    optState: inner.optState,
    samples: c.samples,
    gradsCursor: c.gradsCursor,
    applied: { ...c.applied },
    lastRound: [...c.lastRound],
    stale: c.stale,
    duplicates: c.duplicates,
    loss: inner.loss ?? Number.NaN,
    lr: inner.lr,
  };
}
