// gradstream — the browser-safe public API (no `fs`). Node-only sinks live in `gradstream/node`.

// --- errors
export { GradstreamError, formatError } from './core/errors.js';
export type { GradstreamErrorCode, GradstreamErrorData } from './core/errors.js';

// --- parameters
export {
  cloneParams,
  copyParams,
  createParams,
  param,
  paramIndex,
  paramLayout,
  paramsFrom,
  paramsToObject,
  toRows,
} from './core/params.js';
// float32 precision: params and buffers of a precision (see sequential's `precision` option)
export { createParamsIn, precisionOf, zerosLike } from './core/params.js';
export type { ParamLayout, Params, TensorData } from './core/params.js';

// --- randomness
export { createRng } from './core/rng.js';
export type { Rng, RngState } from './core/rng.js';

// --- number type of parameters and passes (the matrix kernels themselves are in `gradstream/kernels`)
export type { Precision } from './core/kernelsF32.js';

// --- models and layers
export { dense } from './core/dense.js';
export type { DenseOptions } from './core/dense.js';
export { describeLayer, sequential } from './core/sequential.js';
export type { SequentialModel, SequentialOptions } from './core/sequential.js';
export type { ForwardMode, Layer, LayerContext, LayerParamSpec } from './core/layer.js';
export type { ForwardCache, Model } from './core/model.js';
export {
  fromValues,
  glorotNormal,
  glorotUniform,
  heNormal,
  heUniform,
  lecunNormal,
  lecunUniform,
  ones,
  truncatedNormal,
  zeros,
} from './core/initializers.js';
export type { Initializer } from './core/initializers.js';
export type { ActivationLayer } from './core/layers/activation.js';
export { relu } from './core/layers/relu.js';
export { leakyRelu } from './core/layers/leakyRelu.js';
export { elu } from './core/layers/elu.js';
export { sigmoid } from './core/layers/sigmoid.js';
export { tanh } from './core/layers/tanh.js';
export { softplus } from './core/layers/softplus.js';
export { identity } from './core/layers/identity.js';
export { softmax } from './core/layers/softmax.js';
export { dropout } from './core/layers/dropout.js';
export { batchNorm } from './core/layers/batchNorm.js';
export type { BatchNormOptions } from './core/layers/batchNorm.js';

// --- convolution, pooling and shapes (NHWC samples)
export { conv2d } from './core/layers/conv2d.js';
export type { Conv2dOptions } from './core/layers/conv2d.js';
export { maxPool2d } from './core/layers/maxPool2d.js';
export { avgPool2d } from './core/layers/avgPool2d.js';
export type { Pool2dOptions } from './core/layers/pool2d.js';
export type { Padding } from './core/layers/convGeometry.js';
export { globalAvgPool2d } from './core/layers/globalAvgPool2d.js';
export type { GlobalAvgPool2dOptions } from './core/layers/globalAvgPool2d.js';
export { flatten } from './core/layers/flatten.js';
export type { FlattenOptions } from './core/layers/flatten.js';
export { reshape } from './core/layers/reshape.js';

export { l1 } from './core/regularizers/l1.js';
export { l2 } from './core/regularizers/l2.js';
export { l1l2 } from './core/regularizers/l1l2.js';
export type { L1L2Options } from './core/regularizers/l1l2.js';
export type { Regularizer } from './core/regularizers/regularizer.js';
export { summary } from './core/summary.js';
export { predict } from './core/predict.js';

// --- sequence layers: embeddings and recurrent layers (input rows of timesteps × features)
export { embedding } from './core/layers/embedding.js';
export type { EmbeddingOptions } from './core/layers/embedding.js';
export { lstm } from './core/layers/lstm.js';
export type { LstmOptions } from './core/layers/lstm.js';
export { gru } from './core/layers/gru.js';
export type { GruOptions } from './core/layers/gru.js';
export type { SequenceOptions } from './core/layers/sequenceShape.js';
export { orthogonal } from './core/orthogonal.js';
export { EmbeddingLayerConfig, GruLayerConfig, LstmLayerConfig } from './schemas/modelConfig.js';
export type { SequenceLayerConfig } from './schemas/modelConfig.js';
// --- export and import: ONNX and the TensorFlow.js Layers format
export { toOnnx, ONNX_OPSET } from './core/interop/toOnnx.js';
export type { ExportOptions } from './core/interop/toOnnx.js';
export type { ExportScaler } from './core/interop/scalerAffine.js';
export { toTfjsLayers } from './core/interop/toTfjsLayers.js';
export type { TfjsExportOptions, TfjsLayersModel } from './core/interop/toTfjsLayers.js';
export type { TfjsLayerConfigJson, TfjsModelJson, TfjsWeightSpec } from './core/interop/tfjsModelJson.js';
export { fromTfjsLayers } from './core/interop/fromTfjsLayers.js';
export type { ImportOptions, ImportedModel } from './core/interop/fromTfjsLayers.js';

