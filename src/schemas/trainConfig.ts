import { z } from 'zod';
import { MAX_WORKERS } from '../core/maxWorkers.js';
import { LossConfig } from './lossConfig.js';
import { ModelConfig } from './modelConfig.js';
import { OptimizerConfig } from './optimizerConfig.js';
import { MAX_BATCH_SIZE } from './limits.js';

const count = z.number().int().min(1);
const WORKERS_RANGE = `an integer from 1 to ${MAX_WORKERS}`;
const finite = z.number().finite();
const columns = z.array(z.string().min(1)).min(1);

/** How inputs are scaled, fitted on the training part only: `"standardize"` (z-scores) or `"minMax"` (to [0, 1]). */
export const ScaleName = z.enum(['none', 'standardize', 'minMax']);
export type ScaleName = z.infer<typeof ScaleName>;

/** Data written in the config itself: `inputs` rows and `targets` rows (one class label per row for classifiers). */
export const InlineDataConfig = z.strictObject({
  inputs: z.array(z.array(finite).min(1)).min(1),
  targets: z.array(z.array(finite).min(1)).min(1),
  scale: ScaleName.optional(),
});
export type InlineDataConfig = z.infer<typeof InlineDataConfig>;

/** Exactly one of `targets` (regression) and `label` (classification). */
function oneTarget(v: { targets?: string[] | undefined; label?: string | undefined }, ctx: z.RefinementCtx): void {
  if ((v.targets === undefined) === (v.label === undefined)) {
    ctx.addIssue({
      code: 'custom',
      path: v.targets === undefined ? ['targets'] : ['label'],
      message: 'either "targets" (columns) or "label" (a class column), not both',
      params: {
        expected: 'either "targets" (columns) or "label" (a class column), not both',
        received: v.targets === undefined ? 'neither' : 'both',
      },
    });
  }
}

const fileColumns = {
  features: columns
    .optional()
    .describe(
      'Input columns, by header name (CSV) or key (JSON Lines); default: every column but the `targets` or the `label`, in file order.',
    ),
  targets: columns.optional().describe('Regression targets, by header name.'),
  label: z
    .string()
    .min(1)
    .optional()
    .describe(
      'The class column of a classifier: its values become class indices 0, 1, … (in order of first appearance in the file, or of `classes`).',
    ),
  classes: z
    .array(z.string())
    .min(1)
    .optional()
    .describe('The classes of `label`, in index order (default: in order of first appearance in the file).'),
  scale: ScaleName.optional(),
};

/** A CSV file with a header row; `csv` is relative to the config file's folder. Give `targets` or `label`. */
export const CsvDataConfig = z
  .strictObject({
    csv: z.string().min(1),
    ...fileColumns,
    delimiter: z.string().length(1).optional(),
  })
  .superRefine(oneTarget);
export type CsvDataConfig = z.infer<typeof CsvDataConfig>;

/** A JSON Lines file, one object per line; `jsonl` is relative to the config file's folder. Give `targets` or `label`. */
export const JsonlDataConfig = z
  .strictObject({
    jsonl: z.string().min(1),
    ...fileColumns,
  })
  .superRefine(oneTarget);
export type JsonlDataConfig = z.infer<typeof JsonlDataConfig>;

/** The training data: inline rows, a CSV file or a JSON Lines file. */
export const DataConfig = z.union([InlineDataConfig, CsvDataConfig, JsonlDataConfig]);
export type DataConfig = z.infer<typeof DataConfig>;

/** Held-out data: a seeded fraction of `data` (`{"split":0.2}`), or a file/inline set with the same columns. */
export const ValidationConfig = z.union([
  z.strictObject({ split: z.number().gt(0).lt(1), every: count.optional() }),
  z.strictObject({ csv: z.string().min(1), delimiter: z.string().length(1).optional(), every: count.optional() }),
  z.strictObject({ jsonl: z.string().min(1), every: count.optional() }),
  z.strictObject({ inputs: InlineDataConfig.shape.inputs, targets: InlineDataConfig.shape.targets, every: count.optional() }),
]);
export type ValidationConfig = z.infer<typeof ValidationConfig>;

/** The loop: batches, epochs, limits, shuffling, the seed of every random draw, and scheduling. */
export const TrainingConfig = z.strictObject({
  batchSize: count
    .max(MAX_BATCH_SIZE, { message: `Too big: expected at most ${MAX_BATCH_SIZE.toLocaleString('en-US')} rows` })
    .optional()
    .describe('Rows per step (default: every training row, one full batch; at most 16,777,216).'),
  epochs: count.optional().describe('Passes over the data (default: unlimited; stop by `stop` or `maxSteps`).'),
  maxSteps: z.number().int().min(0).optional().describe('End on the record of this step, un-updated.'),
  shuffle: z.boolean().optional().describe('Reshuffle the rows each epoch (default true), from `seed`.'),
  seed: z
    .number()
    .int()
    .min(0)
    .max(Number.MAX_SAFE_INTEGER)
    .optional()
    .describe('The seed of initialization, shuffling and the validation split (default 0).'),
  mode: z
    .enum(['sync', 'sliced'])
    .optional()
    .describe('`"sliced"` (default: yields to the event loop, so Ctrl-C and `--serve` stay live) or `"sync"` (fastest).'),
  workers: z
    .number()
    .int()
    .min(1, WORKERS_RANGE)
    .max(MAX_WORKERS, WORKERS_RANGE)
    .optional()
    .describe(
      `Data-parallel replicas, 1 to ${MAX_WORKERS}: the loop thread and workers − 1 worker threads (default 1: the loop thread alone).`,
    ),
});
export type TrainingConfig = z.infer<typeof TrainingConfig>;

