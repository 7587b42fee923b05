import { readCheckpoint } from '../../sinks/readCheckpoint.js';
import { resolveCheckpointPath } from '../../sinks/resolveCheckpointPath.js';
import { EXIT, inputError } from '../cliError.js';
import type { CliIO } from '../cliIO.js';
import { parseCommandArgs } from '../parseCommandArgs.js';

export const INFO_HELP = `usage: gradstream info CHECKPOINT.json

Validates a checkpoint file (or a checkpoint folder's last.json) and prints what it holds: step,
loss, parameters, optimizer state, and the model, scaler and config a training run saved.`;

/** `gradstream info CKPT`: validates a checkpoint and describes it. */
export async function infoCommand(argv: readonly string[], io: CliIO): Promise<number> {
  const args = parseCommandArgs('info', argv, {}, { min: 1, max: 1, names: 'CHECKPOINT.json' });
  if (args.values.help === true) {
    io.out(INFO_HELP);
    return EXIT.ok;
  }
  const path = args.positionals[0]!;
  let c: Awaited<ReturnType<typeof readCheckpoint>>;
  try {
    c = await readCheckpoint(await resolveCheckpointPath(path)); // a folder means its last.json
  } catch (e: unknown) {
    throw inputError(path, e);
  }
  const { names, shapes } = c.params.layout;
  io.out(`checkpoint ${path}`);
  io.out(`  step        ${c.step} (epoch ${c.cursor.epoch}, batch ${c.cursor.batchIndex})`);
  io.out(`  loss        ${c.loss ?? '-'}`);
  io.out(`  lr          ${Number.isNaN(c.lr) ? '-' : c.lr}`);
  io.out(`  stopped     ${c.stopReason ?? '-'}`);
  io.out(`  parameters  ${c.params.layout.size}: ${names.map((n, i) => `${n} [${shapes[i]!.join(', ')}]`).join(', ')}`);
  io.out(`  optimizer   ${c.optState === undefined ? 'no state' : 'state saved'}`);
  io.out(`  rng         ${c.rng === undefined ? 'not saved' : 'saved'}`);
  if (c.version >= 2) {
    io.out(`  model       ${c.model === undefined ? 'not saved' : c.model.layers.map((l) => l.type).join(' → ')}`);
    io.out(`  scaler      ${c.scaler === undefined ? 'none' : String((c.scaler as { type?: unknown }).type ?? 'saved')}`);
    io.out(`  config      ${c.config === undefined ? 'not saved' : 'saved'}`);
    if (c.best !== undefined) io.out(`  best        ${c.best.monitor} ${c.best.value} at step ${c.best.step}`);
  }
  return EXIT.ok;
}
