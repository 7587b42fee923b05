import { predict } from '../../core/predict.js';
import { EXIT, usageError } from '../cliError.js';
import type { CliIO } from '../cliIO.js';
import { DATA_COLUMN_OPTIONS, dataColumnsOf } from '../loadImportedRun.js';
import { loadTrainedRun } from '../loadTrainedRun.js';
import { parseCommandArgs, stringOption } from '../parseCommandArgs.js';

export const PREDICT_HELP = `usage: gradstream predict CHECKPOINT DATA [--format csv|jsonl] [options]

Predictions of a checkpoint's weights for every input row of DATA: the training config (JSON or
YAML; the rows of its data), or a CSV / JSON Lines file with the feature columns (read with the
config and scaler the checkpoint saved; target columns are not needed). Regression: the
outputs, under the target columns' names (output_0, … for inline data). Classifiers: the class (its name, for a named label column) and each class's
probability.

A checkpoint without a training config (written by "gradstream import") takes a data file whose
columns are the features, in order: every column unless --features names them (or --targets /
--label name columns to leave out), as many as the model's inputs. It is a classifier when the
model ends with softmax (or a sigmoid of one output), else a regressor; --loss says otherwise.

options:
  --format csv|jsonl   csv (default): a header row, then one row per input;
                       jsonl: {"outputs":[…]} or {"class":k,"label":…,"probabilities":[…]}
  --features COL,…     the feature columns, in the model's input order (as data.features)
  --targets COL,…      target columns: left out of the features, and the outputs' names
  --label COL          a class column: left out of the features
  --classes A,B,…      the class names of the outputs, in order (as data.classes)
  --loss NAME          mse, mae, huber (a regressor), binaryCrossEntropy or
                       softmaxCrossEntropy (a classifier on the model's logits)
  -h, --help           this help`;

/** A CSV field: quoted when it holds a delimiter, a quote or a line break. */
function csvField(v: string): string {
  return /[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/** Row-wise probabilities of a classifier's outputs: softmax of logits, sigmoid of one logit, or as they are. */
function probabilities(out: Float64Array, rows: number, cols: number, fromLogits: boolean): Float64Array {
  if (!fromLogits) return out;
  const p = new Float64Array(out.length);
  for (let r = 0; r < rows; r++) {
    if (cols === 1) {
      p[r] = 1 / (1 + Math.exp(-out[r]!));
      continue;
    }
    let max = -Infinity;
    for (let c = 0; c < cols; c++) max = Math.max(max, out[r * cols + c]!);
    let sum = 0;
    for (let c = 0; c < cols; c++) sum += p[r * cols + c] = Math.exp(out[r * cols + c]! - max);
    for (let c = 0; c < cols; c++) p[r * cols + c]! /= sum;
  }
  return p;
}

/** `gradstream predict CKPT DATA [--format csv|jsonl]`: predictions for a config's input rows. */
export async function predictCommand(argv: readonly string[], io: CliIO): Promise<number> {
  const args = parseCommandArgs(
    'predict',
    argv,
    { format: { type: 'string' }, ...DATA_COLUMN_OPTIONS },
    { min: 2, max: 2, names: 'CHECKPOINT and DATA' },
  );
  if (args.values.help === true) {
    io.out(PREDICT_HELP);
    return EXIT.ok;
  }
  const format = stringOption(args.values.format) ?? 'csv';
  if (format !== 'csv' && format !== 'jsonl')
    throw usageError('predict', `--format: expected "csv" or "jsonl", received ${JSON.stringify(format)}`);
  const [checkpointFile, dataFile] = args.positionals as [string, string];
  const t = await loadTrainedRun(checkpointFile, dataFile, dataColumnsOf('predict', args.values));
  const { x, rows } = await t.inputs();
  const cols = t.model.outputs;
  const out = rows === 0 ? new Float64Array(0) : predict(t.model, t.params, x, rows);
  if (!t.classifier) {
    // the target columns' names (file data), else output_0, output_1, …
    const names = t.targets !== undefined && t.targets.length === cols ? t.targets : Array.from({ length: cols }, (_, c) => `output_${c}`);
    if (format === 'csv') io.out(names.map(csvField).join(','));
    for (let r = 0; r < rows; r++) {
      const values = Array.from(out.subarray(r * cols, (r + 1) * cols));
      io.out(format === 'csv' ? values.map(String).join(',') : JSON.stringify({ outputs: values }));
    }
    return EXIT.ok;
  }
  const p = probabilities(out, rows, cols, t.fromLogits);
  const classes = cols === 1 ? 2 : cols;
  const names = t.classes !== undefined && t.classes.length === classes ? t.classes : undefined;
  if (format === 'csv')
    io.out(['class', ...Array.from({ length: classes }, (_, c) => `p_${names === undefined ? c : names[c]!}`)].map(csvField).join(','));
  for (let r = 0; r < rows; r++) {
    const probs = cols === 1 ? [1 - p[r]!, p[r]!] : Array.from(p.subarray(r * cols, (r + 1) * cols));
    let k = 0;
    for (let c = 1; c < probs.length; c++) if (probs[c]! > probs[k]!) k = c;
    const label = names === undefined ? k : names[k]!;
    if (format === 'csv') io.out([csvField(String(label)), ...probs.map(String)].join(','));
    else io.out(JSON.stringify(names === undefined ? { class: k, probabilities: probs } : { class: k, label, probabilities: probs }));
  }
  return EXIT.ok;
}
