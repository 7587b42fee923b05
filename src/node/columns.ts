import { GradstreamError, describeValue } from '../core/errors.js';
import { describeJsonError } from '../schemas/describeJsonError.js';

/** Which columns of a file are inputs and which are targets (shared by `fromCsv` and `fromJsonl`). */
export interface ColumnOptions {
  /** Input columns, by name (or by 0-based index when the CSV has no header). Default: every column that is not a target. */
  readonly features?: readonly (string | number)[];
  /** Numeric target columns. Give `targets` or `label`. */
  readonly targets?: readonly (string | number)[];
  /** A categorical column: its values become class indices 0, 1, … (one target per row). */
  readonly label?: string | number;
  /**
   * The classes of `label`, in index order. A value outside them is refused on its row. Without
   * it, classes get indices in order of first appearance in the file (the same in every part of a
   * split and every epoch); give it when the model's output count must be known up front.
   */
  readonly classes?: readonly string[];
}

/** Where each input and target sits in a record (indices into the file's columns). */
export interface ColumnPlan {
  readonly features: readonly number[];
  readonly targets: readonly number[];
  /** The label column, or -1. */
  readonly label: number;
  /** Every column's name (as messages show it). */
  readonly names: readonly string[];
}

/** Maps class labels to indices: fixed (`classes` given) or growing in order of first appearance. */
export interface LabelEncoder {
  /** The index of `label`; a new one gets the next index unless the classes are fixed (then -1). */
  encode(label: string): number;
  /** The classes known so far, in index order. */
  readonly classes: () => readonly string[];
  /** Whether `classes` was given. */
  readonly fixed: boolean;
}

/** A label encoder from the `classes` option (fixed), or an empty growing one. */
export function createLabelEncoder(classes: readonly string[] | undefined, where: string): LabelEncoder {
  const map = new Map<string, number>();
  const list: string[] = [];
  if (classes !== undefined) {
    if (!Array.isArray(classes) || classes.length < 1) {
      throw new GradstreamError({
        code: 'invalid_config',
        path: `${where}.classes`,
        expected: 'a non-empty list of class names',
        received: describeValue(classes),
      });
    }
    for (const c of classes) {
      if (typeof c !== 'string' || map.has(c)) {
        throw new GradstreamError({
          code: 'invalid_config',
          path: `${where}.classes`,
          expected: 'distinct strings',
          received: describeValue(c),
        });
      }
      map.set(c, list.length);
      list.push(c);
    }
  }
  const fixed = classes !== undefined;
  return {
    encode(label) {
      const i = map.get(label);
      if (i !== undefined) return i;
      if (fixed) return -1;
      map.set(label, list.length);
      list.push(label);
      return list.length - 1;
    },
    classes: () => list,
    fixed,
  };
}

/** The message of a label outside fixed classes. */
export function unknownClass(path: string, classes: readonly string[], label: unknown): GradstreamError {
  const shown =
    classes
      .slice(0, 10)
      .map((c) => JSON.stringify(c))
      .join(', ') + (classes.length > 10 ? ', …' : '');
  return new GradstreamError({ code: 'invalid_dataset', path, expected: `one of the classes ${shown}`, received: describeValue(label) });
}

/**
 * Resolves the column options against the file's column names: unknown names, a column used
 * twice, no target, or an index out of range are refused with the file named.
 */
export function planColumns(file: string, names: readonly string[], options: ColumnOptions, where: string, byIndex: boolean): ColumnPlan {
  const resolve = columnResolver(file, names, where, byIndex);
  const list = (v: unknown, option: string): number[] => {
    if (!Array.isArray(v))
      throw new GradstreamError({
        code: 'invalid_config',
        path: `${where}.${option}`,
        expected: 'a list of columns',
        received: describeValue(v),
      });
    return v.map((c: string | number) => resolve(c, option));
  };
  if (options.targets === undefined && options.label === undefined) {
    throw new GradstreamError({
      code: 'invalid_config',
      path: `${where}.targets`,
      expected: 'targets (numeric columns) or label (a categorical column)',
      received: 'neither',
    });
  }
  if (options.targets !== undefined && options.label !== undefined) {
    throw new GradstreamError({ code: 'invalid_config', path: `${where}.label`, expected: 'either targets or label', received: 'both' });
  }
  const targets = options.targets !== undefined ? list(options.targets, 'targets') : [];
  const label = options.label !== undefined ? resolve(options.label, 'label') : -1;
  const used = new Set([...targets, ...(label >= 0 ? [label] : [])]);
  const features = options.features !== undefined ? list(options.features, 'features') : names.map((_, i) => i).filter((i) => !used.has(i));
  checkColumnUse(features, targets, label, names, where);
  return { features, targets, label, names };
}

