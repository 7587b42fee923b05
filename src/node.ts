// gradstream/node — everything in `gradstream`, plus the sinks that need Node's `fs`.
export * from './index.js';

// --- file sources: CSV and JSON Lines, streamed
export { fromCsv } from './node/fromCsv.js';
export type { FromCsvOptions } from './node/fromCsv.js';
export { fromJsonl } from './node/fromJsonl.js';
export type { FromJsonlOptions } from './node/fromJsonl.js';
export type { FileBatchSource } from './node/fileBatchSource.js';
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
