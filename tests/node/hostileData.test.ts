import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { csvRows } from '../../src/node/csvRows.js';
import { END_OF_FILE, type RowStream } from '../../src/node/fileSource.js';
import { jsonlRows } from '../../src/node/jsonlRows.js';
import { lineCutter } from '../../src/node/lineCutter.js';
import { GradstreamError } from '../../src/index.js';
import { fromCsv, fromJsonl } from '../../src/node.js';
import { driveReader } from '../helpers/driveReader.js';

const dir = mkdtempSync(join(tmpdir(), 'gradstream-hostile-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
function file(text: string | Buffer, ext = 'jsonl'): string {
  const p = join(dir, `f${n++}.${ext}`);
  writeFileSync(p, text);
  return p;
}

/** Every record of one pass, with its line. */
async function all<R>(rows: RowStream<R>): Promise<[R, number][]> {
  const out: [R, number][] = [];
  try {
    for (;;) {
      const r = rows.read();
      if (r === END_OF_FILE) return out;
      if (r === null) await rows.wait();
      else out.push([r, rows.line()]);
    }
  } finally {
    rows.close();
  }
}

describe('lineCutter', () => {
  /** Every line of `chunks`, fed one by one. */
  const cut = (chunks: string[], max = 100): [string, number][] => {
    const c = lineCutter('f.jsonl', max);
    const out: [string, number][] = [];
    for (const chunk of chunks) {
      c.push(chunk);
      for (let l = c.next(); l !== null; l = c.next()) out.push([l, c.line()]);
    }
    const last = c.end();
    if (last !== null) out.push([last, c.line()]);
    return out;
  };

  it('cuts at LF and CRLF wherever the chunks split, dropping a leading BOM only', () => {
    const text = '\uFEFFab\r\n\ncd\n\uFEFFe\r\nfg';
    const want: [string, number][] = [
      ['ab', 1],
      ['', 2],
      ['cd', 3],
      ['\uFEFFe', 4],
      ['fg', 5],
    ];
    for (let i = 0; i <= text.length; i++) {
      for (let j = i; j <= text.length; j++) expect(cut([text.slice(0, i), text.slice(i, j), text.slice(j)])).toEqual(want);
    }
    expect(cut(['a\n'])).toEqual([['a', 1]]);
    expect(cut([])).toEqual([]);
  });

  it('refuses a line longer than the limit, in one chunk or across many', () => {
    expect(() => cut(['ok\n', 'x'.repeat(11), '\n'], 10)).toThrow(
      'f.jsonl row 2: expected a line of at most 10 characters, received a longer line',
    );
    expect(() => cut(['ok\n', ...Array.from({ length: 11 }, () => 'x')], 10)).toThrow(
      'f.jsonl row 2: expected a line of at most 10 characters, received a longer line',
    );
    expect(cut(['x'.repeat(10), '\n'], 10)).toEqual([['x'.repeat(10), 1]]);
  });
});

describe('jsonlRows', () => {
  it('drops a UTF-8 byte-order mark (fromJsonl reads such a file as train does a CSV with one)', async () => {
    const p = file('\uFEFF{"x": 1, "y": 2}\n{"x": 3, "y": 4}\n');
    expect(await all(jsonlRows(p))).toEqual([
      ['{"x": 1, "y": 2}', 1],
      ['{"x": 3, "y": 4}', 2],
    ]);
    const data = fromJsonl(p, { features: ['x'], targets: ['y'], batchSize: 2, epochs: 1 });
    expect((await driveReader(data.open())).map((d) => [d.x, d.y])).toEqual([
      [
        [1, 3],
        [2, 4],
      ],
    ]);
  });

  it('cuts lines that span many chunks, with CRLF and a last line without a break', async () => {
    const long = `{"x": ${'1'.repeat(300_000)}, "y": 0}`;
    const p = file(`${long}\r\n\r\n{"x": 2, "y": 1}\r\n${long}`);
    expect(await all(jsonlRows(p))).toEqual([
      [long, 1],
      ['{"x": 2, "y": 1}', 3],
      [long, 4],
    ]);
  });

  it('refuses a line longer than the limit, naming its row', async () => {
    const p = file(`{"x": 1}\n{"x": ${'2'.repeat(200_000)}}\n`);
    await expect(all(jsonlRows(p, 100_000))).rejects.toThrow(
      `${p} row 2: expected a line of at most 100,000 characters, received a longer line`,
    );
    expect((await all(jsonlRows(p, 300_000))).length).toBe(2);
  });

  it('reads a first line longer than 1 MiB', () => {
    const p = file(`{"x": 1, "y": 2, "pad": "${'p'.repeat(1_500_000)}"}\n`);
    expect(fromJsonl(p, { features: ['x'], targets: ['y'] }).inputs).toBe(1);
  });
});

describe('CSV first rows and records', () => {
  it('reads a 100,000-column header', () => {
    const names = Array.from({ length: 100_000 }, (_, i) => `c${i}`);
    const p = file(`${names.join(',')}\n${names.map((_, i) => i).join(',')}\n`, 'csv');
    const data = fromCsv(p, { targets: ['c0'] });
    expect([data.inputs, data.outputs]).toEqual([99_999, 1]);
  });

  it('reads a first data row over 1 MiB', async () => {
    const p = file(`x,y\n1.${'0'.repeat(1_500_000)},2\n`, 'csv');
    const data = fromCsv(p, { features: ['x'], targets: ['y'], batchSize: 1, epochs: 1 });
    expect((await driveReader(data.open())).map((d) => [d.x, d.y])).toEqual([[[1], [2]]]);
  });

  it('refuses a record longer than the limit, naming its row', async () => {
    const p = file(`x,y\n1,2\n3,"${'z'.repeat(200_000)}"\n`, 'csv');
    await expect(all(csvRows(p, ',', true, 100_000))).rejects.toThrow(
      `${p} row 3: expected a record of at most 100,000 characters, received a longer one`,
    );
  });
});

describe('data paths that are not regular files', () => {
  it('are refused before they are opened (a FIFO would block the thread)', () => {
    const fifo = join(dir, 'fifo.csv');
    execFileSync('mkfifo', [fifo]);
    expect(() => fromCsv(fifo, { targets: ['y'] })).toThrow(
      `fromCsv.path: expected a readable file, received ${JSON.stringify(fifo)} (a FIFO: a data file is read once per epoch)`,
    );
    expect(() => fromJsonl(fifo, { targets: ['y'] })).toThrow(
      `fromJsonl.path: expected a readable file, received ${JSON.stringify(fifo)} (a FIFO: a data file is read once per epoch)`,
    );
    expect(() => fromJsonl('/dev/zero', { targets: ['y'] })).toThrow(
      'fromJsonl.path: expected a readable file, received "/dev/zero" (not a regular file)',
    );
    expect(() => fromCsv(dir, { targets: ['y'] })).toThrow(
      `fromCsv.path: expected a readable file, received ${JSON.stringify(dir)} (a folder)`,
    );
  });
});

describe('file source buffers', () => {
  it('refuses a batch size or shuffle buffer over 2^27 buffered numbers', () => {
    const p = file('a,b,y\n1,2,3\n', 'csv');
    expect(() => fromCsv(p, { targets: ['y'], batchSize: 2 ** 25 })).toThrow(
      'fromCsv.batchSize: expected at most 14,913,080 rows of 3 columns (134,217,728 buffered numbers), received 33554432',
    );
    expect(() => fromCsv(p, { targets: ['y'], shuffle: true, seed: 1, shuffleBuffer: 2 ** 26 })).toThrow(
      'fromCsv.shuffleBuffer: expected at most 44,739,242 rows of 3 columns (134,217,728 buffered numbers), received 67108864',
    );
    expect(fromCsv(p, { targets: ['y'], batchSize: 2 ** 20 }).inputs).toBe(2);
  });
});

describe('CSV syntax errors', () => {
  it("are GradstreamErrors naming the file and row, without the field's text", async () => {
    const p = file('a,b,y\n0,0,0\n0,0"secret"0\n', 'csv');
    const reader = fromCsv(p, { features: ['a', 'b'], targets: ['y'], batchSize: 1, epochs: 1 }).open();
    const e = await driveReader(reader).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(e).toBeInstanceOf(GradstreamError);
    expect((e as Error).message).toBe(
      `${p} row 3: expected valid CSV, received Invalid Opening Quote: a quote is found on field 1 at line 3`,
    );
    const head = file('a,"b\n', 'csv');
    expect(() => fromCsv(head, { targets: ['b'] })).toThrow(GradstreamError);
  });
});

describe('JSON Lines values: one rule set', () => {
  it('refuses 1e999 (Infinity) while training, naming file, row and column', async () => {
    const p = file('{"x": 1, "y": 1}\n{"x": 1e999, "y": 1}\n');
    const reader = fromJsonl(p, { features: ['x'], targets: ['y'], batchSize: 1, epochs: 1 }).open();
    await expect(driveReader(reader)).rejects.toThrow(`${p} row 2, column "x": expected a finite number, received Infinity`);
  });

  it('never quotes the text of a line that is not JSON', () => {
    const p = file('password=hunter2\n');
    expect(() => fromJsonl(p, { targets: ['y'] })).toThrow(
      `${p} row 1: expected a JSON object, received invalid JSON (unexpected character)`,
    );
  });
});
