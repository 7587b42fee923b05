import type { Loss } from '../core/loss.js';
import type { Model } from '../core/model.js';
import type { Params } from '../core/params.js';
import { lossFromConfig } from '../schemas/lossFromConfig.js';
import { modelFromConfig } from '../schemas/modelFromConfig.js';
import { scalerFromJSON } from '../schemas/scalerFromJson.js';
import { TrainConfig } from '../schemas/trainConfig.js';
import { fromZodError } from '../schemas/fromZodError.js';
import { checkLayout } from '../sinks/checkpointCodec.js';
import { readCheckpoint } from '../sinks/readCheckpoint.js';
import { resolveCheckpointPath } from '../sinks/resolveCheckpointPath.js';
import { withScaler } from '../streams/withScaler.js';
import { CliError, inputError } from './cliError.js';
import { loadModules } from './loadModules.js';
import { loadTrainConfig } from './loadTrainConfig.js';
import { checkWidths, fileSource, prepareRun, type FileData, type PreparedRun, type Table } from './prepareRun.js';
import { readFeatureRows } from './readFeatureRows.js';
import { readTable } from './readTable.js';

/** A trained model and the data to evaluate or predict on. */
export interface TrainedRun {
  /** The model (behind its input scaling, when the run had one) and the checkpoint's weights. */
  readonly model: Model;
  readonly params: Params;
  /** The checkpoint's step. */
  readonly step: number;
  readonly loss: Loss;
  readonly classifier: boolean;
  /** The accuracy threshold of one output column (0 for logits, 0.5 for probabilities). */
  readonly threshold: number;
  /** Whether the outputs are logits (softmax or sigmoid gives probabilities). */
  readonly fromLogits: boolean;
  /** The names of the classes, in index order, when the label column had names. */
  readonly classes: readonly string[] | undefined;
  /** A regressor's target columns (a file's `targets`), one per output. */
  readonly targets: readonly string[] | undefined;
  /** The rows to evaluate on: the config's training part, or the data file. */
  readonly table: () => Promise<Table>;
  /** The config's validation part (a config as DATA only). */
  readonly validation: Table | undefined;
  /** The inputs to predict on: every row of the config's data, or of the data file. */
  readonly inputs: () => Promise<{ x: Float64Array; rows: number }>;
}

/** DATA names a data file (by extension) rather than a config. */
export function isDataFile(file: string): boolean {
  return /\.(csv|tsv|jsonl|ndjson)$/i.test(file);
}

function lossInfo(config: TrainConfig): { classifier: boolean; threshold: number; fromLogits: boolean } {
  const type = typeof config.loss === 'string' ? config.loss : config.loss.type;
  const given = typeof config.loss === 'object' && 'fromLogits' in config.loss ? config.loss.fromLogits : undefined;
  const classifier = type === 'binaryCrossEntropy' || type === 'softmaxCrossEntropy';
  const fromLogits = given ?? type === 'softmaxCrossEntropy';
  return { classifier, threshold: type === 'binaryCrossEntropy' && !fromLogits ? 0.5 : 0, fromLogits };
}

async function readCkpt(file: string, layout?: Parameters<typeof readCheckpoint>[1]): Promise<Awaited<ReturnType<typeof readCheckpoint>>> {
  try {
    return await readCheckpoint(await resolveCheckpointPath(file), layout);
  } catch (e: unknown) {
    throw inputError(file, e);
  }
}

/**
 * Loads a checkpoint and what to run it on. DATA is either the training config (JSON or YAML):
 * its model, loss, scaling and data, with the checkpoint's weights (which must fit the model); or
 * a CSV / JSON Lines file with the training columns, read with the config the checkpoint saved
 * (`gradstream train` saves it, with the model, the scaler and the label's classes). Errors
 * (exit 2) name the file and the field.
 */
export async function loadTrainedRun(checkpointFile: string, dataFile: string): Promise<TrainedRun> {
  return isDataFile(dataFile) ? withDataFile(checkpointFile, dataFile) : withTrainConfig(checkpointFile, dataFile);
}

/** DATA as the training config: its model, loss, scaling and data, with the checkpoint's weights. */
async function withTrainConfig(checkpointFile: string, dataFile: string): Promise<TrainedRun> {
  const { config, modules } = await loadTrainConfig(dataFile);
  let run: PreparedRun;
  try {
    run = await prepareRun(config, undefined, modules);
  } catch (e: unknown) {
    throw inputError(dataFile, e);
  }
  const c = await readCkpt(checkpointFile, run.model.layout);
  const d = config.data;
  const inputs = async (): Promise<{ x: Float64Array; rows: number }> => {
    if ('inputs' in d) return { x: Float64Array.from(d.inputs.flat()), rows: d.inputs.length };
    return readFeatureRows('csv' in d ? d.csv : d.jsonl, run.features ?? [], 'csv' in d ? d.delimiter : undefined);
  };
  const table = async (): Promise<Table> => {
    try {
      return await run.trainTable();
    } catch (e: unknown) {
      throw inputError(dataFile, e);
    }
  };
  // the scaler stored with the weights (the one the run fitted), else the config's, refitted
  let model = run.model;
  if (c.scaler !== undefined) {
    try {
      model = withScaler(run.bare, scalerFromJSON(c.scaler));
    } catch (e: unknown) {
      throw inputError(checkpointFile, e);
    }
  }
  return {
    model,
    params: c.params,
    step: c.step,
    loss: run.loss,
    ...lossInfo(config),
    classes: run.classes,
    targets: 'inputs' in d ? undefined : d.targets,
    table,
    validation: run.validation,
    inputs,
  };
}

