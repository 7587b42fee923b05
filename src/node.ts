// gradstream/node — everything in `gradstream`, plus the sinks that need Node's `fs`.
export * from './index.js';

// --- file sources: CSV and JSON Lines, streamed
export { fromCsv } from './node/fromCsv.js';
export type { FromCsvOptions } from './node/fromCsv.js';
export { fromJsonl } from './node/fromJsonl.js';
export type { FromJsonlOptions } from './node/fromJsonl.js';
export type { FileBatchSource } from './node/fileBatchSource.js';
export { DEFAULT_CACHE_BYTES } from './node/fileSource.js';
export type { FileSourceOptions, FileSplit } from './node/fileSource.js';
export type { ColumnOptions } from './node/columns.js';

// --- file sinks
export { checkpoint } from './sinks/checkpoint.js';
export { CheckpointOptions } from './schemas/sinkOptions.js';
export { fsStorage } from './sinks/fsStorage.js';
export type { FsStorageOptions } from './sinks/fsStorage.js';
export { readCheckpoint } from './sinks/readCheckpoint.js';
export { resume } from './sinks/resume.js';
export { loadModel } from './sinks/loadModel.js';
export { logFile } from './sinks/logFile.js';
export { writeFileAtomic } from './sinks/writeFileAtomic.js';
export type { WriteFileAtomicOptions } from './sinks/writeFileAtomic.js';

// --- live training: dashboard server and EventEmitter adapter
export { serveLive } from './live/serveLive.js';
export type { LiveServer, ServeLiveOptions } from './live/serveLive.js';
export { toEventEmitter } from './live/toEventEmitter.js';
export type { TrainingEmitter } from './live/toEventEmitter.js';
export { nodeWorker } from './live/nodeWorker.js';

// --- Redis Streams: an online source, a step-record sink, distributed data-parallel training.
// Users pass their own node-redis client (`redis`, an optional peer dependency); nothing here
// imports it.
export type { RedisClientLike } from './redis/redisClient.js';
export { fromRedisStream, isRedisBatch } from './redis/fromRedisStream.js';
export type { FromRedisStreamOptions, RedisBatch, RedisStreamSource } from './redis/fromRedisStream.js';
export { ackOnCheckpoint } from './redis/ackOnCheckpoint.js';
export { toRedisStream } from './redis/toRedisStream.js';
export type { ToRedisStreamOptions } from './redis/toRedisStream.js';
export { runRedisWorker } from './redis/redisWorker.js';
export type { RedisWorkerOptions, RedisWorkerResult } from './redis/redisWorker.js';
export { runRedisUpdater } from './redis/redisUpdater.js';
export type { RedisRound, RedisStall, RedisUpdaterOptions, RedisUpdaterResult } from './redis/redisUpdater.js';
export { redisUpdaterTraining } from './redis/redisUpdaterTraining.js';
export { readRedisRounds } from './redis/readRedisRounds.js';
export type { RoundContribution } from './redis/readRedisRounds.js';
export { redisRunKeys } from './redis/redisKeys.js';
export type { RedisRunKeys } from './redis/redisKeys.js';
export { shardGradient } from './redis/shardGradient.js';
export type { ShardGradientFn } from './redis/shardGradient.js';
export { combineContributions } from './redis/combineContributions.js';
export type { Contribution } from './redis/combineContributions.js';
export type { StreamEntry } from './redis/streamEntries.js';
