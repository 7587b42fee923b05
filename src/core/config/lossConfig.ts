import type { ModuleRefConfig } from './moduleRefConfig.js';

/** A loss in object form, by `type`, with the options of the factory of that name. */
export type LossObjectConfig =
  | { type: 'mse' }
  | { type: 'mae' }
  | { type: 'huber'; delta?: number }
  | { type: 'binaryCrossEntropy'; fromLogits?: boolean }
  | { type: 'softmaxCrossEntropy'; fromLogits?: boolean }
  | ModuleRefConfig;

/** The loss names a config may give as a plain string (each loss with its defaults). */
export type LossName = 'mse' | 'mae' | 'huber' | 'binaryCrossEntropy' | 'softmaxCrossEntropy';

/**
 * A loss in a config file: a name with the defaults (`"mse"`, `"softmaxCrossEntropy"`) or an
 * object with options (`{"type":"huber","delta":1}`), or a loss exported by a module file.
 */
export type LossConfig = LossName | LossObjectConfig;
