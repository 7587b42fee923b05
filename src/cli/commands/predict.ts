import { predict } from '../../core/predict.js';
import { CliError, EXIT, usageError } from '../cliError.js';
import type { CliIO } from '../cliIO.js';
import { loadTrainedRun } from '../loadTrainedRun.js';
import { parseCommandArgs, stringOption } from '../parseCommandArgs.js';

export const PREDICT_HELP = `usage: gradstream predict CHECKPOINT DATA [--format csv|jsonl]

Predictions of a checkpoint's weights for every input row of DATA, the training config (JSON or
YAML) whose model the checkpoint holds. Regression: the outputs. Classifiers: the class and the
probability of each class.

options:
  --format csv|jsonl   csv (default): a header row, then one row per input;
                       jsonl: {"outputs":[…]} or {"class":k,"probabilities":[…]} per input
  -h, --help           this help`;

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
  const args = parseCommandArgs('predict', argv, { format: { type: 'string' } }, { min: 2, max: 2, names: 'CHECKPOINT and DATA' });
  if (args.values.help === true) {
    io.out(PREDICT_HELP);
    return EXIT.ok;
  }
  const format = stringOption(args.values.format) ?? 'csv';
  if (format !== 'csv' && format !== 'jsonl') throw usageError('predict', `--format: expected "csv" or "jsonl", received ${JSON.stringify(format)}`);
  const [checkpointFile, dataFile] = args.positionals as [string, string];
  const { run, params, inputs } = await loadTrainedRun(checkpointFile, dataFile);
  if (inputs === undefined) throw new CliError(`${dataFile}: data: predicting from CSV or JSON Lines files is not wired into the command yet`);
  const cols = run.model.outputs;
  const rows = inputs.length;
  const out = predict(run.model, params, inputs);
  const lossType = run.loss.toConfig?.().type;
  const fromLogits = (run.loss.toConfig?.() as { fromLogits?: boolean } | undefined)?.fromLogits ?? lossType === 'softmaxCrossEntropy';
  if (!run.classifier) {
    if (format === 'csv') io.out(Array.from({ length: cols }, (_, c) => `output_${c}`).join(','));
    for (let r = 0; r < rows; r++) {
      const values = Array.from(out.subarray(r * cols, (r + 1) * cols));
      io.out(format === 'csv' ? values.map(String).join(',') : JSON.stringify({ outputs: values }));
    }
    return EXIT.ok;
  }
  const p = probabilities(out, rows, cols, fromLogits);
  const classes = cols === 1 ? 2 : cols;
  if (format === 'csv') io.out(['class', ...Array.from({ length: classes }, (_, c) => `p_${c}`)].join(','));
  for (let r = 0; r < rows; r++) {
    let probs: number[];
    if (cols === 1) probs = [1 - p[r]!, p[r]!];
    else probs = Array.from(p.subarray(r * cols, (r + 1) * cols));
    let k = 0;
    for (let c = 1; c < probs.length; c++) if (probs[c]! > probs[k]!) k = c;
    io.out(format === 'csv' ? [k, ...probs].map(String).join(',') : JSON.stringify({ class: k, probabilities: probs }));
  }
  return EXIT.ok;
}
