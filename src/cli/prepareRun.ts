import { GradstreamError } from '../core/errors.js';
import type { Loss } from '../core/loss.js';
import type { GradientTransformation, OptState } from '../core/optimizer.js';
import type { Params } from '../core/params.js';
import { createRng } from '../core/rng.js';
import type { Model } from '../core/model.js';
import type { SequentialModel } from '../core/sequential.js';
import { minMax } from '../streams/minMax.js';
import type { Scaler } from '../streams/scaler.js';
import { standardize } from '../streams/standardize.js';
import { withScaler } from '../streams/withScaler.js';
import { fromCsv } from '../node/fromCsv.js';
import { fromJsonl } from '../node/fromJsonl.js';
import type { FileBatchSource } from '../node/fileBatchSource.js';
import type { FileSplit } from '../node/fileSource.js';
import { lossFromConfig } from '../schemas/lossFromConfig.js';
import { modelFromConfig } from '../schemas/modelFromConfig.js';
import { optimizerFromConfig } from '../schemas/optimizerFromConfig.js';
import type { DataConfig, TrainConfig } from '../schemas/trainConfig.js';
import type { ModuleExports } from '../schemas/moduleExports.js';
import type { BatchSource } from '../streams/batchSource.js';
import { fromArrays } from '../streams/fromArrays.js';
import { splitArrays } from '../streams/splitArrays.js';
import { readTable, type Table } from './readTable.js';
import { checkInlineLabels, classCapacity, tooManyClasses, unusedOutputs, type ClassCapacity } from './checkClasses.js';

export type { Table } from './readTable.js';

/** How the training batches are drawn. */
export interface BatchOptions {
  /** Rows per batch (default: every row of in-memory data; 32 for files). */
  readonly batchSize: number | undefined;
  readonly epochs: number | undefined;
  readonly shuffle: boolean;
}

/** Everything a run needs, built from a config. */
export interface PreparedRun {
  /** The config's model, behind the input scaling when `data.scale` asks for one. */
  readonly model: Model;
  /** The config's model itself (saved with checkpoints: `toConfig()`). */
  readonly bare: SequentialModel;
  /** The input scaling fitted on the training part (`data.scale`), if any. */
  readonly scaler: Scaler | undefined;
  readonly loss: Loss;
  readonly optimizer: GradientTransformation<OptState[]>;
  /** The initial parameters (from explicit weights, or initialized from the seed). */
  readonly params: Params;
  /** The training batches. */
  readonly source: (options: BatchOptions) => BatchSource;
  /** The training part as one table (in memory already, or one pass over the file). */
  readonly trainTable: () => Promise<Table>;
  readonly validation: Table | undefined;
  /** Whether the loss is a classification loss (accuracy is reported). */
  readonly classifier: boolean;
  /** The accuracy threshold for one output column (0 for logits, 0.5 for probabilities). */
  readonly threshold: number;
  readonly seed: number;
  /** The classes of a file's `label` column, in index order (given, or found by one pass). */
  readonly classes: readonly string[] | undefined;
  /** A file's feature columns (given, or every column but the targets or the label). */
  readonly features: readonly string[] | undefined;
  /** What looks wrong but may be meant (a model with more outputs than the data has classes). */
  readonly warnings: readonly string[];
}

function table(x: readonly (readonly number[])[], y: readonly (readonly number[])[], path: string): Table {
  const inputs = x[0]!.length;
  const targets = y[0]!.length;
  if (x.length !== y.length) {
    throw new GradstreamError({
      code: 'invalid_config',
      path: `${path}.targets`,
      expected: `${x.length} rows (one per input row)`,
      received: `${y.length} rows`,
    });
  }
  const X = new Float64Array(x.length * inputs);
  const Y = new Float64Array(y.length * targets);
  for (let r = 0; r < x.length; r++) {
    if (x[r]!.length !== inputs)
      throw new GradstreamError({
        code: 'invalid_config',
        path: `${path}.inputs[${r}]`,
        expected: `${inputs} numbers (as row 0)`,
        received: String(x[r]!.length),
      });
    if (y[r]!.length !== targets)
      throw new GradstreamError({
        code: 'invalid_config',
        path: `${path}.targets[${r}]`,
        expected: `${targets} numbers (as row 0)`,
        received: String(y[r]!.length),
      });
    X.set(x[r]!, r * inputs);
    Y.set(y[r]!, r * targets);
  }
  return { x: X, y: Y, rows: x.length, inputs, targets };
}

