import { readFile } from 'node:fs/promises';
import { parse as parseCsv } from 'csv-parse/sync';
import { GradstreamError } from '../core/errors.js';
import { inputError } from './cliError.js';

/**
 * The `features` columns of every row of a CSV (header row; `delimiter`) or JSON Lines file, as
 * one flat row-major array — the inputs to predict on; target columns need not be there. Errors
 * (exit 2) name the file, row and column.
 */
export async function readFeatureRows(file: string, features: readonly string[], delimiter = ','): Promise<{ x: Float64Array; rows: number }> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e: unknown) {
    throw inputError(file, e);
  }
  const values: number[] = [];
  const take = (v: unknown, row: number, column: string): void => {
    const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : Number.NaN;
    if (!Number.isFinite(n)) throw new GradstreamError({ code: 'invalid_dataset', path: `${file} row ${row}, column ${JSON.stringify(column)}`, expected: 'a finite number', received: JSON.stringify(v) ?? 'nothing' });
    values.push(n);
  };
  if (/\.(jsonl|ndjson)$/i.test(file)) {
    const lines = text.split('\n');
    for (let i = 0; i < lines.length; i++) {
      if (lines[i]!.trim() === '') continue;
      let o: unknown;
      try {
        o = JSON.parse(lines[i]!);
      } catch {
        throw new GradstreamError({ code: 'invalid_dataset', path: `${file} row ${i + 1}`, expected: 'a JSON object', received: 'invalid JSON' });
      }
      if (typeof o !== 'object' || o === null || Array.isArray(o)) throw new GradstreamError({ code: 'invalid_dataset', path: `${file} row ${i + 1}`, expected: 'a JSON object', received: Array.isArray(o) ? 'an array' : typeof o });
      for (const f of features) take((o as Record<string, unknown>)[f], i + 1, f);
    }
  } else {
    let records: string[][];
    try {
      records = parseCsv(text, { delimiter, bom: true, skip_empty_lines: true, relax_column_count: true }) as string[][];
    } catch (e: unknown) {
      throw new GradstreamError({ code: 'invalid_dataset', path: file, expected: 'CSV', received: (e as Error).message });
    }
    const header = records[0] ?? [];
    const at = features.map((f) => {
      const i = header.indexOf(f);
      if (i < 0) throw new GradstreamError({ code: 'invalid_dataset', path: `${file}, column ${JSON.stringify(f)}`, expected: `one of the header's columns ${header.map((h) => JSON.stringify(h)).join(', ')}`, received: 'no such column' });
      return i;
    });
    for (let r = 1; r < records.length; r++) for (let k = 0; k < at.length; k++) take(records[r]![at[k]!], r + 1, features[k]!);
  }
  return { x: Float64Array.from(values), rows: values.length / features.length };
}
