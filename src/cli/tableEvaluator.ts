import type { Loss } from '../core/loss.js';
import { accuracy } from '../core/metrics/accuracy.js';
import type { Model } from '../core/model.js';
import type { Params } from '../core/params.js';
import type { Table } from './prepareRun.js';

/** Loss (and accuracy) of some weights on a whole table. */
export interface TableScore {
  readonly loss: number;
  readonly accuracy?: number;
}

/**
 * Evaluates weights on a fixed table, one forward pass over all its rows; the buffers are made
 * once, so calling it at every logged step allocates nothing but the result.
 */
export function tableEvaluator(model: Model, loss: Loss, table: Table, classify?: { threshold: number }): (params: Params) => TableScore {
  const cache = model.createCache(table.rows);
  return (params) => {
    const out = model.forward(params, table.x, cache);
    const l = loss.value(out, table.y, table.rows, model.outputs);
    return classify === undefined ? { loss: l } : { loss: l, accuracy: accuracy(out, table.y, table.rows, model.outputs, { threshold: classify.threshold }) };
  };
}
