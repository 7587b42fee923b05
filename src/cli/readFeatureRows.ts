import { GradstreamError } from '../core/errors.js';
import { jsonNumber, jsonRecord, notANumber, parseDecimal } from '../node/columns.js';
import { csvRows } from '../node/csvRows.js';
import { END_OF_FILE, type RowStream } from '../node/fileSource.js';
import { jsonlRows } from '../node/jsonlRows.js';
import { checkRegularFile } from '../sinks/checkRegularFile.js';
import { inputError } from './cliError.js';

/**
 * The `features` columns of every row of a CSV (header row; `delimiter`) or JSON Lines file, as
 * one flat row-major array — the inputs to predict on; target columns need not be there. The
 * file is read by the readers `train` uses, with the same rules (a CSV field is a decimal number:
 * not `0x10`, `Infinity` or empty; a JSON value is a finite JSON number: not `"0"` or `1e999`), so
 * every command accepts and refuses the same files. Errors (exit 2) name the file, row and column.
 */
export async function readFeatureRows(
  file: string,
  features: readonly string[],
  delimiter = ',',
): Promise<{ x: Float64Array; rows: number }> {
  const values: number[] = [];
  try {
    await checkRegularFile(file, Number.MAX_SAFE_INTEGER, 'invalid_dataset', 'a data file');
    if (/\.(jsonl|ndjson)$/i.test(file)) {
      await eachRow(jsonlRows(file), (text, row) => {
        const rec = jsonRecord(file, row, text);
        for (const f of features) {
          const v = jsonNumber(rec[f]);
          if (v !== v) throw notANumber(file, row, f, rec[f]);
          values.push(v);
        }
      });
    } else {
      let at: number[] | undefined;
      let columns = 0;
      await eachRow(csvRows(file, delimiter, false), (rec, row) => {
        if (at === undefined) {
          at = features.map((f) => headerIndex(file, rec, f));
          columns = rec.length;
          return;
        }
        if (rec.length !== columns)
          throw new GradstreamError({
            code: 'invalid_dataset',
            path: `${file} row ${row}`,
            expected: `${columns} fields (as the header)`,
            received: String(rec.length),
          });
        for (let k = 0; k < at.length; k++) {
          const text = rec[at[k]!]!;
          const v = parseDecimal(text);
          if (v !== v) throw notANumber(file, row, features[k]!, text);
          values.push(v);
        }
      });
      if (at === undefined)
        throw new GradstreamError({
          code: 'invalid_dataset',
          path: file,
          expected: 'a header line and data rows',
          received: 'an empty file',
        });
    }
  } catch (e: unknown) {
    throw e instanceof GradstreamError ? e : inputError(file, e);
  }
  return { x: Float64Array.from(values), rows: values.length / features.length };
}

/** Runs `each` on every record of one pass (with its row number), waiting while none is buffered. */
async function eachRow<R>(rows: RowStream<R>, each: (rec: R, row: number) => void): Promise<void> {
  try {
    for (;;) {
      const r = rows.read();
      if (r === END_OF_FILE) return;
      if (r === null) await rows.wait();
      else each(r, rows.line());
    }
  } finally {
    rows.close();
  }
}

function headerIndex(file: string, header: readonly string[], f: string): number {
  const i = header.indexOf(f);
  if (i >= 0) return i;
  const shown =
    header
      .slice(0, 20)
      .map((h) => JSON.stringify(h))
      .join(', ') + (header.length > 20 ? ', …' : '');
  throw new GradstreamError({
    code: 'invalid_dataset',
    path: `${file}, column ${JSON.stringify(f)}`,
    expected: `one of the header's columns ${shown}`,
    received: 'no such column',
  });
}