// --- losses
export { mse } from './core/losses/mse.js';
export { mae } from './core/losses/mae.js';
export { huber } from './core/losses/huber.js';
export { binaryCrossEntropy } from './core/losses/binaryCrossEntropy.js';
export type { BinaryCrossEntropyOptions } from './core/losses/binaryCrossEntropy.js';
export { softmaxCrossEntropy } from './core/losses/softmaxCrossEntropy.js';
export type { SoftmaxCrossEntropyOptions } from './core/losses/softmaxCrossEntropy.js';
export type { Loss } from './core/loss.js';

// --- automatic differentiation: losses and layers written as formulas
export { defineLoss } from './core/autodiff/defineLoss.js';
export type { DefineLossOptions, LossExpression } from './core/autodiff/defineLoss.js';
export { defineLayer } from './core/autodiff/defineLayer.js';
export type { LayerDefinition, LayerParamDefinition } from './core/autodiff/defineLayer.js';
export type { Tensor } from './core/autodiff/node.js';
export type { Operand, TensorOps } from './core/autodiff/tensorOps.js';

// --- metrics
export { accuracy } from './core/metrics/accuracy.js';
export type { AccuracyOptions } from './core/metrics/accuracy.js';
export { meanAbsoluteError } from './core/metrics/meanAbsoluteError.js';
export { rmse } from './core/metrics/rmse.js';
export { r2 } from './core/metrics/r2.js';
export type { MetricFn } from './core/metrics/metricFn.js';

// --- optimizers
export { applyUpdates } from './core/optimizer.js';
export type { GradientTransformation, LearningRate, OptState, Schedule } from './core/optimizer.js';
export { chain } from './core/optimizers/chain.js';
export { scaleByLearningRate } from './core/optimizers/scaleByLearningRate.js';
export type { ScaleByLearningRateState } from './core/optimizers/scaleByLearningRate.js';
export { sgd } from './core/optimizers/sgd.js';
export type { SgdOptions } from './core/optimizers/sgd.js';
export type { Hyper } from './core/optimizer.js';
export { hyperParam, isHyperParam, setHyperParam } from './core/hyperParam.js';
export type { HyperParam, HyperParamOptions } from './core/hyperParam.js';
export { scale } from './core/optimizers/scale.js';
export type { ScaleState } from './core/optimizers/scale.js';
export { traceMomentum } from './core/optimizers/traceMomentum.js';
export type { TraceMomentumOptions, TraceMomentumState } from './core/optimizers/traceMomentum.js';
export { scaleByAdam } from './core/optimizers/scaleByAdam.js';
export type { ScaleByAdamOptions, ScaleByAdamState } from './core/optimizers/scaleByAdam.js';
export { scaleByRms } from './core/optimizers/scaleByRms.js';
export type { ScaleByRmsOptions, ScaleByRmsState } from './core/optimizers/scaleByRms.js';
export { scaleByRss } from './core/optimizers/scaleByRss.js';
export type { ScaleByRssOptions, ScaleByRssState } from './core/optimizers/scaleByRss.js';
export { addDecayedWeights } from './core/optimizers/addDecayedWeights.js';
export type { AddDecayedWeightsState } from './core/optimizers/addDecayedWeights.js';
export { clipByGlobalNorm } from './core/optimizers/clipByGlobalNorm.js';
export type { ClipByGlobalNormState } from './core/optimizers/clipByGlobalNorm.js';
export { clipByValue } from './core/optimizers/clipByValue.js';
export type { ClipByValueState } from './core/optimizers/clipByValue.js';
export type { ClipOptions } from './core/optimizers/withClipping.js';
export { momentum } from './core/optimizers/momentum.js';
export type { MomentumOptions } from './core/optimizers/momentum.js';
export { nesterov } from './core/optimizers/nesterov.js';
export type { NesterovOptions } from './core/optimizers/nesterov.js';
export { adagrad } from './core/optimizers/adagrad.js';
export type { AdagradOptions } from './core/optimizers/adagrad.js';
export { rmsprop } from './core/optimizers/rmsprop.js';
export type { RmspropOptions } from './core/optimizers/rmsprop.js';
export { adam } from './core/optimizers/adam.js';
export type { AdamOptions } from './core/optimizers/adam.js';
export { adamw } from './core/optimizers/adamw.js';
export type { AdamwOptions } from './core/optimizers/adamw.js';
export { amsgrad } from './core/optimizers/amsgrad.js';
export type { AmsgradOptions } from './core/optimizers/amsgrad.js';
export { constant } from './core/schedules/constant.js';
export { exponentialDecay } from './core/schedules/exponentialDecay.js';
export type { ExponentialDecayOptions } from './core/schedules/exponentialDecay.js';
export { stepDecay } from './core/schedules/stepDecay.js';
export type { StepDecayOptions } from './core/schedules/stepDecay.js';
export { piecewiseConstant } from './core/schedules/piecewiseConstant.js';
export type { PiecewiseConstantOptions } from './core/schedules/piecewiseConstant.js';
export { cosineDecay } from './core/schedules/cosineDecay.js';
export type { CosineDecayOptions } from './core/schedules/cosineDecay.js';
export { bindHyperParam } from './ops/bindHyperParam.js';
export { reduceOnPlateau } from './ops/reduceOnPlateau.js';
export type { ReduceOnPlateauOperator, ReduceOnPlateauOptions } from './ops/reduceOnPlateau.js';
export { OptimizerConfig, ScheduleConfig } from './schemas/optimizerConfig.js';
export { optimizerFromConfig } from './schemas/optimizerFromConfig.js';

