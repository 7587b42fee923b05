import { basename, dirname, resolve } from 'node:path';
import { readRunLog } from '../../live/readRunLog.js';
import { replay, type ReplayResult } from '../../live/replay.js';
import type { BatchSource } from '../../streams/batchSource.js';
import { fsStorage } from '../../sinks/fsStorage.js';
import { CliError, EXIT, inputError } from '../cliError.js';
import type { CliIO } from '../cliIO.js';
import { loadTrainConfig } from '../loadTrainConfig.js';
import { intOption, parseCommandArgs, stringOption } from '../parseCommandArgs.js';
import { prepareRun } from '../prepareRun.js';

export const REPLAY_HELP = `usage: gradstream replay LOG [options]

Re-runs a run recorded with "gradstream train CONFIG --record LOG" from the log alone, and checks
every loss, every learning rate and the final weights against it, bit for bit. Stops at the first
step that differs and names it.

options:
  --json          one JSON line: {"type":"replay","identical":…,"step":…,"checksum":…,…}
  --until STEP    stop after the record of step STEP
  --config FILE   for a log of batches by reference: the config whose data to read again
                  (default: the config the log names)
  -h, --help      this help

exit codes: 0 identical, 1 a step differs, 2 bad input (no log, not a run log)`;

/** `gradstream replay LOG [--json] [--until STEP]`: replays a recorded run and compares it with its log. */
export async function replayCommand(argv: readonly string[], io: CliIO): Promise<number> {
  const args = parseCommandArgs(
    'replay',
    argv,
    { json: { type: 'boolean' }, until: { type: 'string' }, config: { type: 'string' } },
    { min: 1, max: 1, names: 'LOG (a run log written by train --record)' },
  );
  if (args.values.help === true) {
    io.out(REPLAY_HELP);
    return EXIT.ok;
  }
  const file = resolve(args.positionals[0]!);
  const until = intOption('replay', 'until', args.values.until, 0);
  const text = await fsStorage(dirname(file), { owns: () => false }).read(basename(file));
  if (text === undefined) throw new CliError(`${args.positionals[0]!}: expected a run log, received no such file`);
  const data = await referencedData(text, stringOption(args.values.config));
  let r: ReplayResult;
  try {
    r = await replay(text, { ...(until === undefined ? {} : { until }), ...(data === undefined ? {} : { data }) });
  } catch (e: unknown) {
    throw inputError(args.positionals[0]!, e);
  }
  if (args.values.json === true) {
    const { params: _, ...fields } = r;
    io.out(JSON.stringify({ type: 'replay', ...fields }));
  } else {
    if (r.truncated !== undefined)
      io.err(
        `gradstream replay: ${args.positionals[0]!} line ${r.truncated.line}: ${r.truncated.reason}; replayed the whole events before it`,
      );
    const d = r.firstDifference;
    if (d === undefined)
      io.out(
        `identical: ${r.stepsCompared} steps compared, up to step ${r.step}${r.stopReason === undefined ? '' : ` (recorded stop: ${r.stopReason})`}; weights ${r.checksum}${r.recordedChecksum === undefined ? '' : ` (recorded ${r.recordedChecksum})`}`,
      );
    else io.out(`differs at step ${d.step}: ${d.quantity} recorded ${String(d.recorded)}, replayed ${String(d.replayed)}`);
  }
  return r.identical ? EXIT.ok : EXIT.failure;
}

/** The data of a log of batches by reference: the recorded config's (or `configFlag`'s) source, as `train` opened it. */
async function referencedData(text: string, configFlag: string | undefined): Promise<BatchSource | undefined> {
  const start = readRunLog(text).events[0];
  if (start?.type !== 'start' || start.batches !== 'reference') return undefined;
  const about = (start.about ?? {}) as { config?: unknown; seed?: unknown };
  const file = configFlag ?? (typeof about.config === 'string' ? about.config : undefined);
  if (file === undefined)
    throw new CliError('--config: expected the config whose data a log of batches by reference reads again, received none');
  const { config, modules } = await loadTrainConfig(file);
  try {
    const run = await prepareRun(config, typeof about.seed === 'number' ? about.seed : undefined, modules);
    const t = config.training ?? {};
    return run.source({ batchSize: t.batchSize, epochs: t.epochs, shuffle: t.shuffle ?? true });
  } catch (e: unknown) {
    throw inputError(file, e);
  }
}