/** When training ends early. A NaN or infinite loss always ends it (`"diverged"`). */
export const StopConfig = z.strictObject({
  lossBelow: finite.optional().describe('Stop (`"threshold"`) on the first record whose monitored value is below this.'),
  patience: count
    .optional()
    .describe('Stop (`"plateau"`) after this many checks (epochs for `"epochLoss"`) without an improvement of more than `minDelta`.'),
  minDelta: z.number().min(0).optional(),
  monitor: z
    .enum(['loss', 'epochLoss', 'valLoss'])
    .optional()
    .describe(
      'What `lossBelow` and `patience` watch: `"epochLoss"` (the mean loss of each epoch, weighted by rows; the default for mini-batches: a file, or `training.batchSize`), `"loss"` (each step\'s batch loss; the default for one full batch, where it equals the epoch mean) or `"valLoss"` (needs `validation`).',
    ),
  divergence: finite.optional().describe('Stop (`"diverged"`) once the loss exceeds this.'),
  timeout: z.number().gt(0).optional().describe('Stop (`"timeout"`) after this many seconds of training.'),
});
export type StopConfig = z.infer<typeof StopConfig>;

/**
 * Checkpoint files in a folder: `last.json` (every `everySteps` steps and the final record),
 * `best.json` (the best monitored value: the validation loss when there is one), and
 * `step-<step>.json` every `everySteps` steps (all of them, or the newest `keepLast`). `dir` may
 * be left out when the command gives the folder (`gradstream train --checkpoint-dir DIR`).
 */
export const CheckpointConfig = z.strictObject({
  dir: z
    .string()
    .min(1)
    .optional()
    .describe('The folder (relative to the config file); `--checkpoint-dir` overrides it, and gives it when absent.'),
  everySteps: count.optional(),
  keepLast: count.optional().describe('Keep only the newest n `step-*.json` files (default: all).'),
  keepBest: z.boolean().optional().describe('Write `best.json` (default true).'),
});
export type CheckpointConfig = z.infer<typeof CheckpointConfig>;

/**
 * Logging: `every` n-th step (and the final one) — the console lines (given `every`, they replace
 * the progress bar), the `--json` step lines and the log file; `path` a log file (relative to the
 * config) in `format` `"jsonl"` (default; what `gradstream plot` reads), `"csv"` or `"text"`.
 */
export const LogConfig = z.strictObject({
  every: count.optional(),
  format: z.enum(['jsonl', 'csv', 'text']).optional(),
  path: z.string().min(1).optional(),
});
export type LogConfig = z.infer<typeof LogConfig>;

/**
 * A training run in one file (JSON or YAML), as `gradstream train CONFIG` reads it: the model, the
 * loss, the optimizer, the data and how the loop runs, stops, saves and logs. Relative paths are
 * relative to the config file's folder. `$schema` may point editors at `gradstream schema`.
 */
export const TrainConfig = z.strictObject({
  $schema: z.string().optional().describe('The JSON Schema of this file (`gradstream schema > gradstream.schema.json`), for editors.'),
  model: ModelConfig.describe('A sequential model: {"layers":[{"type":"dense","inputs":4,"units":4},{"type":"relu"},…]}.'),
  loss: LossConfig.describe(
    '"mse", "mae", "huber", "binaryCrossEntropy", "softmaxCrossEntropy", or {"type":…, options}, or a loss exported by a module file: {"type":"module","module":"./losses.js","export":"logcosh"}.',
  ),
  optimizer: OptimizerConfig.describe('{"type":"adam","lr":0.001,…}: a named optimizer and its options; lr may be a schedule.'),
  data: DataConfig.describe('The training data: inline {"inputs","targets"}, {"csv":PATH,…} or {"jsonl":PATH,…}.'),
  validation: ValidationConfig.optional().describe('Held-out data: {"split":0.2}, a file with the same columns, or inline rows.'),
  training: TrainingConfig.optional().describe('Batches, epochs, step limit, shuffling, seed, scheduling, worker threads.'),
  stop: StopConfig.optional().describe('When to stop early: lossBelow, patience/minDelta, monitor, divergence, timeout.'),
  checkpoint: CheckpointConfig.optional().describe('Checkpoint folder: last.json, best.json, step-<step>.json.'),
  log: LogConfig.optional().describe('Logged steps and a log file.'),
});
export type TrainConfig = z.infer<typeof TrainConfig>;
