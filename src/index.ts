// gradstream — the browser-safe public API (no `fs`). Node-only sinks live in `gradstream/node`.

// --- errors
export { GradstreamError, formatError } from './core/errors.js';
export type { GradstreamErrorCode, GradstreamErrorData } from './core/errors.js';

// --- parameters
export { cloneParams, copyParams, createParams, param, paramIndex, paramLayout, paramsFrom, paramsToObject, toRows } from './core/params.js';
export type { ParamLayout, Params, TensorData } from './core/params.js';

// --- randomness
export { createRng } from './core/rng.js';
export type { Rng, RngState } from './core/rng.js';

// --- kernels
export { addRowVector, axpy, matmul, matmulTransA, matmulTransB, sumRows } from './core/kernels.js';

// --- models and layers
export { dense } from './core/dense.js';
export type { DenseOptions } from './core/dense.js';
export { sequential } from './core/sequential.js';
export type { Layer, LayerParamSpec } from './core/layer.js';
export type { ForwardCache, Model } from './core/model.js';
export { glorotUniform, zeros } from './core/initializers.js';
export type { Initializer } from './core/initializers.js';

// --- losses
export { mse } from './core/losses/mse.js';
export type { Loss } from './core/loss.js';

// --- optimizers
export { applyUpdates } from './core/optimizer.js';
export type { GradientTransformation, LearningRate, OptState, Schedule } from './core/optimizer.js';
export { chain } from './core/optimizers/chain.js';
export { scaleByLearningRate } from './core/optimizers/scaleByLearningRate.js';
export type { ScaleByLearningRateState } from './core/optimizers/scaleByLearningRate.js';
export { sgd } from './core/optimizers/sgd.js';
export type { SgdOptions } from './core/optimizers/sgd.js';

// --- streams: the loop driver and data
export { train } from './streams/train.js';
export type { LoopScheduling, TrainOptions } from './streams/train.js';
export { fullBatch } from './streams/fullBatch.js';
export type { BatchReader, BatchSource, DataCursor } from './streams/batchSource.js';
export type { Batch, StepRecord, StopReason, WithGrads, WithLoss, WithOutput } from './streams/stepRecord.js';

// --- operators
export { forward } from './ops/forward.js';
export { loss } from './ops/loss.js';
export { gradient } from './ops/gradient.js';
export { update } from './ops/update.js';
export { every } from './ops/every.js';

// --- sinks
export { earlyStopping } from './sinks/earlyStopping.js';
export type { EarlyStoppingOptions } from './sinks/earlyStopping.js';
export { formatLogLine, log } from './sinks/log.js';
export type { LogOptions } from './sinks/log.js';
export { snapshot } from './sinks/snapshot.js';
export type { StepSnapshot } from './sinks/snapshot.js';
export { decodeCheckpoint, encodeCheckpoint } from './sinks/checkpointCodec.js';
export type { Checkpoint } from './sinks/checkpointCodec.js';

// --- schemas
export { CheckpointFile } from './schemas/checkpoint.js';
