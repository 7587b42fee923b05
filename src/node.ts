// gradstream/node — everything in `gradstream`, plus the sinks that need Node's `fs`.
export * from './index.js';

// --- file sinks
export { checkpoint } from './sinks/checkpoint.js';
export type { CheckpointOperator, CheckpointOptions, CheckpointWritten } from './sinks/checkpoint.js';
export { readCheckpoint } from './sinks/readCheckpoint.js';
export { writeFileAtomic } from './sinks/writeFileAtomic.js';
