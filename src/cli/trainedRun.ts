import type { Loss } from '../core/loss.js';
import type { Model } from '../core/model.js';
import type { Params } from '../core/params.js';
import type { Table } from './readTable.js';

/** A trained model and the data to evaluate or predict on. */
export interface TrainedRun {
  /** The model (behind its input scaling, when the run had one) and the checkpoint's weights. */
  readonly model: Model;
  readonly params: Params;
  /** The checkpoint's step. */
  readonly step: number;
  readonly loss: Loss;
  readonly classifier: boolean;
  /** The accuracy threshold of one output column (0 for logits, 0.5 for probabilities). */
  readonly threshold: number;
  /** Whether the outputs are logits (softmax or sigmoid gives probabilities). */
  readonly fromLogits: boolean;
  /** The names of the classes, in index order, when the label column had names. */
  readonly classes: readonly string[] | undefined;
  /** A regressor's target columns (a file's `targets`), one per output. */
  readonly targets: readonly string[] | undefined;
  /** The rows to evaluate on: the config's training part, or the data file. */
  readonly table: () => Promise<Table>;
  /** The config's validation part (a config as DATA only). */
  readonly validation: Table | undefined;
  /** The inputs to predict on: every row of the config's data, or of the data file. */
  readonly inputs: () => Promise<{ x: Float64Array; rows: number }>;
}