// --- streams: the loop driver and data
export { train } from './streams/train.js';
export type { LoopScheduling, TrainOptions } from './streams/train.js';
export { fullBatch } from './streams/fullBatch.js';
export { fromArrays } from './streams/fromArrays.js';
export type { FromArraysOptions } from './streams/fromArrays.js';
export { splitArrays } from './streams/splitArrays.js';
export type { ArraysPart, SplitArraysOptions } from './streams/splitArrays.js';
export type { Matrix, MatrixInput } from './streams/toMatrix.js';
export { moons } from './core/datasets/moons.js';
export type { MoonsOptions } from './core/datasets/moons.js';
export { NOT_READY } from './streams/batchSource.js';
export type { BatchReader, BatchSource, DataCursor, NotReady, SyncBatchReader, SyncBatchSource } from './streams/batchSource.js';
export type { Batch, StepRecord, StopReason, WithGrads, WithLoss, WithOutput } from './streams/stepRecord.js';

// --- streams: data that arrives (asynchronous sources)
export { fromObservable } from './streams/fromObservable.js';
export type { FromObservableOptions } from './streams/fromObservable.js';
export { fromAsyncIterable } from './streams/fromAsyncIterable.js';
export type { FromAsyncIterableOptions } from './streams/fromAsyncIterable.js';
export { fromEvents } from './streams/fromEvents.js';
export type { EventEmitterSource, EventTargetSource, FromEventsOptions } from './streams/fromEvents.js';
export type { OverflowPolicy, Sample, SampleOrBatch } from './streams/sampleQueue.js';
// windows over an event stream: forecasting samples for sequence models
export { slidingWindow } from './streams/slidingWindow.js';
export type { SlidingWindowOptions, WindowSample } from './streams/slidingWindow.js';
// online sources: invalid samples and the dead-letter stream
export type { InvalidPolicy, OnlineSource, RejectedSample } from './streams/deadLetters.js';

// --- live training: the Training handle
export { fit } from './live/fit.js';
export type { FitOptions } from './live/fit.js';
export type { WorkerFitOptions } from './live/fitInWorker.js';
export { webWorker } from './live/webWorker.js';
export { runFitWorker } from './live/fitWorkerRuntime.js';
export type { FromWorker, ToWorker, WorkerData, WorkerPort, WorkerRunConfig, WorkerSide, WorkerSpawner } from './live/workerProtocol.js';
export type { FitSink } from './live/localEngine.js';
export type {
  CheckpointInfo,
  EpochView,
  PauseSource,
  StepView,
  StepsIteratorOptions,
  Training,
  TrainingEvent,
  TrainingResult,
  TrainingSnapshot,
  TrainingStatus,
} from './live/training.js';

// --- recording and replaying a run: an append-only event log, re-run bit for bit
export { recordTo } from './live/runRecorder.js';
export type { BatchLogging, RecordToOptions, RunRecorder } from './live/runRecorder.js';
export { replay } from './live/replay.js';
export type { ReplayDifference, ReplayOptions, ReplayResult, StoredRunLog } from './live/replay.js';
export { readRunLog } from './live/readRunLog.js';
export { paramsChecksum } from './live/runLogCodec.js';
export type { RunLog, RunLogEvent } from './live/readRunLog.js';

// --- operators
export { forward } from './ops/forward.js';
export { loss } from './ops/loss.js';
export type { WithPenalty } from './ops/loss.js';
export { gradient } from './ops/gradient.js';
export { update } from './ops/update.js';
export type { UpdateOptions } from './ops/update.js';

// --- data parallelism on worker threads (Node worker_threads or Web Workers)
export { dataParallel } from './workers/dataParallel.js';
export type { DataParallelOptions, WithParallelStep } from './workers/dataParallel.js';
export { every } from './ops/every.js';
export { metric } from './ops/metric.js';
export type { WithMetrics } from './ops/metric.js';
export { epochMean } from './ops/epochMean.js';
export type { WithEpochMean } from './ops/epochMean.js';

