import type { Loss } from '../core/loss.js';
import { binaryCrossEntropy } from '../core/losses/binaryCrossEntropy.js';
import { huber } from '../core/losses/huber.js';
import { mae } from '../core/losses/mae.js';
import { mse } from '../core/losses/mse.js';
import { softmaxCrossEntropy } from '../core/losses/softmaxCrossEntropy.js';
import type { LossObjectConfig } from './lossConfig.js';
import { checkExport, moduleExport, withConfig, type ModuleExports } from './moduleExports.js';

/**
 * Builds the loss of a config that has passed the `LossObjectConfig` schema already (see
 * `lossFromConfig`, which validates first). Imports no schema library (see `buildModel`). A
 * `{"type":"module"}` loss comes from `modules`, loaded beforehand.
 */
export function buildLoss(c: LossObjectConfig, modules?: ModuleExports, root = 'loss'): Loss {
  switch (c.type) {
    case 'mse':
      return mse();
    case 'mae':
      return mae();
    case 'huber':
      return huber(c.delta);
    case 'binaryCrossEntropy':
      return binaryCrossEntropy(c.fromLogits === undefined ? {} : { fromLogits: c.fromLogits });
    case 'softmaxCrossEntropy':
      return softmaxCrossEntropy(c.fromLogits === undefined ? {} : { fromLogits: c.fromLogits });
    case 'module': {
      const l = moduleExport(c, modules, root);
      checkExport(c, l, 'a loss (value, grad), e.g. from defineLoss', ['value', 'grad'], root);
      return withConfig(l as Loss, c);
    }
  }
}
