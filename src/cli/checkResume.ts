import { GradstreamError } from '../core/errors.js';
import { createRng } from '../core/rng.js';
import { checkOptState } from '../ops/checkOptState.js';
import type { Checkpoint } from '../sinks/checkpointCodec.js';
import type { StopReason } from '../streams/stepRecord.js';
import { CliError } from './cliError.js';
import type { PreparedRun } from './prepareRun.js';

/**
 * Checks a checkpoint to resume from against the run, before anything starts: its optimizer state
 * (the optimizer's structure, finite values, counts ≥ 0; see `checkOptState`) and its generator
 * state. A corrupt file is bad input: a `CliError` (exit 2) naming the file and the field.
 */
export function checkResume(file: string, c: Checkpoint, run: PreparedRun): void {
  try {
    if (c.optState !== undefined) checkOptState(run.optimizer, c.params, c.optState);
    if (c.rng !== undefined) createRng(0).setState(c.rng);
  } catch (e: unknown) {
    throw resumeError(file, e);
  }
}

/**
 * An error that a resumed checkpoint's content caused (its data cursor, optimizer or generator
 * state: a `GradstreamError` at `cursor`, `optState…` or `rng…`) as bad input naming the file
 * (exit 2); any other error as it is.
 */
export function resumeError(file: string, e: unknown): unknown {
  if (e instanceof GradstreamError && /^(cursor|optState|rng)\b/.test(e.path))
    return new CliError(`${file}: checkpoint.${e.path}: expected ${e.expected}, received ${e.received}`);
  return e;
}

/** Stop reasons after which a run does not go on: its data, criterion or numbers are done. */
const FINISHED: ReadonlySet<StopReason> = new Set<StopReason>(['dataEnd', 'maxEpochs', 'threshold', 'plateau', 'diverged']);

/**
 * Why a checkpoint's run has nothing left to do, or undefined when it goes on: it reached the
 * step limit of this run (`maxSteps`), or it ended on the end of its data, a stop criterion or
 * divergence. Runs stopped from outside (`aborted`, `stopped`, `timeout`) go on, and so does a
 * run that hit its step limit when the limit is now higher.
 */
export function finishedReason(c: Pick<Checkpoint, 'step' | 'stopReason'>, maxSteps: number | undefined): StopReason | undefined {
  if (maxSteps !== undefined && c.step >= maxSteps) return 'maxSteps';
  if (c.stopReason !== undefined && FINISHED.has(c.stopReason)) return c.stopReason;
  return undefined;
}
