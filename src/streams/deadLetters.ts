import { Subject, type Observable } from 'rxjs';
import { GradstreamError, describeValue } from '../core/errors.js';
import type { BatchReader, BatchSource } from './batchSource.js';

/**
 * What an online source does with an invalid sample (wrong width, a non-finite or non-numeric
 * value, an event its `map` throws on): `'error'` errors the run with a `GradstreamError` naming
 * the sample; `'skip'` leaves it out and the run goes on. Either way the sample and its reason
 * appear on the source's `rejected$`.
 */
export type InvalidPolicy = 'error' | 'skip';

/** A sample an online source refused, with why. */
export interface RejectedSample {
  /** The sample (or event, or batch) as it arrived. */
  readonly sample: unknown;
  /** Why it was refused, e.g. `fromObservable sample 3, x[0]: expected a finite number, received NaN`. */
  readonly reason: string;
  /** The error behind `reason` (a `GradstreamError`, or what `map` threw). */
  readonly error: unknown;
}

/**
 * A data source fed from outside (an Observable, events, an async iterable) that says which
 * samples it refused.
 */
export interface OnlineSource extends BatchSource {
  /**
   * The dead letters: every sample refused as invalid, with its reason, emitted as it is refused —
   * for a synchronous producer (`subject.next(…)`, an emitted event) before that call returns.
   * Never completes; each run's refusals appear here.
   */
  readonly rejected$: Observable<RejectedSample>;
  /** Samples refused so far, over every run of this source. */
  rejected(): number;
}

/** A reader that counts the samples it refused (for the record's `rejected`). */
export interface CountingReader extends BatchReader {
  /** Samples this run refused so far. */
  rejected(): number;
}

/** An arriving item the source already knows is invalid (an event its `map` threw on). */
export class InvalidSample {
  constructor(
    readonly sample: unknown,
    readonly error: unknown,
  ) {}
}

/** The dead-letter channel of one source: its `rejected$`, its count, and the report function its readers call. */
export interface DeadLetters {
  readonly rejected$: Observable<RejectedSample>;
  readonly rejected: () => number;
  readonly report: (sample: unknown, error: unknown) => void;
}

/** Creates the dead-letter channel of one source. */
export function createDeadLetters(): DeadLetters {
  const subject = new Subject<RejectedSample>();
  let count = 0;
  return {
    rejected$: subject.asObservable(),
    rejected: () => count,
    report(sample, error) {
      count += 1;
      if (subject.observed) subject.next(Object.freeze({ sample, reason: error instanceof Error ? error.message : String(error), error }));
    },
  };
}

/** Checks the `invalid` option of `where`. */
export function checkInvalidPolicy(where: string, v: unknown): InvalidPolicy {
  if (v === undefined) return 'error';
  if (v !== 'error' && v !== 'skip')
    throw new GradstreamError({
      code: 'invalid_config',
      path: `${where}.invalid`,
      expected: "'error' or 'skip'",
      received: describeValue(v),
    });
  return v;
}
