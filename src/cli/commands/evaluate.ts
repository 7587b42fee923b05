import { EXIT } from '../cliError.js';
import type { CliIO } from '../cliIO.js';
import { loadTrainedRun } from '../loadTrainedRun.js';
import { parseCommandArgs } from '../parseCommandArgs.js';
import { tableEvaluator } from '../tableEvaluator.js';

export const EVAL_HELP = `usage: gradstream eval CHECKPOINT DATA [--json]

Loss (and accuracy, for a classifier) of a checkpoint's weights. DATA is the training config
(JSON or YAML): its model and loss, evaluated on its data (training part, and validation part).

options:
  --json       one JSON object: {"type":"eval","step":S,"rows":N,"loss":L,…}
  -h, --help   this help`;

/** `gradstream eval CKPT DATA [--json]`: evaluates a checkpoint on a config's data. */
export async function evalCommand(argv: readonly string[], io: CliIO): Promise<number> {
  const args = parseCommandArgs('eval', argv, { json: { type: 'boolean' } }, { min: 2, max: 2, names: 'CHECKPOINT and DATA' });
  if (args.values.help === true) {
    io.out(EVAL_HELP);
    return EXIT.ok;
  }
  const [checkpointFile, dataFile] = args.positionals as [string, string];
  const { run, train: table, params, step } = await loadTrainedRun(checkpointFile, dataFile);
  const classify = run.classifier ? { threshold: run.threshold } : undefined;
  const train = tableEvaluator(run.model, run.loss, table, classify)(params);
  const val = run.validation === undefined ? undefined : tableEvaluator(run.model, run.loss, run.validation, classify)(params);
  const num = (v: number | undefined): number | null => (v !== undefined && Number.isFinite(v) ? v : null);
  if (args.values.json === true) {
    const o: Record<string, unknown> = { type: 'eval', step, rows: table.rows, loss: num(train.loss) };
    if (val !== undefined) Object.assign(o, { valRows: run.validation!.rows, valLoss: num(val.loss) });
    if (classify !== undefined) o.metrics = { accuracy: num(train.accuracy), ...(val === undefined ? {} : { valAccuracy: num(val.accuracy) }) };
    io.out(JSON.stringify(o));
    return EXIT.ok;
  }
  io.out(`checkpoint  ${checkpointFile} (step ${step})`);
  io.out(`data        ${dataFile}: ${table.rows} rows${val === undefined ? '' : ` (+ ${run.validation!.rows} validation rows)`}`);
  io.out(`loss        ${String(train.loss)}`);
  if (train.accuracy !== undefined) io.out(`accuracy    ${train.accuracy.toFixed(4)}`);
  if (val !== undefined) {
    io.out(`val loss    ${String(val.loss)}`);
    if (val.accuracy !== undefined) io.out(`val acc.    ${val.accuracy.toFixed(4)}`);
  }
  return EXIT.ok;
}
