import type { Loss } from '../core/loss.js';
import { accuracy } from '../core/metrics/accuracy.js';
import { meanAbsoluteError } from '../core/metrics/meanAbsoluteError.js';
import { r2 } from '../core/metrics/r2.js';
import { rmse } from '../core/metrics/rmse.js';
import type { Model } from '../core/model.js';
import type { Params } from '../core/params.js';
import type { Table } from './prepareRun.js';

/** Loss, and accuracy (classifiers) or MAE, RMSE and R² (regressors, when asked), of some weights on a whole table. */
export interface TableScore {
  readonly loss: number;
  readonly accuracy?: number;
  readonly mae?: number;
  readonly rmse?: number;
  readonly r2?: number;
}

/**
 * Evaluates weights on a fixed table, one forward pass over all its rows; the buffers are made
 * once, so calling it at every logged step allocates nothing but the result. `classify` adds the
 * accuracy; `'regression'` adds MAE, RMSE and R² (over every output column, as scikit-learn's
 * `mean_absolute_error`, `root_mean_squared_error` and `r2_score` with uniform averages).
 */
export function tableEvaluator(
  model: Model,
  loss: Loss,
  table: Table,
  classify?: { threshold: number } | 'regression',
): (params: Params) => TableScore {
  const cache = model.createCache(table.rows);
  const cols = model.outputs;
  return (params) => {
    const out = model.forward(params, table.x, cache);
    const l = loss.value(out, table.y, table.rows, cols);
    if (classify === undefined) return { loss: l };
    if (classify === 'regression') {
      return {
        loss: l,
        mae: meanAbsoluteError(out, table.y, table.rows, cols),
        rmse: rmse(out, table.y, table.rows, cols),
        r2: r2(out, table.y, table.rows, cols),
      };
    }
    return { loss: l, accuracy: accuracy(out, table.y, table.rows, cols, { threshold: classify.threshold }) };
  };
}
