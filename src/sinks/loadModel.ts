import { readCheckpoint } from './readCheckpoint.js';
import { modelFromCheckpoint, type LoadedModel } from './modelFromCheckpoint.js';
import { inFile } from './loadCheckpoint.js';
import { resolveCheckpointPath } from './resolveCheckpointPath.js';

/**
 * Reads a checkpoint file (or a folder's `last.json`) and rebuilds its model with the trained
 * weights, for `predict` without the code that built it. Rejects with a `GradstreamError` naming
 * the file for a missing or bad file, or a checkpoint without a model config.
 *
 * @example
 * import { loadModel, predict } from 'gradstream/node';
 * const { model, params } = await loadModel('checkpoints/run1/best.json');
 * console.log(predict(model, params, [[1, 2, 3, 4]]));
 */
export async function loadModel(file: string): Promise<LoadedModel> {
  const path = await resolveCheckpointPath(file);
  const c = await readCheckpoint(path);
  try {
    return modelFromCheckpoint(c);
  } catch (e: unknown) {
    throw inFile(path, e);
  }
}
