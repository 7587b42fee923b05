import { z } from 'zod';

const positiveInt = z.number().int().positive();
const name = z.string().min(1);

/**
 * The `redis` section of a config for `gradstream worker` and `gradstream updater`: the data
 * stream and consumer group, the run's key prefix, and the round and timing settings (ms).
 */
export const RedisSection = z.strictObject({
  /** The stream of samples (fields `x` and `y` as JSON). */
  stream: name,
  /** The workers' consumer group (default `gradstream`). */
  group: name.optional(),
  /** The run's key prefix (default `gradstream`): `<prefix>:grads`, `<prefix>:versions`, `<prefix>:rounds`. */
  prefix: name.optional(),
  /** Samples per contribution (default 32). */
  batchSize: positiveInt.optional(),
  /** Contributions from distinct workers that close a round (default 1). */
  workers: positiveInt.optional(),
  roundTimeoutMs: positiveInt.optional(),
  blockMs: positiveInt.optional(),
  claimIdleMs: positiveInt.optional(),
  /** A worker contributes again after waiting this long for a new version (default 2 × roundTimeoutMs + 1000). */
  resendAfterMs: positiveInt.optional(),
  timeoutMs: positiveInt.optional(),
  /** Stop the updater after this many versions or samples. */
  maxVersions: positiveInt.optional(),
  maxSamples: positiveInt.optional(),
  /** Rounds kept in `<prefix>:rounds` for audits (default: all). */
  keepRounds: positiveInt.optional(),
  /** Let the updater run on a server that may lose acknowledged writes in a crash (RDB snapshots only, `appendfsync no`; default false: refused). */
  allowNonDurableBroker: z.boolean().optional(),
  /** The updater warns after this long without a round (default 60000). */
  stallWarningMs: positiveInt.optional(),
  /** The updater's checkpoint file (default `<prefix>-updater.json`), relative to the config file. */
  checkpoint: name.optional(),
  deadLetterStream: name.optional(),
});
export type RedisSection = z.infer<typeof RedisSection>;

/**
 * A config for distributed training over Redis: `model`, `loss`, `optimizer` as in a training
 * config (validated by `modelFromConfig`, `lossFromConfig`, `optimizerFromConfig`), an optional
 * `seed` (of the initial weights; default 0; `training.seed` is read too) and the {@link
 * RedisSection}. Other keys of a training config (`data`, `stop`, …) are allowed and ignored.
 */
export const RedisRunConfig = z.looseObject({
  model: z.unknown(),
  loss: z.unknown(),
  optimizer: z.unknown(),
  seed: z.number().int().optional(),
  training: z.looseObject({ seed: z.number().int().optional() }).optional(),
  redis: RedisSection,
});
export type RedisRunConfig = z.infer<typeof RedisRunConfig>;
