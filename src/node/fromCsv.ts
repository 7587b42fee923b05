import { parse as parseSync } from 'csv-parse/sync';
import { GradstreamError, describeValue } from '../core/errors.js';
import {
  createLabelEncoder,
  notANumber,
  parseDecimal,
  planColumns,
  unknownClass,
  type ColumnOptions,
  type ColumnPlan,
  type LabelEncoder,
} from './columns.js';
import { fileSettings, fileSource, type FileSourceOptions, type RowStream } from './fileSource.js';
import { checkOptions } from '../streams/checkOptions.js';
import { csvError, csvRows } from './csvRows.js';
import { fileInfo, type FileBatchSource } from './fileBatchSource.js';
import { readHead } from './readHead.js';
import { recordDelimiter } from './recordDelimiter.js';
import { MAX_LINE_LENGTH, describeLength } from '../schemas/limits.js';

/** Options of {@link fromCsv}. */
export interface FromCsvOptions extends FileSourceOptions, ColumnOptions {
  /** Whether the first line names the columns (default true). Without it, columns are 0-based indices. */
  readonly header?: boolean;
  /** The field separator (default `,`). */
  readonly delimiter?: string;
}

/**
 * Mini-batches streamed from a CSV file (RFC 4180: quoted fields, `""` escapes, CRLF or LF line
 * ends, a BOM), parsed by `csv-parse` as the loop consumes them, so a file larger than memory
 * trains with flat memory. Inputs are the `features` columns; targets the numeric `targets`
 * columns, or a categorical `label` column mapped to class indices (`classes()` reports the
 * mapping, `classIndex(label)` encodes a label at prediction time and refuses an unknown one).
 *
 * The header is read and checked when `fromCsv` is called: a missing file, an empty one, unknown
 * columns or bad options throw a `GradstreamError` at once. A bad row met while training errors
 * the run with the file, row (the line number, the header being row 1) and column named:
 * `data.csv row 17, column "age": expected a finite number, received "n/a"`. Epochs, seeded
 * shuffling through a bounded buffer, seeded train/validation splits and resuming are those of
 * every file source.
 *
 * @example
 * import { fromCsv } from 'gradstream/node';
 * const data = fromCsv('iris.csv', { label: 'species', batchSize: 16, epochs: 50, shuffle: true, seed: 1 });
 * data.classes(); // ['setosa', 'versicolor', 'virginica'] once read
 */
export function fromCsv(path: string, opts?: FromCsvOptions): FileBatchSource {
  const options = checkOptions('fromCsv', opts);
  if (typeof path !== 'string' || path.length === 0) {
    throw new GradstreamError({ code: 'invalid_config', path: 'fromCsv.path', expected: 'a file path', received: describeValue(path) });
  }
  const settings = fileSettings(options, 'fromCsv');
  const header = options.header ?? true;
  const delimiter = options.delimiter ?? ',';
  if (typeof delimiter !== 'string' || delimiter.length === 0 || /["\r\n]/.test(delimiter)) {
    throw new GradstreamError({
      code: 'invalid_config',
      path: 'fromCsv.delimiter',
      expected: 'a non-empty string without quotes or line breaks',
      received: describeValue(delimiter),
    });
  }
  const first = firstRecords(path, delimiter);
  if (first.length === 0)
    throw new GradstreamError({
      code: 'invalid_dataset',
      path,
      expected: header ? 'a header line and data rows' : 'data rows',
      received: 'an empty file',
    });
  if (header && first.length < 2)
    throw new GradstreamError({ code: 'invalid_dataset', path, expected: 'at least one data row after the header', received: 'none' });
  const names = header ? first[0]! : first[0]!.map((_, i) => `column ${i}`);
  const plan = planColumns(path, names, options, 'fromCsv', !header);
  const labels = createLabelEncoder(options.classes, 'fromCsv');
  const columns = names.length;
  const { features, targets, label } = plan;
  const inputs = features.length;
  const outputs = label >= 0 ? 1 : targets.length;
  const decode = csvDecoder(path, names, plan, labels, header);
  const rows = (): RowStream<string[]> => csvRows(path, delimiter, header);
  // Rows of the other part of a split still number the classes, in the order of the whole file.
  const skipped = label < 0 ? undefined : (rec: string[]): void => void (rec.length === columns && labels.encode(rec[label]!));
  const source = fileSource({ file: path, inputs, outputs, rows, decode, ...(skipped === undefined ? {} : { skipped }) }, settings);
  return fileInfo(source, path, names, plan, labels);
}

/** Decodes a record's features, then its label's class index or its targets, naming the row and column of a bad field. */
function csvDecoder(
  path: string,
  names: readonly string[],
  plan: ColumnPlan,
  labels: LabelEncoder,
  header: boolean,
): (rec: string[], row: number, out: Float64Array, o: number) => void {
  const columns = names.length;
  const { features, targets, label } = plan;
  const inputs = features.length;
  const outputs = label >= 0 ? 1 : targets.length;
  return (rec, row, out, o) => {
    if (rec.length !== columns) {
      throw new GradstreamError({
        code: 'invalid_dataset',
        path: `${path} row ${row}`,
        expected: `${columns} fields${header ? ' (as the header)' : ' (as the first row)'}`,
        received: String(rec.length),
      });
    }
    for (let k = 0; k < inputs; k++) {
      const c = features[k]!;
      const v = parseDecimal(rec[c]!);
      if (v !== v) throw notANumber(path, row, names[c]!, rec[c]);
      out[o + k] = v;
    }
    if (label >= 0) {
      const i = labels.encode(rec[label]!);
      if (i < 0) throw unknownClass(`${path} row ${row}, column ${JSON.stringify(names[label])}`, labels.classes(), rec[label]);
      out[o + inputs] = i;
      return;
    }
    for (let k = 0; k < outputs; k++) {
      const c = targets[k]!;
      const v = parseDecimal(rec[c]!);
      if (v !== v) throw notANumber(path, row, names[c]!, rec[c]);
      out[o + inputs + k] = v;
    }
  };
}

/**
 * The first records of the file (the header and the first row), read synchronously: as much of
 * the file as they take, up to two records of {@link MAX_LINE_LENGTH} characters. A longer one
 * is refused here, its row named.
 */
function firstRecords(path: string, delimiter: string): string[][] {
  const rd = recordDelimiter(path, 2 * (4 * MAX_LINE_LENGTH + 4));
  const parse = (text: string): string[][] =>
    parseSync(text, {
      delimiter,
      bom: true,
      relax_column_count: true,
      skip_empty_lines: true,
      to: 2,
      max_record_size: MAX_LINE_LENGTH,
      ...(rd === undefined ? {} : { record_delimiter: rd }),
    }) as string[][];
  const head = readHead(path, 'fromCsv', 2 * MAX_LINE_LENGTH + 4, (text) => {
    try {
      return parse(text).length >= 2;
    } catch (e: unknown) {
      return (e as { code?: unknown }).code === 'CSV_MAX_RECORD_SIZE'; // else a quoted field cut by the read: read on
    }
  });
  let records: string[][];
  try {
    records = parse(head.text);
  } catch (e: unknown) {
    throw csvError(path, e);
  }
  if (records.length < 2 && !head.ended) {
    const row = records.length + 1;
    throw new GradstreamError({
      code: 'invalid_dataset',
      path: `${path} row ${row}`,
      expected: `a record of at most ${describeLength(MAX_LINE_LENGTH)}`,
      received: 'a longer one',
    });
  }
  return records;
}
