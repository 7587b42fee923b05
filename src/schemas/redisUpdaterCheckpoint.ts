import { z } from 'zod';
import { CheckpointFile } from './checkpoint.js';

/** A Redis stream entry ID, `<ms>-<seq>`. */
export const StreamId = z.string().regex(/^\d+-\d+$/, 'a stream entry ID like 1700000000000-0');
export type StreamId = z.infer<typeof StreamId>;

const count = z.number().int().min(0);

/**
 * The distributed updater's checkpoint (`runRedisUpdater`): the model checkpoint (params,
 * optimizer state; its `step` is the model version) plus where the run stands in Redis — the
 * samples applied, the position in the contributions stream, the last applied entry ID of every
 * consumer, and the IDs of the round that made this version (acknowledged after the write, and
 * refused if they come again).
 */
export const RedisUpdaterCheckpoint = z.strictObject({
  format: z.literal('gradstream-redis-updater'),
  version: z.literal(1),
  modelVersion: count,
  samples: count,
  gradsCursor: StreamId,
  applied: z.record(z.string(), StreamId),
  lastRound: z.array(StreamId),
  stale: count,
  duplicates: count,
  checkpoint: CheckpointFile,
});
export type RedisUpdaterCheckpoint = z.infer<typeof RedisUpdaterCheckpoint>;