/** Resolves a column option (a name, or an index) to its column, refusing unknown ones with the file named. */
function columnResolver(
  file: string,
  names: readonly string[],
  where: string,
  byIndex: boolean,
): (c: string | number, option: string) => number {
  return (c, option) => {
    if (typeof c === 'number') {
      if (Number.isInteger(c) && c >= 0 && c < names.length) return c;
      throw new GradstreamError({
        code: 'invalid_config',
        path: `${file}, ${where}.${option}`,
        expected: `a column index in [0, ${names.length})`,
        received: describeValue(c),
      });
    }
    const i = typeof c === 'string' ? names.indexOf(c) : -1;
    if (i < 0) {
      const shown =
        names
          .slice(0, 20)
          .map((n) => JSON.stringify(n))
          .join(', ') + (names.length > 20 ? ', …' : '');
      const expected = byIndex ? `a column index (the file has no header; ${names.length} columns)` : `one of the file's columns ${shown}`;
      throw new GradstreamError({
        code: 'invalid_dataset',
        path: `${file}, ${where}.${option}`,
        expected,
        received: `an unknown column ${describeValue(c)}`,
      });
    }
    return i;
  };
}

/** Refuses a column used twice, no input column, or no target. */
function checkColumnUse(
  features: readonly number[],
  targets: readonly number[],
  label: number,
  names: readonly string[],
  where: string,
): void {
  const seen = new Set<number>();
  for (const i of [...features, ...targets, ...(label >= 0 ? [label] : [])]) {
    if (seen.has(i)) {
      throw new GradstreamError({
        code: 'invalid_config',
        path: `${where}.features`,
        expected: 'each column used once (as a feature, a target or the label)',
        received: `column ${JSON.stringify(names[i])} twice`,
      });
    }
    seen.add(i);
  }
  if (features.length === 0)
    throw new GradstreamError({
      code: 'invalid_config',
      path: `${where}.features`,
      expected: 'at least one input column',
      received: 'none',
    });
  if (targets.length === 0 && label < 0)
    throw new GradstreamError({
      code: 'invalid_config',
      path: `${where}.targets`,
      expected: 'at least one target column',
      received: 'none',
    });
}

const DECIMAL = /^\s*[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\s*$/;

/** A CSV field as a finite decimal number, or NaN ("n/a", "", "0x10", "Infinity" are not numbers here). */
export function parseDecimal(s: string): number {
  const v = Number(s);
  return Number.isFinite(v) && DECIMAL.test(s) ? v : Number.NaN;
}

/** The message of a value that is not a finite number, on a row and column of a file. */
export function notANumber(file: string, row: number, column: string, value: unknown): GradstreamError {
  return new GradstreamError({
    code: 'invalid_dataset',
    path: `${file} row ${row}, column ${JSON.stringify(column)}`,
    expected: 'a finite number',
    received: describeValue(value),
  });
}

/**
 * A JSON Lines value as a finite number, or NaN: only JSON numbers count (`"3"`, `null`, `true`
 * are not numbers here, nor `1e999`, which parses to Infinity).
 */
export function jsonNumber(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : Number.NaN;
}

/** The object on a JSON Lines row; errors name the file and row and never quote the text. */
export function jsonRecord(file: string, row: number, text: string): Record<string, unknown> {
  let obj: unknown;
  try {
    obj = JSON.parse(text);
  } catch (e: unknown) {
    throw new GradstreamError({
      code: 'invalid_dataset',
      path: `${file} row ${row}`,
      expected: 'a JSON object',
      received: `invalid JSON (${describeJsonError(text, e).replace(/^line 1, /, '')})`,
    });
  }
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) {
    throw new GradstreamError({
      code: 'invalid_dataset',
      path: `${file} row ${row}`,
      expected: 'a JSON object',
      received: Array.isArray(obj) ? 'an array' : obj === null ? 'null' : `a ${typeof obj}`,
    });
  }
  return obj as Record<string, unknown>;
}
