import { closeSync, openSync, readSync, statSync } from 'node:fs';

const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;

/**
 * The line break that ends a CSV file's records, found as `csv-parse` finds it when given none:
 * the first CRLF, LF or CR outside a quoted field (`""` inside quotes toggles twice). `csv-parse`
 * looks for it again at every character of the first record, which costs a hundred times the
 * parse itself on a long first record; handing it the answer parses the same records in time
 * linear in the record. Reads the file's start synchronously: at most `maxBytes` bytes (pass
 * more than the longest record can take, 4 bytes a character). A file with no break in those
 * bytes gets LF (the first record is then one field too long, or the file's only record: any
 * break behaves alike); a UTF-16 file (its byte-order mark tells) gets `undefined`, left to
 * `csv-parse`. An unreadable file, or one that is not a regular file (never opened: a FIFO would
 * block), gets `undefined` too: reading it reports why.
 */
export function recordDelimiter(path: string, maxBytes: number): string | undefined {
  let fd: number;
  try {
    if (!statSync(path).isFile()) return undefined; // a FIFO would block open()
    fd = openSync(path, 'r');
  } catch {
    return undefined;
  }
  try {
    return scanFile(fd, maxBytes);
  } finally {
    closeSync(fd);
  }
}

function scanFile(fd: number, maxBytes: number): string | undefined {
  const buf = Buffer.alloc(1 << 16);
  let at = 0;
  let quoting = false;
  let n = readSync(fd, buf, 0, buf.length, 0);
  if (n >= 2 && ((buf[0] === 0xff && buf[1] === 0xfe) || (buf[0] === 0xfe && buf[1] === 0xff))) return undefined;
  while (n > 0 && at < maxBytes) {
    for (let i = 0; i < n; i++) {
      const c = buf[i];
      if (c === QUOTE) quoting = !quoting;
      else if (!quoting && c === LF) return '\n';
      else if (!quoting && c === CR) return nextByte(fd, buf, i, n, at) === LF ? '\r\n' : '\r';
    }
    at += n;
    n = readSync(fd, buf, 0, buf.length, at);
  }
  return '\n';
}

/** The byte after `buf[i]` (read from the file when `i` ends the block), or -1 at the end. */
function nextByte(fd: number, buf: Buffer, i: number, n: number, at: number): number {
  if (i + 1 < n) return buf[i + 1]!;
  const one = Buffer.alloc(1);
  return readSync(fd, one, 0, 1, at + n) === 1 ? one[0]! : -1;
}