/** Checks data widths against the model: inputs, and targets (labels or one column per output). */
export function checkWidths(inputs: number, targets: number, model: Model, lossType: string, path: string): void {
  if (inputs !== model.inputs) {
    throw new GradstreamError({
      code: 'invalid_config',
      path: `${path}.inputs`,
      expected: `rows of ${model.inputs} features (model.layers[0].inputs)`,
      received: `${inputs} features`,
    });
  }
  // a loss from a module (defineLoss) may read one class label per row (T.pick): it checks its target itself
  const labels = (lossType === 'softmaxCrossEntropy' || lossType === 'module') && model.outputs > 1 && targets === 1;
  if (!labels && targets !== model.outputs) {
    const what =
      lossType === 'softmaxCrossEntropy'
        ? `one label or ${model.outputs} columns per row`
        : `${model.outputs} target columns (the model's outputs)`;
    throw new GradstreamError({ code: 'invalid_config', path: `${path}.targets`, expected: what, received: `${targets} columns` });
  }
}

/** A config's file data (`csv` or `jsonl`). */
export type FileData = Exclude<DataConfig, { inputs: unknown }>;

/** Opens a CSV or JSON Lines source with a config's columns; errors name config fields (`data.features`). */
export function fileSource(d: FileData, options: BatchOptions & { seed: number; split?: FileSplit }, path: string): FileBatchSource {
  const columns = {
    ...(d.features === undefined ? {} : { features: d.features }),
    ...(d.targets === undefined ? {} : { targets: d.targets }),
    ...(d.label === undefined ? {} : { label: d.label }),
    ...(d.classes === undefined ? {} : { classes: d.classes }),
  };
  const o = {
    ...columns,
    ...(options.batchSize === undefined ? {} : { batchSize: options.batchSize }),
    ...(options.epochs === undefined ? {} : { epochs: options.epochs }),
    shuffle: options.shuffle,
    seed: options.seed,
    ...(options.split === undefined ? {} : { split: options.split }),
  };
  const where = 'csv' in d ? 'fromCsv' : 'fromJsonl';
  try {
    return 'csv' in d ? fromCsv(d.csv, { ...o, ...(d.delimiter === undefined ? {} : { delimiter: d.delimiter }) }) : fromJsonl(d.jsonl, o);
  } catch (e: unknown) {
    if (!(e instanceof GradstreamError) || !e.path.includes(`${where}.`)) throw e;
    // the reader's option names are the config's fields: `fromCsv.features` → `data.features`
    const renamed = e.path
      .replace(`${where}.path`, `${path}.${'csv' in d ? 'csv' : 'jsonl'}`)
      .replace(`${where}.batchSize`, 'training.batchSize')
      .replace(`${where}.`, `${path}.`);
    throw new GradstreamError({ code: e.code, path: renamed, expected: e.expected, received: e.received });
  }
}

/**
 * Builds the model, loss, optimizer, initial parameters and data of a config. `seed` overrides
 * `training.seed`. Errors are `GradstreamError`s naming the config field (or the data file, row
 * and column). `modules` holds the exports of `{"type":"module"}` entries (see `loadTrainConfig`).
 */
