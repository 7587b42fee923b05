import { closeSync, openSync, readSync } from 'node:fs';
import { GradstreamError, describeValue } from '../core/errors.js';
import { checkOptions } from '../streams/checkOptions.js';
import { createLabelEncoder, notANumber, planColumns, unknownClass, type ColumnOptions } from './columns.js';
import { fileInfo, type FileBatchSource } from './fileBatchSource.js';
import { fileSettings, fileSource, type FileSourceOptions, type RowStream } from './fileSource.js';
import { jsonlRows } from './jsonlRows.js';

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
 * indices (`classes()` reports the mapping). Values must be JSON numbers: `"3"` or `null` are
 * refused, as is a missing key.
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
    let obj: unknown;
    try {
      obj = JSON.parse(text);
    } catch {
      obj = undefined;
    }
    if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) {
      throw new GradstreamError({ code: 'invalid_dataset', path: `${path} row ${row}`, expected: 'a JSON object', received: describeValue(text) });
    }
    const rec = obj as Record<string, unknown>;
    for (let k = 0; k < inputs; k++) {
      const v = rec[features[k]!];
      if (typeof v !== 'number') throw notANumber(path, row, features[k]!, v);
      out[o + k] = v;
    }
    if (label !== undefined) {
      const v = rec[label];
      if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') {
        throw new GradstreamError({ code: 'invalid_dataset', path: `${path} row ${row}, column ${JSON.stringify(label)}`, expected: 'a class label (a string, number or boolean)', received: describeValue(v) });
      }
      const i = labels.encode(String(v));
      if (i < 0) throw unknownClass(`${path} row ${row}, column ${JSON.stringify(label)}`, labels.classes(), v);
      out[o + inputs] = i;
      return;
    }
    for (let k = 0; k < outputs; k++) {
      const v = rec[targets[k]!];
      if (typeof v !== 'number') throw notANumber(path, row, targets[k]!, v);
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

/** The first non-blank line's object, read synchronously. */
function firstObject(path: string): { value: Record<string, unknown>; line: number } {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e: unknown) {
    throw new GradstreamError({ code: 'invalid_config', path: 'fromJsonl.path', expected: 'a readable file', received: `${JSON.stringify(path)} (${(e as NodeJS.ErrnoException).code ?? String(e)})` });
  }
  try {
    const chunk = Buffer.alloc(1 << 20);
    const n = readSync(fd, chunk, 0, chunk.length, 0);
    const lines = chunk.toString('utf8', 0, n).split('\n');
    for (let i = 0; i < lines.length; i++) {
      const text = lines[i]!.trim();
      if (text === '') continue;
      if (i === lines.length - 1 && n === chunk.length) break; // a line cut by the chunk
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        value = undefined;
      }
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        throw new GradstreamError({ code: 'invalid_dataset', path: `${path} row ${i + 1}`, expected: 'a JSON object', received: describeValue(text) });
      }
      return { value: value as Record<string, unknown>, line: i + 1 };
    }
    throw new GradstreamError({ code: 'invalid_dataset', path, expected: 'at least one JSON object line', received: n === 0 ? 'an empty file' : n < chunk.length ? 'only blank lines' : 'no complete line in the first MiB' });
  } finally {
    closeSync(fd);
  }
}
