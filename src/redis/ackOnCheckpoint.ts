import { Observable, type MonoTypeOperatorFunction } from 'rxjs';
import type { StepRecord } from '../streams/stepRecord.js';
import { isRedisBatch, type RedisStreamSource } from './fromRedisStream.js';

/**
 * Acknowledges Redis entries once a written checkpoint covers the step that used them: place it
 * after the `checkpoint` sink and pass that sink's `written$`. It notes the entry IDs of each
 * record's batch ({@link RedisBatch}); when a checkpoint of step `s` has been written (its
 * weights include the updates of steps `< s`), it acknowledges the entries of every step `< s`
 * (XACK) and makes the loop wait for that (`r.hold`). Entries of steps no checkpoint covers stay
 * pending: after a crash, the restarted reader gets them again.
 *
 * Emits every record unchanged; completes after its source completes and the last
 * acknowledgement landed; errors with its source or when an acknowledgement fails.
 *
 * @example
 * import { pipe } from 'rxjs';
 * import { ackOnCheckpoint, checkpoint, fromRedisStream } from 'gradstream/node';
 * // const data = fromRedisStream(client, { … });
 * // const ckpt = checkpoint({ path: 'ckpt.json', every: 50 });
 * // pipeline: pipe(forward(m), loss(l), gradient(m, l), update(opt), ckpt, ackOnCheckpoint(data, ckpt.written$))
 */
export function ackOnCheckpoint<R extends StepRecord>(
  source: RedisStreamSource,
  written$: Observable<{ readonly step: number }>,
): MonoTypeOperatorFunction<R> {
  return (records) =>
    new Observable<R>((subscriber) => {
      const steps: number[] = [];
      const idsOfStep: (readonly string[])[] = [];
      let hold: ((work: PromiseLike<unknown>) => void) | null = null;
      let inFlight: Promise<void> = Promise.resolve();
      let done = false;
      const writes = written$.subscribe((w) => {
        const ids: string[] = [];
        while (steps.length > 0 && steps[0]! < w.step) {
          steps.shift();
          for (const id of idsOfStep.shift()!) ids.push(id);
        }
        if (ids.length === 0) return;
        const work = inFlight.then(() => source.ack(ids));
        inFlight = work.catch((e: unknown) => {
          subscriber.error(e);
        });
        if (!done) hold?.(work);
      });
      const sub = records.subscribe({
        next(r) {
          hold = r.hold;
          if (isRedisBatch(r.batch) && (steps.length === 0 || steps[steps.length - 1]! < r.step)) {
            steps.push(r.step);
            idsOfStep.push(r.batch.ids);
          }
          subscriber.next(r);
        },
        error: (e: unknown) => subscriber.error(e),
        complete() {
          done = true;
          // `checkpoint` completes after its last write reported on written$: only acks remain.
          void inFlight.then(() => subscriber.complete());
        },
      });
      return () => {
        writes.unsubscribe();
        sub.unsubscribe();
      };
    });
}
