import { createWriteStream, openSync } from 'node:fs';
import { dirname } from 'node:path';
import { Observable, type MonoTypeOperatorFunction } from 'rxjs';
import { GradstreamError, describeValue } from '../core/errors.js';
import type { LogOptions } from '../schemas/sinkOptions.js';
import type { StepRecord } from '../streams/stepRecord.js';
import { ensureDirSync, notWritable } from './ensureDir.js';
import { log } from './log.js';
import type { RecordOperator } from './recordOperator.js';

/**
 * Logs training to a file (Node): {@link log} with a write stream on `path`, which is created (or
 * truncated) when the run starts — a path that cannot be written (a folder, a missing parent that
 * cannot be made) is a `GradstreamError` before the first step. `format` is usually `'jsonl'` or
 * `'csv'`. Lossless: the loop waits for each line to reach the file. The file is closed when the
 * run ends; the stream completes once it is.
 *
 * @example
 * import { logFile } from 'gradstream/node';
 * const sink = logFile('runs/run1.csv', { format: 'csv', every: 10 });
 */
export function logFile<R extends StepRecord = StepRecord>(
  path: string,
  options: Omit<LogOptions, 'to' | 'write'> = {},
): RecordOperator<R> {
  if (typeof path !== 'string' || path === '') {
    throw new GradstreamError({ code: 'invalid_config', path: 'logFile(path)', expected: 'a file path', received: describeValue(path) });
  }
  if (typeof options !== 'object' || options === null) {
    throw new GradstreamError({
      code: 'invalid_config',
      path: 'logFile(options)',
      expected: 'an options object',
      received: describeValue(options),
    });
  }
  log({ ...options, write: () => undefined }); // validates the options now
  const operator: MonoTypeOperatorFunction<R> = (source) =>
    new Observable<R>((subscriber) => {
      let fd: number;
      try {
        ensureDirSync(dirname(path));
        fd = openSync(path, 'w');
      } catch (e: unknown) {
        subscriber.error(e instanceof GradstreamError ? e : notWritable(path, e));
        return;
      }
      const stream = createWriteStream('', { fd });
      stream.on('error', (e) => subscriber.error(e));
      const inner = source.pipe(log<R>({ ...options, to: stream })).subscribe({
        next: (r) => subscriber.next(r),
        error: (e: unknown) => {
          stream.destroy();
          subscriber.error(e);
        },
        complete: () => stream.end(() => subscriber.complete()),
      });
      return () => {
        inner.unsubscribe();
        if (!stream.writableEnded && !stream.destroyed) stream.end();
      };
    });
  return operator as RecordOperator<R>;
}
