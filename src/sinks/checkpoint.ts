import { Observable, Subject, type MonoTypeOperatorFunction } from 'rxjs';
import { GradstreamError } from '../core/errors.js';
import type { Rng } from '../core/rng.js';
import type { StepRecord } from '../streams/stepRecord.js';
import { encodeCheckpoint } from './checkpointCodec.js';
import { writeFileAtomic } from './writeFileAtomic.js';
import { untilUnsubscribed } from '../ops/untilUnsubscribed.js';
import { isSampled } from '../ops/isSampled.js';

/** Options of {@link checkpoint}. */
export interface CheckpointOptions {
  /** The checkpoint file (JSON); each write replaces it atomically. */
  readonly path: string;
  /** Also write every n-th step (default: only the final record). */
  readonly every?: number;
  /** A generator whose state is saved with the weights (for exact resume of shuffled data). */
  readonly rng?: Rng;
}

/** What {@link checkpoint} reports for each file it wrote. */
export interface CheckpointWritten {
  readonly path: string;
  readonly step: number;
  readonly loss: number | undefined;
}

/** The checkpoint operator, with the stream of files it writes. */
export type CheckpointOperator<R> = MonoTypeOperatorFunction<R> & {
  /** Emits after each completed write (every subscription of the operator). */
  readonly written$: Observable<CheckpointWritten>;
};

/**
 * Writes checkpoints (weights, optimizer state, step, data cursor, loss) as JSON to `path`:
 * on every n-th step if `every` is set, and always for the final record (the one with a
 * `stopReason`). The record is serialized synchronously (a copy), then written atomically
 * (temporary file, flush, rename) in the background; if writes fall behind, only the newest
 * pending one is kept. Passes every record through; completes after its source completes and the
 * last write has landed; errors if a write fails.
 *
 * @example
 * import { checkpoint } from 'gradstream/node';
 * const ckpt = checkpoint({ path: 'checkpoints/seed.json', every: 100 });
 * ckpt.written$.subscribe((w) => console.log('saved step', w.step));
 */
export function checkpoint<R extends StepRecord>(options: CheckpointOptions): CheckpointOperator<R> {
  const every = options.every;
  if (every !== undefined && (!Number.isInteger(every) || every < 1)) {
    throw new GradstreamError({ code: 'invalid_config', path: 'checkpoint.every', expected: 'an integer ≥ 1', received: String(every) });
  }
  const written = new Subject<CheckpointWritten>();
  const operator = (source: Observable<R>): Observable<R> =>
    new Observable<R>((subscriber) => {
      let pending: { text: string; info: CheckpointWritten } | null = null;
      let writing = false;
      let sourceDone = false;

      const finishIfIdle = (): void => {
        if (sourceDone && !writing && pending === null) subscriber.complete();
      };
      const drain = (): void => {
        if (writing || pending === null) return;
        const job = pending;
        pending = null;
        writing = true;
        writeFileAtomic(options.path, job.text).then(
          () => {
            writing = false;
            written.next(job.info);
            drain();
            finishIfIdle();
          },
          (e: unknown) => {
            writing = false;
            subscriber.error(e);
          },
        );
      };

      const sub = source.pipe(untilUnsubscribed(subscriber)).subscribe({
        next(r) {
          if (isSampled(r, every ?? Number.NaN)) { // without `every`: the final record only
            try {
              const text = JSON.stringify(encodeCheckpoint(r, options.rng?.getState()));
              pending = { text, info: { path: options.path, step: r.step, loss: r.loss } };
            } catch (e: unknown) {
              subscriber.error(e);
              return;
            }
            drain();
          }
          subscriber.next(r);
        },
        error: (e: unknown) => subscriber.error(e),
        complete: () => {
          sourceDone = true;
          finishIfIdle();
        },
      });
      return sub;
    });
  return Object.assign(operator, { written$: written.asObservable() });
}