export async function prepareRun(c: TrainConfig, seedOverride?: number, modules?: ModuleExports): Promise<PreparedRun> {
  const seed = seedOverride ?? c.training?.seed ?? 0;
  const { model: bare, params: fixed } = modelFromConfig(c.model, 'model', modules);
  const loss = lossFromConfig(c.loss, 'loss', modules);
  const optimizer = optimizerFromConfig(c.optimizer);
  const lossType = typeof c.loss === 'string' ? c.loss : c.loss.type;
  const classifier = lossType === 'binaryCrossEntropy' || lossType === 'softmaxCrossEntropy';
  const fromLogits = typeof c.loss === 'object' && 'fromLogits' in c.loss ? c.loss.fromLogits : undefined;
  const threshold = lossType === 'binaryCrossEntropy' && fromLogits !== true ? 0.5 : 0;
  const params = fixed ?? bare.init(createRng(seed));
  const run: RunContext = { c, model: bare, lossType, cap: classCapacity(c, bare.outputs), seed, warnings: [] };
  const data = 'inputs' in c.data ? inlineData(run, c.data) : await fileData(run, c.data);
  const v = c.validation;
  let validation = data.validation;
  if (v !== undefined && !('split' in v)) validation = await separateValidation(run, v, data.fd);
  // input scaling, fitted on the training part only; the model applies it to every input it sees
  let scaler: Scaler | undefined;
  let model: Model = bare;
  const d = c.data;
  if (d.scale !== undefined && d.scale !== 'none') {
    const fitter = d.scale === 'standardize' ? standardize() : minMax();
    scaler = await fitter.fitSource(data.trainOnce()); // streamed: a file is not held in memory
    model = withScaler(bare, scaler);
  }
  return {
    model,
    bare,
    scaler,
    loss,
    optimizer,
    params,
    source: data.source,
    trainTable: data.trainTable,
    validation,
    classifier,
    threshold,
    seed,
    classes: data.fd?.classes,
    features: data.fd?.features,
    warnings: run.warnings,
  };
}

/** What the data helpers of {@link prepareRun} share: the config, the bare model, the seed, the warnings so far. */
interface RunContext {
  readonly c: TrainConfig;
  readonly model: Model;
  readonly lossType: string;
  readonly cap: ClassCapacity | undefined;
  readonly seed: number;
  readonly warnings: string[];
}

/** The training data of a config, and the validation part split from it. */
interface TrainingData {
  readonly source: (o: BatchOptions) => BatchSource;
  readonly trainTable: () => Promise<Table>;
  /** One unshuffled epoch of the training part. */
  readonly trainOnce: () => BatchSource;
  readonly validation: Table | undefined;
  /** File data, with its classes and features fixed. */
  readonly fd: FileData | undefined;
}

/** Inline `data` (`inputs`, `targets`), and its `validation.split` part. */
function inlineData(run: RunContext, d: Extract<DataConfig, { inputs: unknown }>): TrainingData {
  const { model, lossType, cap, seed } = run;
  const v = run.c.validation;
  const all = table(d.inputs, d.targets, 'data');
  checkWidths(all.inputs, all.targets, model, lossType, 'data');
  if (cap !== undefined && lossType === 'softmaxCrossEntropy' && all.targets === 1) {
    const w = checkInlineLabels(d.targets, cap, 'data');
    if (w !== undefined) run.warnings.push(w);
  }
  let train = all;
  let validation: Table | undefined;
  if (v !== undefined && 'split' in v) {
    const parts = splitArrays(all.x, all.y, { rows: all.rows, validation: v.split, seed });
    train = { ...parts.train, inputs: all.inputs, targets: all.targets };
    validation = { ...parts.validation, inputs: all.inputs, targets: all.targets };
  }
  const source = (o: BatchOptions): BatchSource => {
    const batchSize = Math.min(o.batchSize ?? train.rows, train.rows);
    // a full batch holds every row whatever the order: shuffling it would only cost time
    return fromArrays(train.x, train.y, {
      rows: train.rows,
      batchSize,
      ...(o.epochs === undefined ? {} : { epochs: o.epochs }),
      shuffle: o.shuffle && batchSize < train.rows,
      seed,
    });
  };
  return {
    source,
    trainTable: () => Promise.resolve(train),
    trainOnce: () => fromArrays(train.x, train.y, { rows: train.rows, batchSize: train.rows, epochs: 1 }),
    validation,
    fd: undefined,
  };
}

/** File `data` (`csv`, `jsonl`) with its classes and feature columns fixed, and its `validation.split` part. */
async function fileData(run: RunContext, d: FileData): Promise<TrainingData> {
  const { c, model, lossType, seed } = run;
  const v = c.validation;
  const f = await fileClasses(run, d);
  const split: FileSplit | undefined = v !== undefined && 'split' in v ? { validation: v.split, seed, part: 'train' } : undefined;
  const probe = fileSource(f, { batchSize: undefined, epochs: 1, shuffle: false, seed, ...(split === undefined ? {} : { split }) }, 'data');
  // the feature columns fixed by name (default: every column but the targets or the label), so that
  // validation files, checkpoints and predict read the same columns
  const fd: FileData = f.features === undefined ? { ...f, features: [...probe.features] } : f;
  checkWidths(probe.inputs, probe.outputs, model, lossType, 'data');
  // the training batches' buffers are checked now (a batch size too large for the columns), not when the run starts
  fileSource(fd, { batchSize: c.training?.batchSize, epochs: 1, shuffle: c.training?.shuffle ?? true, seed }, 'data');
  let validation: Table | undefined;
  if (split !== undefined) {
    validation = await readTable(
      fileSource(fd, { batchSize: undefined, epochs: 1, shuffle: false, seed, split: { ...split, part: 'validation' } }, 'data'),
      probe.inputs,
      probe.outputs,
    );
  }
  return {
    source: (o) => fileSource(fd, { ...o, seed, ...(split === undefined ? {} : { split }) }, 'data'),
    trainTable: () => readTable(probe, probe.inputs, probe.outputs),
    trainOnce: () => probe,
    validation,
    fd,
  };
}

