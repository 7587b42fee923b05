import { GradstreamError } from '../core/errors.js';
import type { Loss } from '../core/loss.js';
import type { GradientTransformation, OptState } from '../core/optimizer.js';
import type { Params } from '../core/params.js';
import { createRng } from '../core/rng.js';
import type { SequentialModel } from '../core/sequential.js';
import { lossFromConfig } from '../schemas/lossFromConfig.js';
import { modelFromConfig } from '../schemas/modelFromConfig.js';
import { optimizerFromConfig } from '../schemas/optimizerFromConfig.js';
import type { TrainConfig } from '../schemas/trainConfig.js';
import { splitArrays } from '../streams/splitArrays.js';
import { CliError } from './cliError.js';

/** A data set in memory: `rows` rows of `inputs` features and `targets` target columns, row major. */
export interface Table {
  readonly x: Float64Array;
  readonly y: Float64Array;
  readonly rows: number;
  readonly inputs: number;
  readonly targets: number;
}

/** Everything a run needs, built from a config. */
export interface PreparedRun {
  readonly model: SequentialModel;
  readonly loss: Loss;
  readonly optimizer: GradientTransformation<OptState[]>;
  /** The initial parameters (from explicit weights, or initialized from the seed). */
  readonly params: Params;
  readonly train: Table;
  readonly validation: Table | undefined;
  /** Whether the loss is a classification loss (accuracy is reported). */
  readonly classifier: boolean;
  /** The accuracy threshold for one output column (0 for logits, 0.5 for probabilities). */
  readonly threshold: number;
  readonly seed: number;
}

function table(x: readonly (readonly number[])[], y: readonly (readonly number[])[], path: string): Table {
  const inputs = x[0]!.length;
  const targets = y[0]!.length;
  if (x.length !== y.length) {
    throw new GradstreamError({ code: 'invalid_config', path: `${path}.targets`, expected: `${x.length} rows (one per input row)`, received: `${y.length} rows` });
  }
  const X = new Float64Array(x.length * inputs);
  const Y = new Float64Array(y.length * targets);
  for (let r = 0; r < x.length; r++) {
    if (x[r]!.length !== inputs) throw new GradstreamError({ code: 'invalid_config', path: `${path}.inputs[${r}]`, expected: `${inputs} numbers (as row 0)`, received: String(x[r]!.length) });
    if (y[r]!.length !== targets) throw new GradstreamError({ code: 'invalid_config', path: `${path}.targets[${r}]`, expected: `${targets} numbers (as row 0)`, received: String(y[r]!.length) });
    X.set(x[r]!, r * inputs);
    Y.set(y[r]!, r * targets);
  }
  return { x: X, y: Y, rows: x.length, inputs, targets };
}

/** Checks a table's widths against the model: inputs, and targets (labels or one column per output). */
export function checkTable(t: Table, model: SequentialModel, lossType: string, path: string): void {
  if (t.inputs !== model.inputs) {
    throw new GradstreamError({ code: 'invalid_config', path: `${path}.inputs`, expected: `rows of ${model.inputs} features (model.layers[0].inputs)`, received: `${t.inputs} features` });
  }
  const labels = lossType === 'softmaxCrossEntropy' && model.outputs > 1 && t.targets === 1;
  if (!labels && t.targets !== model.outputs) {
    const what = lossType === 'softmaxCrossEntropy' ? `one label or ${model.outputs} columns per row` : `${model.outputs} target columns (the model's outputs)`;
    throw new GradstreamError({ code: 'invalid_config', path: `${path}.targets`, expected: what, received: `${t.targets} columns` });
  }
}

/** The training table and the validation table of a config's `data` and `validation`. */
async function loadTables(c: TrainConfig, seed: number): Promise<{ train: Table; validation: Table | undefined }> {
  const d = c.data;
  if (!('inputs' in d)) throw new CliError(`data: reading ${'csv' in d ? 'CSV' : 'JSON Lines'} files is not wired into the command yet`);
  const all = table(d.inputs, d.targets, 'data');
  const v = c.validation;
  if (v === undefined) return { train: all, validation: undefined };
  if ('split' in v) {
    const parts = splitArrays(all.x, all.y, { rows: all.rows, validation: v.split, seed });
    const part = (p: { x: Float64Array; y: Float64Array; rows: number }): Table => ({ ...p, inputs: all.inputs, targets: all.targets });
    return { train: part(parts.train), validation: part(parts.validation) };
  }
  if ('inputs' in v) return { train: all, validation: table(v.inputs, v.targets, 'validation') };
  throw new CliError(`validation: reading ${'csv' in v ? 'CSV' : 'JSON Lines'} files is not wired into the command yet`);
}

/**
 * Builds the model, loss, optimizer, initial parameters and data of a config. `seed` overrides
 * `training.seed`. Errors are `GradstreamError`s naming the config field.
 */
export async function prepareRun(c: TrainConfig, seedOverride?: number): Promise<PreparedRun> {
  const seed = seedOverride ?? c.training?.seed ?? 0;
  const { model, params: fixed } = modelFromConfig(c.model);
  const loss = lossFromConfig(c.loss);
  const optimizer = optimizerFromConfig(c.optimizer);
  const lossType = typeof c.loss === 'string' ? c.loss : c.loss.type;
  const { train, validation } = await loadTables(c, seed);
  checkTable(train, model, lossType, 'data');
  if (validation !== undefined) checkTable(validation, model, lossType, 'validation');
  const classifier = lossType === 'binaryCrossEntropy' || lossType === 'softmaxCrossEntropy';
  const fromLogits = typeof c.loss === 'object' && 'fromLogits' in c.loss ? c.loss.fromLogits : undefined;
  const threshold = lossType === 'binaryCrossEntropy' && fromLogits !== true ? 0.5 : 0;
  return { model, loss, optimizer, params: fixed ?? model.init(createRng(seed)), train, validation, classifier, threshold, seed };
}
