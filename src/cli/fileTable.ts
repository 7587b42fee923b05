import type { Model } from '../core/model.js';
import { inputError } from './cliError.js';
import { checkWidths, fileSource, type FileData, type Table } from './prepareRun.js';
import { readTable } from './readTable.js';

/**
 * Every row of a data file, in order, for `predict` and `eval`: its columns checked against the
 * model's inputs and outputs (and the loss's kind); errors (exit 2) name `dataFile`.
 */
export async function readFileTable(fd: FileData, model: Model, lossType: string, dataFile: string): Promise<Table> {
  try {
    const src = fileSource(fd, { batchSize: undefined, epochs: 1, shuffle: false, seed: 0 }, 'data');
    checkWidths(src.inputs, src.outputs, model, lossType, 'data');
    return await readTable(src, src.inputs, src.outputs);
  } catch (e: unknown) {
    throw inputError(dataFile, e);
  }
}
