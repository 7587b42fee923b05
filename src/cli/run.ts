import { GradstreamError } from '../core/errors.js';
import { readCheckpoint } from '../sinks/readCheckpoint.js';

/** Where the CLI writes; injected so it can be tested. */
export interface CliIO {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
  readonly version: string;
}

const USAGE = `usage: gradstream <command>

commands:
  info <checkpoint.json>   validate a checkpoint file and print what it holds
  --version                print the version
  --help                   print this help`;

/**
 * The `gradstream` command. Returns the exit code: 0 done, 1 failed (bad file, bad content),
 * 2 bad usage.
 */
export async function runCli(args: readonly string[], io: CliIO): Promise<number> {
  const [command, ...rest] = args;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    (command === undefined ? io.err : io.out)(USAGE);
    return command === undefined ? 2 : 0;
  }
  if (command === '--version' || command === '-v') {
    io.out(io.version);
    return 0;
  }
  if (command === 'info') {
    if (rest.length !== 1) {
      io.err('usage: gradstream info <checkpoint.json>');
      return 2;
    }
    return info(rest[0]!, io);
  }
  io.err(`gradstream: unknown command ${JSON.stringify(command)}\n\n${USAGE}`);
  return 2;
}

async function info(path: string, io: CliIO): Promise<number> {
  try {
    const c = await readCheckpoint(path);
    const { names, shapes } = c.params.layout;
    io.out(`checkpoint ${path}`);
    io.out(`  step        ${c.step} (epoch ${c.cursor.epoch}, batch ${c.cursor.batchIndex})`);
    io.out(`  loss        ${c.loss ?? '-'}`);
    io.out(`  lr          ${Number.isNaN(c.lr) ? '-' : c.lr}`);
    io.out(`  stopped     ${c.stopReason ?? '-'}`);
    io.out(`  parameters  ${c.params.layout.size}: ${names.map((n, i) => `${n} [${shapes[i]!.join(', ')}]`).join(', ')}`);
    io.out(`  optimizer   ${c.optState === undefined ? 'no state' : 'state saved'}`);
    io.out(`  rng         ${c.rng === undefined ? 'not saved' : 'saved'}`);
    return 0;
  } catch (e: unknown) {
    io.err(`gradstream: ${e instanceof GradstreamError || e instanceof Error ? e.message : String(e)}`);
    return 1;
  }
}
