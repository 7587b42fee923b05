import { GradstreamError } from '../core/errors.js';
import { precisionOf, type Params } from '../core/params.js';
import type { SequentialModel } from '../core/sequential.js';
import { modelFromConfig } from '../schemas/modelFromConfig.js';
import { checkLayout, type Checkpoint } from './checkpointCodec.js';

/** A model rebuilt from a checkpoint, with its trained weights. */
export interface LoadedModel {
  readonly model: SequentialModel;
  readonly params: Params;
  readonly checkpoint: Checkpoint;
}

/**
 * Rebuilds the model a checkpoint describes (its saved `model` config) and pairs it with the
 * saved weights, ready for `predict` — without the code that built the model. Errors with a
 * `GradstreamError` when the checkpoint has no model (written without `checkpoint({ model })`,
 * or format version 1) or its weights do not fit the model.
 *
 * @example
 * import { loadCheckpoint, modelFromCheckpoint, predict } from 'gradstream';
 * // const { model, params } = modelFromCheckpoint(await loadCheckpoint(store));
 * // predict(model, params, [[1, 2, 3, 4]]);
 */
export function modelFromCheckpoint(checkpoint: Checkpoint): LoadedModel {
  if (checkpoint.model === undefined) {
    throw new GradstreamError({
      code: 'invalid_checkpoint',
      path: 'checkpoint.model',
      expected: 'the model config (write checkpoints with checkpoint({ model }))',
      received: 'none',
    });
  }
  const { model } = modelFromConfig(checkpoint.model, 'checkpoint.model');
  checkLayout(checkpoint.params.layout, model.layout);
  const saved = precisionOf(checkpoint.params.data);
  if (saved !== model.precision) {
    throw new GradstreamError({
      code: 'invalid_checkpoint',
      path: 'checkpoint.precision',
      expected: `${model.precision ?? 'float64'} (checkpoint.model's precision)`,
      received: `${saved} (the checkpoint's params)`,
    });
  }
  return { model, params: checkpoint.params, checkpoint };
}