/** DATA as a data file: everything else comes from the checkpoint (its model, scaler and config). */
async function withDataFile(checkpointFile: string, dataFile: string): Promise<TrainedRun> {
  const c = await readCkpt(checkpointFile);
  const { config, d, modelConfig } = savedConfig(c, checkpointFile, dataFile);
  const { model, loss } = await savedModel(c, modelConfig, config, checkpointFile);
  // "gradstream train" saves the feature columns it read (given, or every column but the targets)
  const features = d.features;
  if (features === undefined)
    throw new CliError(
      `${checkpointFile}: checkpoint.config.data.features: expected the feature columns to read ${dataFile} with, received none; give the training config as DATA instead`,
    );
  const json = /\.(jsonl|ndjson)$/i.test(dataFile);
  const columns = {
    features,
    ...(d.targets === undefined ? {} : { targets: d.targets }),
    ...(d.label === undefined ? {} : { label: d.label }),
    ...(d.classes === undefined ? {} : { classes: d.classes }),
  };
  const fd: FileData = json
    ? { jsonl: dataFile, ...columns }
    : { csv: dataFile, ...columns, ...('csv' in d && d.delimiter !== undefined ? { delimiter: d.delimiter } : {}) };
  const delimiter = 'csv' in fd ? fd.delimiter : undefined;
  const table = async (): Promise<Table> => {
    try {
      const src = fileSource(fd, { batchSize: undefined, epochs: 1, shuffle: false, seed: 0 }, 'data');
      const lossType = typeof config.loss === 'string' ? config.loss : config.loss.type;
      checkWidths(src.inputs, src.outputs, model, lossType, 'data');
      return await readTable(src, src.inputs, src.outputs);
    } catch (e: unknown) {
      throw inputError(dataFile, e);
    }
  };
  return {
    model,
    params: c.params,
    step: c.step,
    loss,
    ...lossInfo(config),
    classes: d.classes,
    targets: d.targets,
    table,
    validation: undefined,
    inputs: () => readFeatureRows(dataFile, features, delimiter),
  };
}

type Checkpoint = Awaited<ReturnType<typeof readCheckpoint>>;

/** The training config a checkpoint saved, its file data and its model config (what reading a data file needs). */
function savedConfig(
  c: Checkpoint,
  checkpointFile: string,
  dataFile: string,
): { config: TrainConfig; d: FileData; modelConfig: NonNullable<Checkpoint['model']> } {
  if (c.model === undefined || c.config === undefined) {
    throw new CliError(
      `${checkpointFile}: expected a checkpoint of "gradstream train" (with its model and config) to read ${dataFile} with, received one without${c.model === undefined ? ' a model' : ' a config'}; give the training config as DATA instead`,
    );
  }
  const parsed = TrainConfig.safeParse(c.config, { reportInput: true });
  if (!parsed.success) throw inputError(checkpointFile, fromZodError('invalid_checkpoint', 'checkpoint.config', parsed.error));
  const config = parsed.data;
  const d = config.data;
  if ('inputs' in d)
    throw new CliError(
      `${checkpointFile}: checkpoint.config.data: expected the columns of a CSV or JSON Lines file to read ${dataFile} with, received inline data; give the training config as DATA instead`,
    );
  return { config, d, modelConfig: c.model };
}

/** The checkpoint's model (behind its scaler) and the saved config's loss. */
async function savedModel(
  c: Checkpoint,
  modelConfig: NonNullable<Checkpoint['model']>,
  config: TrainConfig,
  checkpointFile: string,
): Promise<{ model: Model; loss: Loss }> {
  try {
    // module entries were saved with absolute paths: load them as the config did
    const modules = await loadModules({ model: modelConfig, loss: config.loss });
    const built = modelFromConfig(modelConfig, 'checkpoint.model', modules);
    checkLayout(c.params.layout, built.model.layout);
    const model = c.scaler === undefined ? built.model : withScaler(built.model, scalerFromJSON(c.scaler));
    return { model, loss: lossFromConfig(config.loss, 'checkpoint.config.loss', modules) };
  } catch (e: unknown) {
    throw inputError(checkpointFile, e);
  }
}