// --- online learning: prequential evaluation and drift
export { prequential } from './ops/prequential.js';
export type { PrequentialOptions, PrequentialValue, WithPrequential } from './ops/prequential.js';
export { driftDetector } from './ops/driftDetector.js';
export type { DriftDetectorOperator, DriftDetectorOptions, DriftEvent, WithDrift } from './ops/driftDetector.js';
export { createAdwin } from './core/drift/adwin.js';
export type { Adwin, AdwinOptions } from './core/drift/adwin.js';
export { createPageHinkley } from './core/drift/pageHinkley.js';
export type { PageHinkley, PageHinkleyOptions } from './core/drift/pageHinkley.js';

// --- validation and scaling
export { validation } from './ops/validation.js';
export type { ValidationOptions, WithValidation } from './ops/validation.js';
export { readAll } from './streams/readAll.js';
export { standardize } from './streams/standardize.js';
export type { ScalerFit } from './streams/standardize.js';
export { minMax } from './streams/minMax.js';
export type { Scaler } from './streams/scaler.js';
export { withScaler } from './streams/withScaler.js';
export type { ScaledModel } from './streams/withScaler.js';
export { scalerFromJSON } from './schemas/scalerFromJson.js';
export { ScalerJson } from './schemas/scalerJson.js';

// --- sinks
export { earlyStopping } from './sinks/earlyStopping.js';
export type { WithBest } from './sinks/earlyStopping.js';
export { log } from './sinks/log.js';
export { progress } from './sinks/progress.js';
export { history } from './sinks/history.js';
export type { History, HistoryOperator } from './sinks/history.js';
export type { RecordOperator } from './sinks/recordOperator.js';
export { snapshot } from './sinks/snapshot.js';
export type { SnapshotOperator, StepSnapshot } from './sinks/snapshot.js';
export { EarlyStoppingOptions, HistoryOptions, LogOptions, ProgressOptions } from './schemas/sinkOptions.js';
export type { HasJson, Stateful, WritableLike } from './schemas/sinkOptions.js';

// --- checkpoints (any storage; files: `checkpoint`, `resume`, `loadModel` in gradstream/node)
export { checkLayout, decodeCheckpoint, encodeCheckpoint } from './sinks/checkpointCodec.js';
export type { Checkpoint, CheckpointBest, CheckpointExtras } from './sinks/checkpointCodec.js';
export { checkpointTo } from './sinks/checkpointTo.js';
export type { CheckpointOperator, CheckpointWritten } from './sinks/checkpointTo.js';
export { CheckpointToOptions } from './schemas/sinkOptions.js';
export type { CheckpointStorage } from './sinks/checkpointStorage.js';
export { memoryStorage } from './sinks/memoryStorage.js';
export type { MemoryStorage } from './sinks/memoryStorage.js';
export { webStorage } from './sinks/webStorage.js';
export type { WebStorageLike } from './sinks/webStorage.js';
export { indexedDbStorage } from './sinks/indexedDbStorage.js';
export type {
  IdbDatabaseLike,
  IdbFactoryLike,
  IdbObjectStoreLike,
  IdbOpenRequestLike,
  IdbRequestLike,
  IdbTransactionLike,
  IndexedDbStorageOptions,
} from './sinks/indexedDbStorage.js';
export { loadCheckpoint } from './sinks/loadCheckpoint.js';
export { resumeFrom } from './sinks/resumeFrom.js';
export type { ResumeOptions } from './sinks/resumeFrom.js';
export { modelFromCheckpoint } from './sinks/modelFromCheckpoint.js';
export type { LoadedModel } from './sinks/modelFromCheckpoint.js';

// --- schemas
export { CheckpointFile, CheckpointFileV1, JsonFloat } from './schemas/checkpoint.js';
export {
  ActivationLayerConfig,
  BatchNormLayerConfig,
  DenseLayerConfig,
  DropoutLayerConfig,
  InitializerName,
  KernelRegularizerConfig,
  LayerConfig,
  ModelConfig,
} from './schemas/modelConfig.js';
export {
  Conv2dLayerConfig,
  FlattenLayerConfig,
  GlobalAvgPool2dLayerConfig,
  Pool2dLayerConfig,
  ReshapeLayerConfig,
} from './schemas/modelConfig.js';
export type { ShapeLayerConfig } from './schemas/modelConfig.js';
export { modelFromConfig } from './schemas/modelFromConfig.js';
export type { ModelFromConfig } from './schemas/modelFromConfig.js';
export { LossConfig, LossName, LossObjectConfig } from './schemas/lossConfig.js';
export { ModuleRefConfig } from './schemas/moduleRefConfig.js';
export type { ModuleExports } from './schemas/moduleExports.js';
export { lossFromConfig } from './schemas/lossFromConfig.js';
