import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { csvRows } from '../../src/node/csvRows.js';
import { END_OF_FILE } from '../../src/node/fileSource.js';
import { recordDelimiter } from '../../src/node/recordDelimiter.js';

const dir = mkdtempSync(join(tmpdir(), 'gradstream-rd-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
function file(text: string | Buffer): string {
  const p = join(dir, `f${n++}.csv`);
  writeFileSync(p, text);
  return p;
}

/** Every record of one pass with its line, or the error's message. */
async function records(p: string, max = 1000): Promise<[string[], number][] | string> {
  const rows = csvRows(p, ',', false, max);
  const out: [string[], number][] = [];
  try {
    for (;;) {
      const r = rows.read();
      if (r === END_OF_FILE) return out;
      if (r === null) await rows.wait();
      else out.push([r, rows.line()]);
    }
  } catch (e: unknown) {
    return (e as Error).message;
  } finally {
    rows.close();
  }
}

describe('recordDelimiter', () => {
  it('is the first CRLF, LF or CR outside quotes', () => {
    expect(recordDelimiter(file('a,b\nc,d\r\n'), 100)).toBe('\n');
    expect(recordDelimiter(file('a,b\r\nc,d\n'), 100)).toBe('\r\n');
    expect(recordDelimiter(file('a,b\rc,d\r\n'), 100)).toBe('\r');
    expect(recordDelimiter(file('"a\r\nb","c\rd",""""\r\n\ne\n'), 100)).toBe('\r\n');
    expect(recordDelimiter(file('"a""\nb"\rc\n'), 100)).toBe('\r');
  });

  it('reads past its first block, and finds CRLF split between blocks', () => {
    expect(recordDelimiter(file(`${'x'.repeat((1 << 16) - 1)}\r\ny\n`), 1 << 20)).toBe('\r\n');
    expect(recordDelimiter(file(`${'x'.repeat((1 << 16) - 1)}\ry\n`), 1 << 20)).toBe('\r');
    expect(recordDelimiter(file(`${'x'.repeat(200_000)}\r\n`), 1 << 20)).toBe('\r\n');
  });

  it('is LF for a file without a break in its first maxBytes bytes, undefined for UTF-16 or no file', () => {
    expect(recordDelimiter(file('a,b'), 100)).toBe('\n');
    expect(recordDelimiter(file(''), 100)).toBe('\n');
    expect(recordDelimiter(file(`${'x'.repeat(200_000)}\r\n`), 1 << 16)).toBe('\n');
    expect(recordDelimiter(file(Buffer.from('\uFEFFa,b\r\n', 'utf16le')), 100)).toBeUndefined();
    expect(recordDelimiter(join(dir, 'missing.csv'), 100)).toBeUndefined();
    expect(recordDelimiter(dir, 100)).toBeUndefined();
    const fifo = join(dir, 'fifo.csv');
    execFileSync('mkfifo', [fifo]);
    expect(recordDelimiter(fifo, 100)).toBeUndefined(); // not opened: open() would wait for a writer
  });
});

describe('csvRows with the record delimiter found first', () => {
  it('cuts records as csv-parse finds them: CR files, CRLF files, LF inside a CRLF file', async () => {
    expect(await records(file('a,b\rc,"d\r"\re\r'))).toEqual([
      [['a', 'b'], 1],
      [['c', 'd\r'], 2],
      [['e'], 3],
    ]);
    expect(await records(file('a,b\r\nc\nd\r\n"e\r\n",f'))).toEqual([
      [['a', 'b'], 1],
      [['c\nd'], 2],
      [['e\r\n', 'f'], 4],
    ]);
    expect(await records(file('a\nb\rc\n'))).toEqual([
      [['a'], 1],
      [['b\rc'], 2],
    ]);
  });

  it('refuses a first record over the cap as any other, naming row 1', async () => {
    expect(await records(file(`${'x'.repeat(3000)},y\n1,2\n`))).toBe(
      `${join(dir, `f${n - 1}.csv`)} row 1: expected a record of at most 1,000 characters, received a longer one`,
    );
    expect(await records(file(`"${'x'.repeat(3000)}",y\r\n1,2\r\n`))).toBe(
      `${join(dir, `f${n - 1}.csv`)} row 1: expected a record of at most 1,000 characters, received a longer one`,
    );
  });
});
