import type { WritableLike } from '../schemas/sinkOptions.js';

/** Where a command writes, and what it may be told from outside; injected so commands can be tested. */
export interface CliIO {
  /** One line to stdout. */
  readonly out: (line: string) => void;
  /** One line to stderr. */
  readonly err: (line: string) => void;
  /** The package version (`--version`). */
  readonly version: string;
  /** stderr as a stream, for the progress bar (redrawn in place on a terminal); default: lines through `err`. */
  readonly stderr?: WritableLike;
  /** Aborted on SIGINT: a training run stops cleanly at the next step. */
  readonly signal?: AbortSignal;
}
