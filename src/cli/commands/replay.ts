import { basename, dirname, resolve } from 'node:path';
import { replay, type ReplayResult } from '../../live/replay.js';
import { fsStorage } from '../../sinks/fsStorage.js';
import { CliError, EXIT, inputError } from '../cliError.js';
import type { CliIO } from '../cliIO.js';
import { intOption, parseCommandArgs } from '../parseCommandArgs.js';

export const REPLAY_HELP = `usage: gradstream replay LOG [options]

Re-runs a run recorded with "gradstream train CONFIG --record LOG" from the log alone, and checks
every loss, every learning rate and the final weights against it, bit for bit. Stops at the first
step that differs and names it.

options:
  --json          one JSON line: {"type":"replay","identical":…,"step":…,"checksum":…,…}
  --until STEP    stop after the record of step STEP
  -h, --help      this help

exit codes: 0 identical, 1 a step differs, 2 bad input (no log, not a run log)`;

/** `gradstream replay LOG [--json] [--until STEP]`: replays a recorded run and compares it with its log. */
export async function replayCommand(argv: readonly string[], io: CliIO): Promise<number> {
  const args = parseCommandArgs('replay', argv, { json: { type: 'boolean' }, until: { type: 'string' } }, { min: 1, max: 1, names: 'LOG (a run log written by train --record)' });
  if (args.values.help === true) {
    io.out(REPLAY_HELP);
    return EXIT.ok;
  }
  const file = resolve(args.positionals[0]!);
  const until = intOption('replay', 'until', args.values.until, 0);
  const storage = fsStorage(dirname(file), { owns: () => false });
  if ((await storage.read(basename(file))) === undefined) throw new CliError(`${args.positionals[0]!}: expected a run log, received no such file`);
  let r: ReplayResult;
  try {
    r = await replay({ storage, name: basename(file) }, until === undefined ? {} : { until });
  } catch (e: unknown) {
    throw inputError(args.positionals[0]!, e);
  }
  if (args.values.json === true) {
    const { params: _, ...fields } = r;
    io.out(JSON.stringify({ type: 'replay', ...fields }));
  } else {
    if (r.truncated !== undefined) io.err(`gradstream replay: ${args.positionals[0]!} line ${r.truncated.line}: ${r.truncated.reason}; replayed the whole events before it`);
    const d = r.firstDifference;
    if (d === undefined) io.out(`identical: ${r.stepsCompared} steps compared, up to step ${r.step}${r.stopReason === undefined ? '' : ` (recorded stop: ${r.stopReason})`}; weights ${r.checksum}${r.recordedChecksum === undefined ? '' : ` (recorded ${r.recordedChecksum})`}`);
    else io.out(`differs at step ${d.step}: ${d.quantity} recorded ${String(d.recorded)}, replayed ${String(d.replayed)}`);
  }
  return r.identical ? EXIT.ok : EXIT.failure;
}
