import { Observable, type MonoTypeOperatorFunction } from 'rxjs';
import { ProgressOptions, parseOptions, type WritableLike } from '../schemas/sinkOptions.js';
import type { StepRecord } from '../streams/stepRecord.js';
import { untilUnsubscribed } from '../ops/untilUnsubscribed.js';
import type { RecordOperator } from './recordOperator.js';

/** `1:05`, `2:03:07`: a duration in seconds as clock text. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/** Lines through `console.log` when there is no stream (a browser). */
const consoleLines: WritableLike = {
  write(chunk) {
    console.log(chunk.replace(/\n$/, ''));
    return true;
  },
};

function defaultStream(): WritableLike {
  const p = (globalThis as { process?: { stderr?: WritableLike } }).process;
  return p?.stderr ?? consoleLines;
}

/**
 * Shows training progress. On a terminal (`stream.isTTY`) it redraws one line in place — a bar
 * when `total` is known, the count, the percentage, the current loss, the rate and the ETA —
 * at most every `everyMs` (100 ms), using `\r` and the erase-line sequence `ESC[2K`, and ends it
 * with a newline. Elsewhere (CI logs, files, pipes) it writes a plain line every `everyMs`
 * (10 s), so logs stay readable. The final record (also when this sink sits before
 * `earlyStopping`) always gets a last line with the stop reason and the elapsed time. Counts
 * steps (default) or epochs (`unit: 'epochs'`).
 *
 * A small sink of our own rather than a progress-bar library (such as `cli-progress`): the whole
 * job is two line formats and one escape sequence, it needs an injectable clock and stream for
 * tests and the browser, and it adds no dependency.
 *
 * Passes every record through; completes and errors with its source; errors if the stream throws.
 *
 * @example
 * import { progress } from 'gradstream';
 * const bar = progress({ total: 10_000 }); // with train({ …, maxSteps: 10_000 })
 */
export function progress<R extends StepRecord = StepRecord>(options: ProgressOptions = {}): RecordOperator<R> {
  const o = parseOptions(ProgressOptions, options, 'progress');
  const total = o.total;
  const epochs = o.unit === 'epochs';
  const width = o.width ?? 30;
  const clock = o.clock ?? (() => performance.now());
  const operator: MonoTypeOperatorFunction<R> = (source) =>
    new Observable<R>((subscriber) => {
      const stream = o.stream ?? defaultStream();
      const tty = stream.isTTY === true;
      const everyMs = o.everyMs ?? (tty ? 100 : 10_000);
      const unit = epochs ? 'epochs' : 'steps';
      let t0 = Number.NaN;
      let c0 = 0;
      let lastDraw = Number.NaN;
      let drawn = false;
      let finished = false;
      let last: R | undefined;

      const count = (r: R): number => (epochs ? r.epoch + (r.epochEnd ? 1 : 0) : r.step);
      const text = (r: R, now: number): string => {
        const c = count(r);
        const elapsed = (now - t0) / 1000;
        const rate = elapsed > 0 ? (c - c0) / elapsed : Number.NaN;
        let s = total === undefined ? `${unit.slice(0, -1)} ${c}` : `${c}/${total} ${unit}`;
        if (total !== undefined) s += ` (${Math.min(100, Math.floor((100 * c) / total))}%)`;
        if (r.loss !== undefined && !Number.isNaN(r.loss)) s += `  loss ${r.loss.toPrecision(5)}`;
        if (Number.isFinite(rate) && rate > 0) s += `  ${rate >= 100 ? Math.round(rate) : rate.toPrecision(3)} ${unit}/s`;
        if (r.stopReason !== undefined) s += `  stop: ${r.stopReason} after ${formatDuration(elapsed)}`;
        else if (total !== undefined && rate > 0) s += `  ETA ${formatDuration((total - c) / rate)}`;
        return s;
      };
      const bar = (r: R): string => {
        if (total === undefined) return '';
        const filled = Math.max(0, Math.min(width, Math.round((width * count(r)) / total)));
        return `[${'█'.repeat(filled)}${'░'.repeat(width - filled)}] `;
      };
      const draw = (r: R, now: number): void => {
        const final = r.stopReason !== undefined;
        if (tty) stream.write(`\r\x1b[2K${bar(r)}${text(r, now)}${final ? '\n' : ''}`);
        else stream.write(`${text(r, now)}\n`);
        drawn = true;
        lastDraw = now;
        if (final) finished = true;
      };

      const sub = source.pipe(untilUnsubscribed(subscriber)).subscribe({
        next(r) {
          last = r;
          const now = clock();
          if (Number.isNaN(t0)) {
            t0 = now;
            c0 = count(r);
          }
          if (r.stopReason !== undefined || !drawn || now - lastDraw >= everyMs) {
            try {
              draw(r, now);
            } catch (e: unknown) {
              subscriber.error(e);
              return;
            }
          }
          subscriber.next(r);
        },
        error: (e: unknown) => {
          if (tty && drawn && !finished) stream.write('\n');
          subscriber.error(e);
        },
        complete: () => subscriber.complete(),
      });
      return () => {
        sub.unsubscribe();
        if (finished || last === undefined) return;
        try {
          if (last.stopReason !== undefined)
            draw(last, clock()); // ended by earlyStopping after this sink
          else if (tty && drawn) stream.write('\n');
        } catch {
          // the run is over; nothing to report to
        }
      };
    });
  return operator as RecordOperator<R>;
}
