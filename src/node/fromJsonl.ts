import { GradstreamError, describeValue } from '../core/errors.js';
import { checkOptions } from '../streams/checkOptions.js';
import { createLabelEncoder, jsonNumber, jsonRecord, notANumber, planColumns, unknownClass, type ColumnOptions } from './columns.js';
import { fileInfo, type FileBatchSource } from './fileBatchSource.js';
import { fileSettings, fileSource, type FileSourceOptions, type RowStream } from './fileSource.js';
import { jsonlRows } from './jsonlRows.js';
import { readHead } from './readHead.js';
import { MAX_LINE_LENGTH, describeLength } from '../schemas/limits.js';

/** Options of {@link fromJsonl}: columns are the keys of each line's object. */
export interface FromJsonlOptions extends FileSourceOptions, ColumnOptions {
  readonly features?: readonly string[];
  readonly targets?: readonly string[];
  readonly label?: string;
}

/**
 * Mini-batches streamed from a JSON Lines file: one object per line (`{"age": 31, "income": 2.5,
 * "label": "yes"}`), read as the loop consumes them (flat memory for files larger than memory).
 * Inputs are the `features` keys (default: every key of the first line that is not a target, in
 * its order); targets the numeric `targets` keys, or a categorical `label` key mapped to class
 * indices (`classes()` reports the mapping). Values must be finite JSON numbers: `"3"`, `null` or
 * `1e999` (Infinity) are refused, as is a missing key. A UTF-8 byte-order mark is skipped.
 *
 * The first line is read and checked when `fromJsonl` is called (missing or empty file, unknown
 * keys, bad options throw at once); a bad line met while training errors the run with the file,
 * row (line number) and key named: `data.jsonl row 4, column "age": expected a finite number,
 * received "n/a"`. Epochs, seeded shuffling, splits and resuming are those of every file source.
 *
 * @example
 * import { fromJsonl } from 'gradstream/node';
 * const data = fromJsonl('events.jsonl', { features: ['x1', 'x2'], targets: ['y'], batchSize: 64, epochs: 3 });
 */
export function fromJsonl(path: string, opts?: FromJsonlOptions): FileBatchSource {
  const options = checkOptions('fromJsonl', opts);
  if (typeof path !== 'string' || path.length === 0) {
    throw new GradstreamError({ code: 'invalid_config', path: 'fromJsonl.path', expected: 'a file path', received: describeValue(path) });
  }
  const settings = fileSettings(options, 'fromJsonl');
  const first = firstObject(path);
  const names = Object.keys(first.value);
  const plan = planColumns(path, names, options, 'fromJsonl', false);
  const labels = createLabelEncoder(options.classes, 'fromJsonl');
  const features = plan.features.map((i) => names[i]!);
  const targets = plan.targets.map((i) => names[i]!);
  const label = plan.label >= 0 ? names[plan.label]! : undefined;
  const inputs = features.length;
  const outputs = label !== undefined ? 1 : targets.length;

  const decode = (text: string, row: number, out: Float64Array, o: number): void => {
    const rec = jsonRecord(path, row, text);
    for (let k = 0; k < inputs; k++) {
      const v = jsonNumber(rec[features[k]!]);
      if (v !== v) throw notANumber(path, row, features[k]!, rec[features[k]!]);
      out[o + k] = v;
    }
    if (label !== undefined) {
      const v = rec[label];
      if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') {
        throw new GradstreamError({
          code: 'invalid_dataset',
          path: `${path} row ${row}, column ${JSON.stringify(label)}`,
          expected: 'a class label (a string, number or boolean)',
          received: describeValue(v),
        });
      }
      const i = labels.encode(String(v));
      if (i < 0) throw unknownClass(`${path} row ${row}, column ${JSON.stringify(label)}`, labels.classes(), v);
      out[o + inputs] = i;
      return;
    }
    for (let k = 0; k < outputs; k++) {
      const v = jsonNumber(rec[targets[k]!]);
      if (v !== v) throw notANumber(path, row, targets[k]!, rec[targets[k]!]);
      out[o + inputs + k] = v;
    }
  };
  const rows = (): RowStream<string> => jsonlRows(path);
  // Rows of the other part of a split still number the classes, in the order of the whole file.
  const skipped = (text: string): void => {
    if (label === undefined) return;
    try {
      const v = (JSON.parse(text) as Record<string, unknown> | null)?.[label];
      if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') labels.encode(String(v));
    } catch {
      // a bad row is reported by the part that reads it
    }
  };
  return fileInfo(fileSource({ file: path, inputs, outputs, rows, decode, skipped }, settings), path, names, plan, labels);
}

/** The first non-blank line's object, read synchronously (a byte-order mark dropped). */
function firstObject(path: string): { value: Record<string, unknown>; line: number } {
  const head = readHead(path, 'fromJsonl', MAX_LINE_LENGTH + 2, (text) => /\S/.test(text));
  const text = head.text.charCodeAt(0) === 0xfeff ? head.text.slice(1) : head.text;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    return { value: jsonRecord(path, i + 1, line), line: i + 1 };
  }
  if (!head.ended) {
    throw new GradstreamError({
      code: 'invalid_dataset',
      path: `${path} row ${lines.length}`,
      expected: `a line of at most ${describeLength(MAX_LINE_LENGTH)}`,
      received: 'a longer line',
    });
  }
  throw new GradstreamError({
    code: 'invalid_dataset',
    path,
    expected: 'at least one JSON object line',
    received: head.bytes === 0 ? 'an empty file' : 'only blank lines',
  });
}
