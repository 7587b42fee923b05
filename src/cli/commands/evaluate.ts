import { EXIT } from '../cliError.js';
import type { CliIO } from '../cliIO.js';
import { DATA_COLUMN_OPTIONS, dataColumnsOf } from '../loadImportedRun.js';
import { loadTrainedRun } from '../loadTrainedRun.js';
import { parseCommandArgs } from '../parseCommandArgs.js';
import { tableEvaluator, type TableScore } from '../tableEvaluator.js';

/** A regressor's MAE, RMSE and R² lines (`mae         0.12…`), after a `prefix` (`'val '`). */
function regressionLines(s: TableScore, prefix: string, io: CliIO): void {
  if (s.mae === undefined) return;
  io.out(`${`${prefix}mae`.padEnd(12)}${String(s.mae)}`);
  io.out(`${`${prefix}rmse`.padEnd(12)}${String(s.rmse)}`);
  io.out(`${`${prefix}r2`.padEnd(12)}${String(s.r2)}`);
}

export const EVAL_HELP = `usage: gradstream eval CHECKPOINT DATA [--json] [options]

Loss, and accuracy (a classifier) or MAE, RMSE and R² (a regressor), of a checkpoint's weights. DATA is either the training
config (JSON or YAML): its model, loss and scaling on its data (training and validation parts);
or a CSV / JSON Lines file with the training columns, read with the config, scaler and classes
the checkpoint saved (a checkpoint written by "gradstream train").

A checkpoint without a training config (written by "gradstream import") takes a data file and
the target columns: --targets (a regressor) or --label (a classifier's class column, holding
0, 1, … or the names --classes gives). The features are the other columns, in order, unless
--features names them. It is a classifier when the model ends with softmax (or a sigmoid of one
output), else a regressor; --loss says otherwise.

options:
  --json             one JSON object: {"type":"eval","step":S,"rows":N,"loss":L,"metrics":{…}}
                     (metrics: accuracy, or mae, rmse and r2; valAccuracy or valMae, … with validation)
  --features COL,…   the feature columns, in the model's input order (as data.features)
  --targets COL,…    the target columns, one per output (as data.targets)
  --label COL        the class column (as data.label)
  --classes A,B,…    the label's classes in output order (as data.classes; default 0, 1, …)
  --loss NAME        mse, mae, huber (a regressor), binaryCrossEntropy or
                     softmaxCrossEntropy (a classifier on the model's logits)
  -h, --help         this help`;

/** `gradstream eval CKPT DATA [--json]`: evaluates a checkpoint on a config's data. */
export async function evalCommand(argv: readonly string[], io: CliIO): Promise<number> {
  const args = parseCommandArgs(
    'eval',
    argv,
    { json: { type: 'boolean' }, ...DATA_COLUMN_OPTIONS },
    { min: 2, max: 2, names: 'CHECKPOINT and DATA' },
  );
  if (args.values.help === true) {
    io.out(EVAL_HELP);
    return EXIT.ok;
  }
  const [checkpointFile, dataFile] = args.positionals as [string, string];
  const t = await loadTrainedRun(checkpointFile, dataFile, dataColumnsOf('eval', args.values));
  const classify = t.classifier ? { threshold: t.threshold } : 'regression';
  const table = await t.table();
  const score = tableEvaluator(t.model, t.loss, table, classify)(t.params);
  const val = t.validation === undefined ? undefined : tableEvaluator(t.model, t.loss, t.validation, classify)(t.params);
  const num = (v: number | undefined): number | null => (v !== undefined && Number.isFinite(v) ? v : null);
  if (args.values.json === true) {
    const o: Record<string, unknown> = { type: 'eval', step: t.step, rows: table.rows, loss: num(score.loss) };
    if (val !== undefined) Object.assign(o, { valRows: t.validation!.rows, valLoss: num(val.loss) });
    if (classify !== 'regression')
      o.metrics = { accuracy: num(score.accuracy), ...(val === undefined ? {} : { valAccuracy: num(val.accuracy) }) };
    else
      o.metrics = {
        mae: num(score.mae),
        rmse: num(score.rmse),
        r2: num(score.r2),
        ...(val === undefined ? {} : { valMae: num(val.mae), valRmse: num(val.rmse), valR2: num(val.r2) }),
      };
    io.out(JSON.stringify(o));
    return EXIT.ok;
  }
  io.out(`checkpoint  ${checkpointFile} (step ${t.step})`);
  io.out(`data        ${dataFile}: ${table.rows} rows${val === undefined ? '' : ` (+ ${t.validation!.rows} validation rows)`}`);
  io.out(`loss        ${String(score.loss)}`);
  if (score.accuracy !== undefined) io.out(`accuracy    ${score.accuracy.toFixed(4)}`);
  regressionLines(score, '', io);
  if (val !== undefined) {
    io.out(`val loss    ${String(val.loss)}`);
    if (val.accuracy !== undefined) io.out(`val acc.    ${val.accuracy.toFixed(4)}`);
    regressionLines(val, 'val ', io);
  }
  return EXIT.ok;
}
