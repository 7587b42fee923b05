import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream';
import { parse } from 'csv-parse';
import { GradstreamError } from '../core/errors.js';
import { MAX_LINE_LENGTH, describeLength } from '../schemas/limits.js';
import { END_OF_FILE, type RowStream } from './fileSource.js';
import { recordDelimiter } from './recordDelimiter.js';

/**
 * Opens one pass: the file streams through `csv-parse` (quotes, CRLF, BOM), records are pulled
 * with `read()` while buffered; `line()` is the line where the record last read starts (1-based,
 * the header being line 1). Line numbers are counted here (`csv-parse`'s `info` snapshots cost
 * more than the parse): one per record plus the line breaks inside its quoted fields; blank lines
 * are skipped and counted. With a header, the first non-blank record is the header. A record
 * longer than `maxRecord` characters ({@link MAX_LINE_LENGTH}) is refused with its row named, in
 * time linear in its length (the line break is found first: see {@link recordDelimiter}).
 */
export function csvRows(path: string, delimiter: string, header: boolean, maxRecord = MAX_LINE_LENGTH): RowStream<string[]> {
  const rd = recordDelimiter(path, 4 * maxRecord + 4);
  const parser = parse({
    delimiter,
    bom: true,
    relax_column_count: true,
    skip_empty_lines: false,
    max_record_size: maxRecord,
    ...(rd === undefined ? {} : { record_delimiter: rd }),
  });
  let error: unknown;
  let ended = false;
  let closed = false;
  let wake: (() => void) | null = null;
  const notify = (): void => {
    const w = wake;
    wake = null;
    w?.();
  };
  pipeline(createReadStream(path, { highWaterMark: 1 << 16 }), parser, (e) => {
    if (e !== null && e !== undefined && !closed) error = e;
    notify();
  });
  parser.on('readable', notify);
  parser.on('end', () => {
    ended = true;
    notify();
  });
  let nextLine = 1;
  let current = 0;
  let skipHeader = header; // the first non-blank record
  return {
    read() {
      for (;;) {
        if (error !== undefined) throw csvError(path, error, maxRecord);
        const rec = parser.read() as string[] | null;
        if (rec === null) return ended ? END_OF_FILE : null;
        current = nextLine;
        nextLine += 1;
        for (let i = 0; i < rec.length; i++) {
          const f = rec[i]!;
          if (f.length > 0 && f.indexOf('\n') >= 0) nextLine += countBreaks(f);
        }
        if (rec.length === 1 && rec[0] === '') continue; // a blank line
        if (skipHeader) {
          skipHeader = false;
          continue;
        }
        return rec;
      }
    },
    wait: () =>
      new Promise<void>((resolve) => {
        if (error !== undefined || ended || parser.readableLength > 0) resolve();
        else wake = resolve;
      }),
    close() {
      closed = true;
      parser.destroy();
      notify();
    },
    line: () => current,
  };
}

function countBreaks(s: string): number {
  let n = 0;
  for (let i = s.indexOf('\n'); i >= 0; i = s.indexOf('\n', i + 1)) n += 1;
  return n;
}

/** Whether `e` is a csv-parse error (its class differs between csv-parse's builds; its codes are `CSV_…` or `INVALID_…`). */
function isCsvError(e: unknown): e is Error & { code: string; lines?: number } {
  return e instanceof Error && e.constructor.name === 'CsvError' && typeof (e as { code?: unknown }).code === 'string';
}

/**
 * csv-parse's errors (unclosed quotes, a quote inside a field, …) as a `GradstreamError` naming
 * the file and line; the field's text is left out of the message.
 */
export function csvError(path: string, e: unknown, maxRecord = MAX_LINE_LENGTH): unknown {
  if (e instanceof GradstreamError || !isCsvError(e)) return e;
  const line = e.lines;
  const where = line === undefined ? path : `${path} row ${line}`;
  if (e.code === 'CSV_MAX_RECORD_SIZE') {
    return new GradstreamError({
      code: 'invalid_dataset',
      path: where,
      expected: `a record of at most ${describeLength(maxRecord)}`,
      received: 'a longer one',
    });
  }
  return new GradstreamError({
    code: 'invalid_dataset',
    path: where,
    expected: 'valid CSV',
    received: e.message.replace(/,? value is [\s\S]*$/, ''),
  });
}
