import { z } from 'zod';
import type { HyperParam } from '../core/hyperParam.js';
import type { OptState } from '../core/optimizer.js';
import type { Rng } from '../core/rng.js';
import { GradstreamError } from '../core/errors.js';
import { JsonValue } from './checkpoint.js';
import { fromZodError } from './fromZodError.js';
import type { ModelConfig } from './modelConfig.js';

/**
 * The options of the sinks (`log`, `progress`, `earlyStopping`, `checkpoint`, `history`), checked
 * when a sink is made: a wrong type, a value out of range or an unknown (misspelt) option is a
 * `GradstreamError` naming it, e.g. `earlyStopping.lossBelow: expected number, received "3"`.
 */

const fn = <T>(expected: string) => z.custom<T>((v) => typeof v === 'function', { params: { expected } });
const count = z.number().int().min(1);
const millis = z.number().positive();
const clock = fn<() => number>('a function returning milliseconds');

/** Operator state a checkpoint saves and `resume` restores by name (see `reduceOnPlateau`). */
export interface Stateful {
  getState(): OptState;
  setState(state: OptState): void;
}

/** Something with a state to save: a `toJSON()` method (a fitted scaler). */
export interface HasJson {
  toJSON(): unknown;
}

const stateEntry = z.custom<HyperParam | Stateful>(
  (v) =>
    (typeof v === 'object' || typeof v === 'function') &&
    v !== null &&
    (typeof (v as { getState?: unknown }).getState === 'function' || typeof (v as { value?: unknown }).value === 'number'),
  { params: { expected: 'a hyperParam cell or an operator with getState/setState (e.g. reduceOnPlateau)' } },
);

/** Options of `checkpointTo(storage, options)` (every storage). */
export const CheckpointToOptions = z.strictObject({
  /** Write every n-th step (steps that are multiples of n). */
  every: count.optional(),
  /** Write at the end of every n-th epoch (records with `epochEnd`). */
  everyEpochs: count.optional(),
  /** Write when this many milliseconds have passed since the last write. */
  everyMs: millis.optional(),
  /** Milliseconds clock for `everyMs` (default `performance.now`). */
  clock: clock.optional(),
  /** Also keep `step-<step>.json` files, the newest `keepLast` of them (default 0: none). */
  keepLast: z.number().int().min(0).optional(),
  /** Also write `best.json` when the monitored value improves (default true when `monitor` is given). */
  keepBest: z.boolean().optional(),
  /** The record value `best.json` follows: `'loss'` (default), `'valLoss'`, `'metrics.accuracy'`, … */
  monitor: z.string().optional(),
  /** Whether a lower (`'min'`, the default) or higher (`'max'`) value is better. */
  mode: z.enum(['min', 'max']).optional(),
  /**
   * When `best.json` is considered: on the records written (`'written'`, the default), or also at
   * each epoch's end (`'epochEnd'`, as Keras's `ModelCheckpoint(save_best_only=True)`: a value
   * computed once per epoch, such as `'epochLoss'`, is seen even when no checkpoint is due then;
   * only `best.json` is written when it improved).
   */
  bestAt: z.enum(['written', 'epochEnd']).optional(),
  /** Write a single file of this name instead of the folder layout (`checkpoint({ path })`). */
  name: z.string().min(1).optional(),
  /** The model (its `toConfig()` is saved, so `loadModel` can rebuild it) or its config. */
  model: z
    .custom<{ toConfig(): ModelConfig } | ModelConfig>((v) => typeof v === 'object' && v !== null, {
      params: { expected: 'a model (with toConfig) or a model config' },
    })
    .optional(),
  /** Named live state to save: `hyperParam` cells and stateful operators (`reduceOnPlateau`). */
  state: z.record(z.string(), stateEntry).optional(),
  /** A fitted scaler (anything with `toJSON()`), saved with the weights. */
  scaler: z
    .custom<HasJson>((v) => typeof v === 'object' && v !== null && typeof (v as { toJSON?: unknown }).toJSON === 'function', {
      params: { expected: 'an object with toJSON()' },
    })
    .optional(),
  /** The user's config (JSON), saved as is. */
  config: JsonValue.optional(),
  /** The data's shuffle seed, saved in the cursor. */
  dataSeed: z.number().int().optional(),
  /** A generator to save instead of the run's (`record.rng`). */
  rng: z
    .custom<Rng>((v) => typeof v === 'object' && v !== null && typeof (v as { getState?: unknown }).getState === 'function', {
      params: { expected: 'an Rng' },
    })
    .optional(),
  /** Replace a checkpoint of another model found in the storage (default false: refuse). */
  overwrite: z.boolean().optional(),
});
export type CheckpointToOptions = z.infer<typeof CheckpointToOptions>;

/** Options of `checkpoint` (`gradstream/node`): a folder (`dir`) or a single file (`path`). */
export const CheckpointOptions = CheckpointToOptions.omit({ name: true }).extend({
  /** The folder: `last.json`, `best.json`, `step-<step>.json`. */
  dir: z.string().min(1).optional(),
  /** A single checkpoint file, replaced atomically at each write. */
  path: z.string().min(1).optional(),
  /** Give up on a file operation after this many milliseconds (default 30 000). */
  timeoutMs: millis.optional(),
});
export type CheckpointOptions = z.infer<typeof CheckpointOptions>;

