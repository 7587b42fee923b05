import { Observable, type MonoTypeOperatorFunction } from 'rxjs';
import { LogOptions, badOption, parseOptions } from '../schemas/sinkOptions.js';
import { epochLineDue } from './epochLineDue.js';
import type { StepRecord } from '../streams/stepRecord.js';
import { untilUnsubscribed } from '../ops/untilUnsubscribed.js';
import { monitorReader } from './monitorReader.js';
import type { RecordOperator } from './recordOperator.js';

/**
 * A number as log text that parses back to the very same float64: the shortest round-trip
 * decimal (`String`), `-0` kept as `-0`, and `NaN`, `Infinity`, `-Infinity` spelled out
 * (`Number(text)` reads all of them back).
 */
export function formatNumber(v: number): string {
  return v === 0 && 1 / v < 0 ? '-0' : String(v);
}

/** A number as a JSON Lines value: a JSON number, or the strings `"NaN"`, `"Infinity"`, `"-Infinity"`; `-0` as the number `-0`. */
function jsonNumber(v: number): string {
  return Number.isFinite(v) ? formatNumber(v) : `"${String(v)}"`;
}

/** A CSV field: quoted when it holds a comma, a quote or a line break. */
function csvField(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** The text of one console line: `step N  epoch E  loss L  epochLoss P  valLoss V  <metric> M  lr R  S steps/s  stop: reason`. */
export function formatLogLine(r: StepRecord, stepsPerSecond: number): string {
  let line = `step ${r.step}  epoch ${r.epoch}  loss ${r.loss === undefined ? '-' : String(r.loss)}`;
  const extra = r as { valLoss?: unknown; epochLoss?: unknown; metrics?: Readonly<Record<string, number>> };
  if (typeof extra.epochLoss === 'number') line += `  epochLoss ${String(extra.epochLoss)}`;
  if (typeof extra.valLoss === 'number') line += `  valLoss ${String(extra.valLoss)}`;
  if (extra.metrics !== undefined) for (const [name, v] of Object.entries(extra.metrics)) line += `  ${name} ${v.toPrecision(4)}`;
  if (!Number.isNaN(r.lr)) line += `  lr ${String(r.lr)}`;
  if (Number.isFinite(stepsPerSecond)) line += `  ${formatRate(stepsPerSecond)} steps/s`;
  if (r.stopReason !== undefined) line += `  stop: ${r.stopReason}`;
  return line;
}

function formatRate(v: number): string {
  return v >= 100 ? String(Math.round(v)) : v.toPrecision(3);
}

const STRING_COLUMNS = new Set(['stopReason']);

/**
 * The default columns of a structured log: the record's scalars and the metrics it has, and the
 * epoch means when the pipeline computes them (`epochMean`).
 */
function defaultColumns(r: StepRecord): string[] {
  const metrics = Object.keys((r as { metrics?: Readonly<Record<string, number>> }).metrics ?? {});
  const epochs = 'epochLoss' in r ? ['epochLoss', ...metrics.map((k) => `epochMetrics.${k}`)] : [];
  return ['step', 'epoch', 'batchIndex', 'loss', ...epochs, 'valLoss', 'lr', ...metrics.map((k) => `metrics.${k}`), 'stopReason'];
}

/**
 * Logs training: console lines (`format: 'text'`, the default: step, epoch, loss, the epoch's mean
 * loss `epochLoss` on epoch ends (with `epochMean`), valLoss, metrics, lr, steps/s and the stop
 * reason), JSON Lines (`'jsonl'`: one object per logged step)
 * or CSV (`'csv'`: a header once, then one row per logged step). Lines go to `write` (default
 * `console.log`) or to a writable stream `to` (Node streams, a file: `logFile` in
 * `gradstream/node`). Numbers are written so they parse back to the same float64: shortest
 * round-trip decimals, `-0` kept, non-finite ones as `NaN` / `Infinity` / `-Infinity` (strings in
 * JSON Lines). A value a record does not have is `null` in JSON Lines and empty in CSV.
 *
 * Logs the steps that are multiples of `every` (default 1), at most once per `everyMs` when given,
 * the epoch ends with an epoch mean (`epochMean`) of every k-th epoch, k = ⌊every ÷ steps per
 * epoch⌋ or 1 (so the log has the epoch means, sampled about as often as the steps; an epoch end
 * left out is logged before the final record when nothing was logged after it), and always the final record (with `stopReason`) — also when this sink sits before
 * `earlyStopping`: the stopping step is then logged again with its reason (in text, a short
 * `step N  stop: reason` line when the step was just logged). Nothing is formatted on steps
 * that are not logged, except epoch ends. With a stream `to`, each line is handed to `record.hold`: the loop
 * waits until the stream has taken it (lossless, in every scheduling mode).
 *
 * Passes every record through unchanged; completes with its source once the stream has taken
 * every line; errors with its source, or if `write` throws or the stream reports an error.
 *
 * @example
 * import { log } from 'gradstream';
 * const console$ = log({ every: 100 });
 * const lines: string[] = [];
 * const csv = log({ format: 'csv', every: 10, write: (line) => lines.push(line) });
 */
export function log<R extends StepRecord = StepRecord>(options: LogOptions = {}): RecordOperator<R> {
  const o = parseOptions(LogOptions, options, 'log');
  if (o.write !== undefined && o.to !== undefined) badOption('log', 'either write or to', 'both');
  const format = o.format ?? 'text';
  const every = o.every ?? 1;
  const everyMs = o.everyMs;
  const clock = o.clock ?? (() => performance.now());
  const to = o.to;
  const write = o.write ?? ((line: string) => console.log(line));
  for (const c of o.columns ?? []) if (!STRING_COLUMNS.has(c)) monitorReader(c, 'log.columns');
  const operator: MonoTypeOperatorFunction<R> = (source) =>
    new Observable<R>((subscriber) => {
      let lastStep = Number.NaN;
      let lastTime = Number.NaN;
      let columns: string[] | null = null;
      let readers: ((r: object) => number | undefined)[] = [];
      let last: R | undefined;
      let loggedFinal = false;
      let lastLogged = Number.NaN;
      let skipped: string | undefined; // the last epoch end not logged, while nothing was logged after it
      let pending = 0;
      let sourceDone = false;

      const emit = (r: R, line: string): void => {
        if (to === undefined) {
          write(line);
          return;
        }
        const written = new Promise<void>((resolve, reject) => {
          to.write(`${line}\n`, (e) => (e == null ? resolve() : reject(e)));
        });
        pending += 1;
        written.then(
          () => {
            pending -= 1;
            if (sourceDone && pending === 0) subscriber.complete();
          },
          (e: unknown) => subscriber.error(e),
        );
        r.hold(written);
      };

      const row = (r: R): string => {
        if (columns === null) {
          columns = o.columns ?? defaultColumns(r);
          readers = columns.map((c) => (STRING_COLUMNS.has(c) ? () => undefined : monitorReader(c, 'log.columns')));
          if (format === 'csv') emit(r, columns.map(csvField).join(','));
        }
        const parts: string[] = [];
        for (let i = 0; i < columns.length; i++) {
          const c = columns[i]!;
          let cell: string;
          if (STRING_COLUMNS.has(c)) {
            const s = r.stopReason;
            cell = s === undefined ? (format === 'csv' ? '' : 'null') : format === 'csv' ? csvField(s) : JSON.stringify(s);
          } else {
            const v = readers[i]!(r);
            cell = v === undefined ? (format === 'csv' ? '' : 'null') : format === 'csv' ? formatNumber(v) : jsonNumber(v);
          }
          parts.push(format === 'csv' ? cell : `${JSON.stringify(c)}:${cell}`);
        }
        return format === 'csv' ? parts.join(',') : `{${parts.join(',')}}`;
      };

      const handle = (r: R): void => {
        let line: string;
        if (format === 'text') {
          const now = clock();
          const rate = r.step > lastStep && now > lastTime ? ((r.step - lastStep) * 1000) / (now - lastTime) : Number.NaN;
          lastStep = r.step;
          lastTime = now;
          line = formatLogLine(r, rate);
        } else {
          if (everyMs !== undefined) lastTime = clock();
          line = row(r);
        }
        if (r.stopReason !== undefined) loggedFinal = true;
        lastLogged = r.step;
        emit(r, line);
      };

      const sub = source.pipe(untilUnsubscribed(subscriber)).subscribe({
        next(r) {
          last = r;
          let due = r.stopReason !== undefined;
          if (!due && (r.step % every === 0 || epochLineDue(r, every))) due = everyMs === undefined || !(clock() - lastTime < everyMs);
          try {
            if (due) {
              if (r.stopReason !== undefined && skipped !== undefined) emit(r, skipped);
              skipped = undefined;
              handle(r);
            } else if (typeof (r as { epochLoss?: unknown }).epochLoss === 'number')
              skipped = format === 'text' ? formatLogLine(r, Number.NaN) : row(r);
          } catch (e: unknown) {
            subscriber.error(e);
            return;
          }
          subscriber.next(r);
        },
        error: (e: unknown) => subscriber.error(e),
        complete: () => {
          sourceDone = true;
          if (pending === 0) subscriber.complete();
        },
      });
      return () => {
        sub.unsubscribe();
        // Downstream ended the run (earlyStopping after this sink): log the final record now.
        if (last !== undefined && last.stopReason !== undefined && !loggedFinal) {
          loggedFinal = true;
          try {
            if (format === 'text' && lastLogged === last.step) emit(last, `step ${last.step}  stop: ${last.stopReason}`);
            else handle(last);
          } catch (e: unknown) {
            last.hold(Promise.reject(e));
          }
        }
      };
    });
  return operator as RecordOperator<R>;
}
