import { GradstreamError } from '../core/errors.js';

/** The exit codes of the `gradstream` command. */
export const EXIT = {
  ok: 0,
  /** A runtime failure (a write failed, a bug). */
  failure: 1,
  /** Bad usage or bad input: an invalid config, data or checkpoint file. */
  badInput: 2,
  /** Stopped by SIGINT (Ctrl-C) after a clean stop. */
  interrupted: 130,
  /** Stopped by SIGTERM (docker, systemd, Kubernetes) after a clean stop. */
  terminated: 143,
} as const;

/**
 * An error the command reports in one line and an exit code, without a stack trace: bad usage
 * (`usage`, with a hint to `--help`) or bad input (`input`, naming the file).
 */
export class CliError extends Error {
  readonly exitCode: number;
  /** The command's help hint, for usage errors. */
  readonly hint: string | undefined;

  constructor(message: string, exitCode: number = EXIT.badInput, hint?: string) {
    super(message);
    this.name = 'CliError';
    this.exitCode = exitCode;
    this.hint = hint;
  }
}

/** A usage error: bad flags or arguments (exit 2), with the help hint of `command`. */
export function usageError(command: string, message: string): CliError {
  return new CliError(message, EXIT.badInput, `run "gradstream ${command} --help" for usage`);
}

/**
 * Wraps what went wrong while reading `file` as bad input naming the file: a `GradstreamError`
 * keeps its field path and expectation (`file: data.inputs[3]: expected 4 numbers, received 3`);
 * a missing or unreadable file says so.
 */
export function inputError(file: string, e: unknown): CliError {
  if (e instanceof CliError) return e;
  if (e instanceof GradstreamError) return new CliError(namesFile(e.path, file) ? e.message : `${file}: ${e.message}`);
  const code = (e as { code?: unknown } | null)?.code;
  if (code === 'ENOENT') return new CliError(`${file}: no such file`);
  if (code === 'EISDIR') return new CliError(`${file}: expected a file, received a directory`);
  if (code === 'EACCES' || code === 'EPERM') return new CliError(`${file}: permission denied`);
  if (typeof code === 'string' && code.startsWith('E')) return new CliError(`${file}: cannot read (${code})`);
  throw e;
}

/** Whether an error path starts with the file (`data.csv`, `data.csv: …`, `data.csv row 3, …`). */
function namesFile(path: string, file: string): boolean {
  return path.startsWith(file) && (path.length === file.length || ' :,'.includes(path[file.length]!));
}

/** Bad-input codes of `GradstreamError` (everything but a broken internal state). */
function isInputCode(e: GradstreamError): boolean {
  return e.code !== 'invalid_state';
}

/** The exit code and the lines to print for an error that ended a command. */
export function describeFailure(e: unknown, command: string): { code: number; lines: string[] } {
  const prefix = command === '' ? 'gradstream' : `gradstream ${command}`;
  if (e instanceof CliError) {
    const lines = clip(`${prefix}: ${e.message}`);
    if (e.hint !== undefined) lines.push(e.hint);
    return { code: e.exitCode, lines };
  }
  if (e instanceof GradstreamError) return { code: isInputCode(e) ? EXIT.badInput : EXIT.failure, lines: clip(`${prefix}: ${e.message}`) };
  const message = e instanceof Error ? e.message : String(e);
  return { code: EXIT.failure, lines: clip(`${prefix}: ${message}`) };
}

/** At most 20 lines of at most 500 characters: an error fits on one screen. */
function clip(text: string): string[] {
  const lines = text.split('\n').map((l) => (l.length > 500 ? `${l.slice(0, 499)}…` : l));
  return lines.length > 20 ? [...lines.slice(0, 19), `… (${lines.length - 19} more lines)`] : lines;
}
