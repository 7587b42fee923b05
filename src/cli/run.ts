import { EXIT, describeFailure } from './cliError.js';
import type { CliIO } from './cliIO.js';
import { evalCommand } from './commands/evaluate.js';
import { exportCommand } from './commands/exportModel.js';
import { importCommand } from './commands/importModel.js';
import { infoCommand } from './commands/info.js';
import { predictCommand } from './commands/predict.js';
import { plotCommand } from './commands/plot.js';
import { replayCommand } from './commands/replay.js';
import { schemaCommand } from './commands/schema.js';
import { trainCommand } from './commands/train.js';

export type { CliIO } from './cliIO.js';

interface Command {
  readonly summary: string;
  readonly run: (argv: readonly string[], io: CliIO) => number | Promise<number>;
}

const COMMANDS: Readonly<Record<string, Command>> = {
  train: { summary: 'train CONFIG [--json] [--resume CKPT] …   train from a JSON/YAML config', run: trainCommand },
  eval: { summary: 'eval CHECKPOINT DATA [--json]             loss and accuracy of trained weights', run: evalCommand },
  predict: { summary: 'predict CHECKPOINT DATA [--format F]     predictions (class and probabilities)', run: predictCommand },
  replay: { summary: 'replay LOG [--json] [--until STEP]       re-run a recorded run, check it bit for bit', run: replayCommand },
  plot: { summary: 'plot LOG.jsonl --out FILE.svg            draw a loss curve as SVG', run: plotCommand },
  schema: { summary: 'schema                                   print the JSON Schema of configs', run: schemaCommand },
  info: { summary: 'info CHECKPOINT.json                     validate and describe a checkpoint', run: infoCommand },
  export: { summary: 'export CHECKPOINT --format F --out PATH  a model as ONNX or TensorFlow.js (F: onnx|tfjs)', run: exportCommand },
  import: { summary: 'import MODEL.json --out CHECKPOINT       a TensorFlow.js Layers model as a checkpoint', run: importCommand },
  // Redis adapters: loaded only when asked for, so the Redis client never loads otherwise.
  worker: {
    summary: 'worker …                                 Redis Streams data-parallel worker',
    run: async (argv) => (await import('./redisCommands.js')).runWorker([...argv]),
  },
  updater: {
    summary: 'updater …                                Redis Streams parameter updater',
    run: async (argv) => (await import('./redisCommands.js')).runUpdater([...argv]),
  },
};

export const USAGE = `usage: gradstream <command> [options]

commands:
${Object.values(COMMANDS)
  .map((c) => `  ${c.summary}`)
  .join('\n')}

  --help, -h       this help ("gradstream <command> --help" for a command's options)
  --version, -v    print the version

exit codes: 0 done, 1 runtime failure, 2 bad usage or input, 130 interrupted (Ctrl-C), 143 terminated (SIGTERM)`;

/**
 * The `gradstream` command: dispatches to a subcommand and turns its failure into a message and
 * an exit code — 0 done, 1 runtime failure, 2 bad usage or bad input (one message naming the
 * file, the field and what was expected; no stack trace), 130 interrupted.
 */
export async function runCli(args: readonly string[], io: CliIO): Promise<number> {
  const [command, ...rest] = args;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    if (command === 'help' && rest[0] !== undefined && COMMANDS[rest[0]] !== undefined) return runCli([rest[0], '--help'], io);
    (command === undefined ? io.err : io.out)(USAGE);
    return command === undefined ? EXIT.badInput : EXIT.ok;
  }
  if (command === '--version' || command === '-v' || command === 'version') {
    io.out(io.version);
    return EXIT.ok;
  }
  const c = Object.hasOwn(COMMANDS, command) ? COMMANDS[command] : undefined;
  if (c === undefined) {
    io.err(`gradstream: unknown command ${JSON.stringify(command)}\n\n${USAGE}`);
    return EXIT.badInput;
  }
  try {
    return await c.run(rest, io);
  } catch (e: unknown) {
    const { code, lines } = describeFailure(e, command);
    for (const l of lines) io.err(l);
    return code;
  }
}
