import { EXIT } from '../cliError.js';
import type { CliIO } from '../cliIO.js';
import { TrainCommandRun } from '../trainCommandRun.js';
import { trainFlags } from '../trainFlags.js';

export const TRAIN_HELP = `usage: gradstream train CONFIG [options]

Trains the model a config file describes (JSON or YAML; see "gradstream schema").

options:
  --json                 JSON Lines on stdout only: {"type":"step",…} per logged step,
                         then {"type":"end","reason":…,"step":…,"loss":…,"params":{…}}
  --max-steps N          stop on the record of step N (overrides training.maxSteps)
  --seed N               seed of initialization, shuffling and the split (overrides training.seed)
  --checkpoint-dir DIR   write DIR/last.json (and checkpoint.* files) (overrides checkpoint.dir)
  --resume CKPT          continue from a checkpoint of this config, exactly
  --serve PORT           serve the live dashboard on 127.0.0.1:PORT while training
  --record LOG           record the run to the event log LOG (JSON Lines): replay it
                         with "gradstream replay LOG"
  --record-batches HOW   "value" (default: the log alone replays the run) or "reference"
                         (batch positions only; replay reads the data again from CONFIG)
  --quiet                no progress and no curve: one summary line
  -h, --help             this help

Ctrl-C (SIGINT) or SIGTERM stops cleanly at the next step (final checkpoint written) and exits
with 130 / 143. Resuming a run that has ended (its step limit, the end of its data, a stop
criterion) takes no step: it says so and exits with 0.
exit codes: 0 done, 1 runtime failure, 2 bad input (config, data, checkpoint), 130 interrupted,
143 terminated`;

/**
 * `gradstream train CONFIG [--json] [--max-steps N] [--seed N] [--checkpoint-dir DIR]
 * [--resume CKPT] [--serve PORT] [--quiet]`: trains from a config file. Returns the exit code
 * (130 after an interruption); throws `CliError`s and `GradstreamError`s for bad input.
 */
export async function trainCommand(argv: readonly string[], io: CliIO): Promise<number> {
  const flags = trainFlags(argv);
  if (flags === undefined) {
    io.out(TRAIN_HELP);
    return EXIT.ok;
  }
  return new TrainCommandRun(io, flags).run();
}
