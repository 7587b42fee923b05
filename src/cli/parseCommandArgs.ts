import { parseArgs } from 'node:util';
import { usageError } from './cliError.js';

/** One option of a command: a flag (`boolean`) or an option with a value (`string`). */
export interface OptionSpec {
  readonly type: 'boolean' | 'string';
  readonly short?: string;
}

/** The parsed command line: option values by name and the positional arguments. */
export interface ParsedArgs {
  readonly values: Readonly<Record<string, string | boolean | undefined>>;
  readonly positionals: readonly string[];
}

/**
 * Parses a command's arguments with Node's `util.parseArgs` (strict: unknown options and missing
 * values are usage errors) and checks the number of positional arguments. `--help`/`-h` is always
 * accepted. Throws a usage `CliError` (exit 2) naming the problem.
 */
export function parseCommandArgs(
  command: string,
  argv: readonly string[],
  options: Readonly<Record<string, OptionSpec>>,
  positionals: { readonly min: number; readonly max: number; readonly names: string },
): ParsedArgs {
  let parsed: { values: Record<string, string | boolean | (string | boolean)[] | undefined>; positionals: string[] };
  try {
    parsed = parseArgs({
      args: [...argv],
      options: { ...options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    });
  } catch (e: unknown) {
    throw usageError(command, describeParseError(e));
  }
  const values: Record<string, string | boolean | undefined> = {};
  for (const [k, v] of Object.entries(parsed.values)) values[k] = Array.isArray(v) ? v[v.length - 1] : v;
  if (values.help === true) return { values, positionals: parsed.positionals };
  const n = parsed.positionals.length;
  if (n < positionals.min)
    throw usageError(
      command,
      `expected ${positionals.names}, received ${n === 0 ? 'nothing' : parsed.positionals.map((p) => JSON.stringify(p)).join(' ')}`,
    );
  if (n > positionals.max)
    throw usageError(command, `unexpected argument ${JSON.stringify(parsed.positionals[positionals.max])} (expected ${positionals.names})`);
  return { values, positionals: parsed.positionals };
}

function describeParseError(e: unknown): string {
  const message = e instanceof Error ? e.message : String(e);
  // Node's messages carry advice on `--` that does not apply here; keep the first sentence.
  return message.split('\n')[0]!.split('. ')[0]!.replace(/\.$/, '');
}

/** An integer option in `[min, max]`, or undefined when absent; a usage error otherwise. */
export function intOption(
  command: string,
  name: string,
  value: string | boolean | undefined,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number | undefined {
  if (value === undefined || typeof value === 'boolean') return undefined;
  const n = /^[+-]?\d+$/.test(value.trim()) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw usageError(
      command,
      `--${name}: expected an integer ${max === Number.MAX_SAFE_INTEGER ? `≥ ${min}` : `in [${min}, ${max}]`}, received ${JSON.stringify(value)}`,
    );
  }
  return n;
}

/** A number option in `[min, max)`, or undefined when absent; a usage error otherwise. */
export function numberOption(
  command: string,
  name: string,
  value: string | boolean | undefined,
  min: number,
  maxExclusive: number,
): number | undefined {
  if (value === undefined || typeof value === 'boolean') return undefined;
  const n = value.trim() === '' ? Number.NaN : Number(value);
  if (!(n >= min && n < maxExclusive))
    throw usageError(command, `--${name}: expected a number in [${min}, ${maxExclusive}), received ${JSON.stringify(value)}`);
  return n;
}

/** A string option, or undefined. */
export function stringOption(value: string | boolean | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
