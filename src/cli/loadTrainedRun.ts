import type { Loss } from '../core/loss.js';
import type { Model } from '../core/model.js';
import type { ModelConfig } from '../schemas/modelConfig.js';
import { lossFromConfig } from '../schemas/lossFromConfig.js';
import { modelFromConfig } from '../schemas/modelFromConfig.js';
import { scalerFromJSON } from '../schemas/scalerFromJson.js';
import { TrainConfig } from '../schemas/trainConfig.js';
import { fromZodError } from '../schemas/fromZodError.js';
import { type Checkpoint, checkLayout } from '../sinks/checkpointCodec.js';
import { readCheckpoint } from '../sinks/readCheckpoint.js';
import { resolveCheckpointPath } from '../sinks/resolveCheckpointPath.js';
import { withScaler } from '../streams/withScaler.js';
import { CliError, inputError } from './cliError.js';
import { type DataColumns, hasDataColumns, loadImportedRun } from './loadImportedRun.js';
import { loadModules } from './loadModules.js';
import { loadTrainConfig } from './loadTrainConfig.js';
import { prepareRun, type FileData, type PreparedRun, type Table } from './prepareRun.js';
import { readFeatureRows } from './readFeatureRows.js';
import { readFileTable } from './fileTable.js';
import { lossInfo } from './lossInfo.js';
import type { TrainedRun } from './trainedRun.js';

export type { TrainedRun } from './trainedRun.js';

/** DATA names a data file (by extension) rather than a config. */
export function isDataFile(file: string): boolean {
  return /\.(csv|tsv|jsonl|ndjson)$/i.test(file);
}

async function readCkpt(file: string, layout?: Parameters<typeof readCheckpoint>[1]): Promise<Awaited<ReturnType<typeof readCheckpoint>>> {
  try {
    return await readCheckpoint(await resolveCheckpointPath(file), layout);
  } catch (e: unknown) {
    throw inputError(file, e);
  }
}

/** The training config as DATA: its model, loss, scaling and data, with the checkpoint's weights. */
async function runOfConfig(checkpointFile: string, dataFile: string): Promise<TrainedRun> {
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

/** The model (behind the saved scaler) and loss of a checkpoint's saved model and config. */
async function savedModelAndLoss(
  file: string,
  c: Checkpoint,
  modelConfig: ModelConfig,
  config: TrainConfig,
): Promise<{ model: Model; loss: Loss }> {
  try {
    // module entries were saved with absolute paths: load them as the config did
    const modules = await loadModules({ model: modelConfig, loss: config.loss });
    const built = modelFromConfig(modelConfig, 'checkpoint.model', modules);
    checkLayout(c.params.layout, built.model.layout);
    const model = c.scaler === undefined ? built.model : withScaler(built.model, scalerFromJSON(c.scaler));
    return { model, loss: lossFromConfig(config.loss, 'checkpoint.config.loss', modules) };
  } catch (e: unknown) {
    throw inputError(file, e);
  }
}

/** A data file read with the training config the checkpoint saved (`gradstream train` saves it). */
async function runOfSavedConfig(checkpointFile: string, c: Checkpoint, dataFile: string): Promise<TrainedRun> {
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
  const { model, loss } = await savedModelAndLoss(checkpointFile, c, c.model, config);
  // "gradstream train" saves the feature columns it read (given, or every column but the targets)
  const features = d.features;
  if (features === undefined)
    throw new CliError(
      `${checkpointFile}: checkpoint.config.data.features: expected the feature columns to read ${dataFile} with, received none; give the training config as DATA instead`,
    );
  const json = /\.(jsonl|ndjson)$/i.test(dataFile);
  const columns = {
    features: d.features,
    ...(d.targets === undefined ? {} : { targets: d.targets }),
    ...(d.label === undefined ? {} : { label: d.label }),
    ...(d.classes === undefined ? {} : { classes: d.classes }),
  };
  const fd: FileData = json
    ? { jsonl: dataFile, ...columns }
    : { csv: dataFile, ...columns, ...('csv' in d && d.delimiter !== undefined ? { delimiter: d.delimiter } : {}) };
  const delimiter = 'csv' in fd ? fd.delimiter : undefined;
  const table = (): Promise<Table> => readFileTable(fd, model, typeof config.loss === 'string' ? config.loss : config.loss.type, dataFile);
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

/**
 * Loads a checkpoint and what to run it on. DATA is either the training config (JSON or YAML):
 * its model, loss, scaling and data, with the checkpoint's weights (which must fit the model); or
 * a CSV / JSON Lines file with the training columns, read with the config the checkpoint saved
 * (`gradstream train` saves it, with the model, the scaler and the label's classes), or with
 * `given` columns for a checkpoint without a config (an imported model: see `loadImportedRun`). Errors
 * (exit 2) name the file and the field.
 */
export async function loadTrainedRun(checkpointFile: string, dataFile: string, given: DataColumns = {}): Promise<TrainedRun> {
  const imported = isDataFile(dataFile) ? await readCkpt(checkpointFile) : undefined;
  // an imported model (no training config): the columns and loss from the options and the model
  if (imported?.model !== undefined && imported.config === undefined) return loadImportedRun(checkpointFile, imported, dataFile, given);
  if (hasDataColumns(given))
    throw new CliError(
      `${checkpointFile}: --features, --targets, --label, --classes and --loss: expected for a checkpoint without a training config with a data file, received ${isDataFile(dataFile) ? 'a checkpoint with its config' : 'a config as DATA'} (its columns and loss are used)`,
    );
  return imported === undefined ? runOfConfig(checkpointFile, dataFile) : runOfSavedConfig(checkpointFile, imported, dataFile);
}
