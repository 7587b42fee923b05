import { usageError } from './cliError.js';
import { intOption, parseCommandArgs, stringOption } from './parseCommandArgs.js';

/** The command line of `gradstream train`, checked. */
export interface TrainFlags {
  /** The config file (CONFIG). */
  readonly file: string;
  readonly json: boolean;
  readonly quiet: boolean;
  readonly maxSteps: number | undefined;
  readonly seed: number | undefined;
  readonly port: number | undefined;
  readonly checkpointDir: string | undefined;
  readonly resumeFrom: string | undefined;
  readonly recordFile: string | undefined;
  readonly recordBatches: 'value' | 'reference';
}

/** Parses and checks `gradstream train`'s arguments (undefined for `--help`); throws `CliError`s for bad usage. */
export function trainFlags(argv: readonly string[]): TrainFlags | undefined {
  const args = parseCommandArgs(
    'train',
    argv,
    {
      json: { type: 'boolean' },
      'max-steps': { type: 'string' },
      seed: { type: 'string' },
      'checkpoint-dir': { type: 'string' },
      resume: { type: 'string' },
      serve: { type: 'string' },
      record: { type: 'string' },
      'record-batches': { type: 'string' },
      quiet: { type: 'boolean' },
    },
    { min: 1, max: 1, names: 'CONFIG (a JSON or YAML training config)' },
  );
  if (args.values.help === true) return undefined;
  const maxSteps = intOption('train', 'max-steps', args.values['max-steps'], 0);
  const seed = intOption('train', 'seed', args.values.seed, 0);
  const port = intOption('train', 'serve', args.values.serve, 0, 65535);
  const recordBatches = stringOption(args.values['record-batches']) ?? 'value';
  if (recordBatches !== 'value' && recordBatches !== 'reference')
    throw usageError('train', `--record-batches: expected "value" or "reference", received ${JSON.stringify(recordBatches)}`);
  return {
    file: args.positionals[0]!,
    json: args.values.json === true,
    quiet: args.values.quiet === true,
    maxSteps,
    seed,
    port,
    checkpointDir: stringOption(args.values['checkpoint-dir']),
    resumeFrom: stringOption(args.values.resume),
    recordFile: stringOption(args.values.record),
    recordBatches,
  };
}
