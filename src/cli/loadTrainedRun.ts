import type { Params } from '../core/params.js';
import { readCheckpoint } from '../sinks/readCheckpoint.js';
import { inputError } from './cliError.js';
import { loadTrainConfig } from './loadTrainConfig.js';
import { prepareRun, type PreparedRun, type Table } from './prepareRun.js';

/** A trained model with its data: the config's model, loss and tables, and the checkpoint's weights. */
export interface TrainedRun {
  readonly run: PreparedRun;
  /** The training part of the config's data. */
  readonly train: Table;
  readonly params: Params;
  /** The checkpoint's step. */
  readonly step: number;
  /** The config's raw rows (every row of `data`, unsplit, unscaled) for predictions. */
  readonly inputs: readonly (readonly number[])[] | undefined;
}

/**
 * Loads a checkpoint and the config describing its run (DATA given as a config file): the model,
 * loss and data come from the config, the weights from the checkpoint, which must match the
 * model. Errors (exit 2) name the file and the field.
 */
export async function loadTrainedRun(checkpointFile: string, configFile: string): Promise<TrainedRun> {
  const { config } = await loadTrainConfig(configFile);
  let run: PreparedRun;
  try {
    run = await prepareRun(config);
  } catch (e: unknown) {
    throw inputError(configFile, e);
  }
  let c: Awaited<ReturnType<typeof readCheckpoint>>;
  try {
    c = await readCheckpoint(checkpointFile, run.model.layout);
  } catch (e: unknown) {
    throw inputError(checkpointFile, e);
  }
  let train: Table;
  try {
    train = await run.trainTable();
  } catch (e: unknown) {
    throw inputError(configFile, e);
  }
  return { run, train, params: c.params, step: c.step, inputs: 'inputs' in config.data ? config.data.inputs : undefined };
}