/**
 * File data with its classes fixed: a `label` column without `classes` takes one pass over the
 * whole file (classes in order of first appearance), so that every source — training part,
 * validation part, validation file — maps labels to the same indices. Checked against the model's outputs.
 */
async function fileClasses(run: RunContext, d: FileData): Promise<FileData> {
  const { cap, seed } = run;
  let f: FileData = d;
  if (d.label !== undefined && d.classes === undefined) {
    const all = fileSource(d, { batchSize: undefined, epochs: 1, shuffle: false, seed }, 'data');
    await readTable(all, all.inputs, all.outputs);
    f = { ...d, classes: [...all.classes()] };
  }
  if (cap !== undefined && f.label !== undefined && f.classes !== undefined) {
    if (f.classes.length > cap.classes) throw await firstRowPast(f, f.classes, cap, seed);
    const w = unusedOutputs(f.label, f.classes.length, cap);
    if (w !== undefined) run.warnings.push(w);
  }
  return f;
}

/** A `validation` of its own: inline rows, or a file read with the columns of the file `data` (`fd`). */
async function separateValidation(
  run: RunContext,
  v: Exclude<NonNullable<TrainConfig['validation']>, { split: unknown }>,
  fd: FileData | undefined,
): Promise<Table> {
  const { model, lossType, cap, seed } = run;
  let validation: Table;
  if ('inputs' in v) {
    validation = table(v.inputs, v.targets, 'validation');
    if (cap !== undefined && lossType === 'softmaxCrossEntropy' && validation.targets === 1)
      checkInlineLabels(v.targets, cap, 'validation');
  } else {
    if (fd === undefined)
      throw new GradstreamError({
        code: 'invalid_config',
        path: 'validation',
        expected: '{"split":F} or inline {"inputs","targets"} with inline data (a file needs the columns of a file "data")',
        received: 'csv' in v ? 'a CSV file' : 'a JSON Lines file',
      });
    const columns = {
      features: fd.features,
      ...(fd.targets === undefined ? {} : { targets: fd.targets }),
      ...(fd.label === undefined ? {} : { label: fd.label }),
      ...(fd.classes === undefined ? {} : { classes: fd.classes }),
    };
    const vd: FileData =
      'csv' in v
        ? { csv: v.csv, ...columns, ...(v.delimiter === undefined ? {} : { delimiter: v.delimiter }) }
        : { jsonl: v.jsonl, ...columns };
    const src = fileSource(vd, { batchSize: undefined, epochs: 1, shuffle: false, seed }, 'validation');
    validation = await readTable(src, src.inputs, src.outputs);
  }
  checkWidths(validation.inputs, validation.targets, model, lossType, 'validation');
  return validation;
}

/**
 * The error for a label column with more classes than the model outputs: one pass with the first
 * classes fixed finds the first row of another class (file, row and column named).
 */
async function firstRowPast(f: FileData, classes: readonly string[], cap: ClassCapacity, seed: number): Promise<GradstreamError> {
  try {
    const src = fileSource(
      { ...f, classes: classes.slice(0, cap.classes) },
      { batchSize: undefined, epochs: 1, shuffle: false, seed },
      'data',
    );
    await readTable(src, src.inputs, src.outputs);
  } catch (e: unknown) {
    if (e instanceof GradstreamError && e.expected.startsWith('one of the classes')) return tooManyClasses(f, classes, cap, e);
    throw e;
  }
  return tooManyClasses(f, classes, cap, undefined);
}
