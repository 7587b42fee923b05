import { fromZodError } from './fromZodError.js';
import { buildModel, type ModelFromConfig } from './buildModel.js';
import { ModelConfig } from './modelConfig.js';
import type { ModuleExports } from './moduleExports.js';

export type { ModelFromConfig } from './buildModel.js';

/**
 * Builds the sequential model a config describes (see {@link ModelConfig}): dense layers with
 * explicit `weights` or a named `init` and an optional `kernelRegularizer`, every activation of
 * the library, `dropout` and `batchNorm`. `model.toConfig()`
 * gives a config back (without weights), so a checkpoint can store the model and this function
 * rebuild it. `{"type":"module"}` layers come from `modules`, loaded beforehand.
 *
 * Errors with a `GradstreamError` (`invalid_config`) naming the field under `root`: an unknown
 * layer type or key, a wrong type, weights of the wrong shape
 * (`model.layers[0].weights[1]: expected 4 numbers (units), received 3`), or layers that do not
 * chain (`model.layers[2].inputs: expected 8 (the width of layer 1, relu(8)), received 4`).
 *
 * @example
 * import { modelFromConfig } from 'gradstream';
 * const { model, params } = modelFromConfig({
 *   layers: [{ type: 'dense', inputs: 2, units: 1, weights: [[0.5], [-0.25]], biases: [0.1] }],
 * });
 * // params holds "0.W" = [0.5, -0.25] and "0.b" = [0.1]
 */
export function modelFromConfig(config: unknown, root = 'model', modules?: ModuleExports): ModelFromConfig {
  const parsed = ModelConfig.safeParse(config, { reportInput: true });
  if (!parsed.success) throw fromZodError('invalid_config', root, parsed.error);
  return buildModel(parsed.data, root, modules);
}
