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
  const settings = {
    total: o.total,
    epochs: o.unit === 'epochs',
    width: o.width ?? 30,
    clock: o.clock ?? (() => performance.now()),
  };
  const operator: MonoTypeOperatorFunction<R> = (source) =>
    new Observable<R>((subscriber) => {
      const stream = o.stream ?? defaultStream();
      const bar = new ProgressLine<R>(settings, stream, o.everyMs ?? (stream.isTTY === true ? 100 : 10_000));
      const sub = source.pipe(untilUnsubscribed(subscriber)).subscribe({
        next(r) {
          const now = bar.arrive(r);
          if (!Number.isNaN(now)) {
            try {
              bar.draw(r, now);
            } catch (e: unknown) {
              subscriber.error(e);
              return;
            }
          }
          subscriber.next(r);
        },
        error: (e: unknown) => {
          bar.interrupted();
          subscriber.error(e);
        },
        complete: () => subscriber.complete(),
      });
      return () => {
        sub.unsubscribe();
        try {
          bar.end();
        } catch {
          // the run is over; nothing to report to
        }
      };
    });
  return operator as RecordOperator<R>;
}

interface ProgressSettings {
  readonly total: number | undefined;
  /** Counting epochs, not steps. */
  readonly epochs: boolean;
  readonly width: number;
  readonly clock: () => number;
}

/** One subscription's progress line: the start (time and count), the last draw, the last record. */
class ProgressLine<R extends StepRecord> {
  private readonly tty: boolean;
  private readonly unit: string;
  private t0 = Number.NaN;
  private c0 = 0;
  private lastDraw = Number.NaN;
  private drawn = false;
  private finished = false;
  private last: R | undefined;

  constructor(
    private readonly o: ProgressSettings,
    private readonly stream: WritableLike,
    private readonly everyMs: number,
  ) {
    this.tty = stream.isTTY === true;
    this.unit = o.epochs ? 'epochs' : 'steps';
  }

  /** Takes `r`; returns the time when it is due to be drawn (the first, the final, or `everyMs` after the last draw), else NaN. */
  arrive(r: R): number {
    this.last = r;
    const now = this.o.clock();
    if (Number.isNaN(this.t0)) {
      this.t0 = now;
      this.c0 = this.count(r);
    }
    return r.stopReason !== undefined || !this.drawn || now - this.lastDraw >= this.everyMs ? now : Number.NaN;
  }

  /** The source errored: ends a terminal line left open. */
  interrupted(): void {
    if (this.tty && this.drawn && !this.finished) this.stream.write('\n');
  }

  /** The run ended: draws a final record not drawn yet (ended by earlyStopping after this sink), or ends the line. */
  end(): void {
    const last = this.last;
    if (this.finished || last === undefined) return;
    if (last.stopReason !== undefined) this.draw(last, this.o.clock());
    else if (this.tty && this.drawn) this.stream.write('\n');
  }

  private count(r: R): number {
    return this.o.epochs ? r.epoch + (r.epochEnd ? 1 : 0) : r.step;
  }

  /** Writes the line of `r` at time `now`; throws what the stream throws. */
  draw(r: R, now: number): void {
    const final = r.stopReason !== undefined;
    if (this.tty) this.stream.write(`\r\x1b[2K${this.bar(r)}${this.text(r, now)}${final ? '\n' : ''}`);
    else this.stream.write(`${this.text(r, now)}\n`);
    this.drawn = true;
    this.lastDraw = now;
    if (final) this.finished = true;
  }

  private text(r: R, now: number): string {
    const { total } = this.o;
    const unit = this.unit;
    const c = this.count(r);
    const elapsed = (now - this.t0) / 1000;
    const rate = elapsed > 0 ? (c - this.c0) / elapsed : Number.NaN;
    let s = total === undefined ? `${unit.slice(0, -1)} ${c}` : `${c}/${total} ${unit}`;
    if (total !== undefined) s += ` (${Math.min(100, Math.floor((100 * c) / total))}%)`;
    if (r.loss !== undefined && !Number.isNaN(r.loss)) s += `  loss ${r.loss.toPrecision(5)}`;
    if (Number.isFinite(rate) && rate > 0) s += `  ${rate >= 100 ? Math.round(rate) : rate.toPrecision(3)} ${unit}/s`;
    if (r.stopReason !== undefined) s += `  stop: ${r.stopReason} after ${formatDuration(elapsed)}`;
    else if (total !== undefined && rate > 0) s += `  ETA ${formatDuration((total - c) / rate)}`;
    return s;
  }

  private bar(r: R): string {
    const { total, width } = this.o;
    if (total === undefined) return '';
    const filled = Math.max(0, Math.min(width, Math.round((width * this.count(r)) / total)));
    return `[${'█'.repeat(filled)}${'░'.repeat(width - filled)}] `;
  }
}