/** Options of `earlyStopping`; give at least one criterion. */
export const EarlyStoppingOptions = z.strictObject({
  /** The record value watched by `patience` and `restoreBest` (default `'loss'`). */
  monitor: z.string().optional(),
  /** Whether lower (`'min'`, the default) or higher (`'max'`) is better. */
  mode: z.enum(['min', 'max']).optional(),
  /** Stop (`'threshold'`) on the first loss below this (the lesson's criterion). */
  lossBelow: z.number().optional(),
  /** Stop (`'threshold'`) once the monitored value is past this (below in `min` mode, above in `max`). */
  threshold: z.number().optional(),
  /** Stop (`'plateau'`) after this many records without an improvement of more than `minDelta`. */
  patience: count.optional(),
  /** The improvement that resets `patience` (default 0). */
  minDelta: z.number().min(0).optional(),
  /** Start counting `patience` (and tracking the best) at this step (default 0). */
  startFrom: z.number().int().min(0).optional(),
  /** Stop (`'diverged'`) on a loss above this; a NaN or infinite loss always stops as `'diverged'`. */
  lossAbove: z.number().optional(),
  /** Stop (`'maxEpochs'`) on the first record of epoch `maxEpochs` (after that many epochs). */
  maxEpochs: count.optional(),
  /** Stop (`'timeout'`) on the first record this many milliseconds after the first one. */
  timeout: millis.optional(),
  /** Milliseconds clock for `timeout` (default `performance.now`; a `TestScheduler`'s `now` in tests). */
  clock: clock.optional(),
  /** When stopping, put the best weights seen (by `monitor`) back into the record (default false). */
  restoreBest: z.boolean().optional(),
});
export type EarlyStoppingOptions = z.infer<typeof EarlyStoppingOptions>;

/** A writable stream, as `log` and `progress` use it (Node streams, or any object like them). */
export interface WritableLike {
  write(chunk: string, callback?: (error?: Error | null) => void): boolean;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

const writable = z.custom<WritableLike>(
  (v) => typeof v === 'object' && v !== null && typeof (v as { write?: unknown }).write === 'function',
  { params: { expected: 'a writable stream (an object with write)' } },
);

/** Options of `log`. */
export const LogOptions = z.strictObject({
  /** `'text'` lines (default), `'jsonl'` (one JSON object per line) or `'csv'` (a header, then rows). */
  format: z.enum(['text', 'jsonl', 'csv']).optional(),
  /** Log steps that are multiples of n (default 1); the final record is always logged. */
  every: count.optional(),
  /** Log at most once per this many milliseconds (with `every`: both must hold). */
  everyMs: millis.optional(),
  /** Where lines go, one call per line without the newline (default `console.log`). */
  write: fn<(line: string) => void>('a function taking a line').optional(),
  /** A writable stream to write lines to (each with '\n'); the loop waits for each write. */
  to: writable.optional(),
  /** The columns of `jsonl` / `csv` rows (default: step, epoch, batchIndex, loss, valLoss, lr, the metrics of the first row, stopReason). */
  columns: z.array(z.string()).min(1).optional(),
  /** Milliseconds clock for steps/s and `everyMs` (default `performance.now`). */
  clock: clock.optional(),
});
export type LogOptions = z.infer<typeof LogOptions>;

/** Options of `progress`. */
export const ProgressOptions = z.strictObject({
  /** The number of steps (or epochs) the run will make, for the bar and the ETA. */
  total: count.optional(),
  /** Count steps (default) or epochs. */
  unit: z.enum(['steps', 'epochs']).optional(),
  /** Where to draw (default `process.stderr` in Node, else lines through `console.log`). */
  stream: writable.optional(),
  /** Redraw at most this often: default 100 ms on a terminal, 10 000 ms (a plain line) otherwise. */
  everyMs: millis.optional(),
  /** Width of the bar in characters (default 30). */
  width: count.optional(),
  /** Milliseconds clock (default `performance.now`). */
  clock: clock.optional(),
});
export type ProgressOptions = z.infer<typeof ProgressOptions>;

/** Options of `history`. */
export const HistoryOptions = z.strictObject({
  /** Record steps that are multiples of n (default 1); the final record always. */
  every: count.optional(),
});
export type HistoryOptions = z.infer<typeof HistoryOptions>;

/** Parses `options` with `schema`, or throws a `GradstreamError` (`invalid_config`) rooted at `root`. */
export function parseOptions<S extends z.ZodType>(schema: S, options: unknown, root: string): z.infer<S> {
  const parsed = schema.safeParse(options ?? {}, { reportInput: true });
  if (!parsed.success) {
    const e = fromZodError('invalid_config', root, parsed.error);
    // a number given as text ("3") says so: the quotes alone are easy to miss
    if (e.received.startsWith('"') && e.expected.startsWith('number'))
      throw new GradstreamError({ code: e.code, path: e.path, expected: e.expected, received: `${e.received} (a string)` });
    throw e;
  }
  return parsed.data as z.infer<S>;
}

/** Throws the `GradstreamError` for an option whose value depends on another. */
export function badOption(path: string, expected: string, received: string): never {
  throw new GradstreamError({ code: 'invalid_config', path, expected, received });
}
