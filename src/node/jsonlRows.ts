import { createReadStream } from 'node:fs';
import { MAX_LINE_LENGTH } from '../schemas/limits.js';
import { END_OF_FILE, type RowStream } from './fileSource.js';
import { lineCutter } from './lineCutter.js';

/**
 * Opens one pass over a JSON Lines file: the text streams in chunks and is cut into lines (LF or
 * CRLF), pulled with `read()` while buffered; blank lines are skipped and counted, a leading UTF-8
 * byte-order mark is dropped. `line()` is the 1-based line of the text last read. Time is linear
 * in the file's length, however long its lines (see `lineCutter`); a line longer than `maxLine`
 * characters ({@link MAX_LINE_LENGTH}) is refused with its row named.
 */
export function jsonlRows(path: string, maxLine = MAX_LINE_LENGTH): RowStream<string> {
  const stream = createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 16 });
  let error: unknown;
  let ended = false;
  let wake: (() => void) | null = null;
  const notify = (): void => {
    const w = wake;
    wake = null;
    w?.();
  };
  stream.on('readable', notify);
  stream.on('end', () => {
    ended = true;
    notify();
  });
  stream.on('error', (e) => {
    error = e;
    notify();
  });
  const lines = lineCutter(path, maxLine);
  let ending = false; // the stream has ended and the last line was taken
  return {
    read() {
      for (;;) {
        const text = lines.next();
        if (text !== null) {
          if (text.trim() === '') continue;
          return text;
        }
        if (error !== undefined) throw error;
        const chunk = stream.read() as string | null;
        if (chunk !== null) {
          lines.push(chunk);
          continue;
        }
        if (!ended) return null;
        if (!ending) {
          ending = true;
          const last = lines.end();
          if (last !== null && last.trim() !== '') return last;
        }
        return END_OF_FILE;
      }
    },
    wait: () =>
      new Promise<void>((resolve) => {
        if (error !== undefined || ended || stream.readableLength > 0) resolve();
        else wake = resolve;
      }),
    close() {
      stream.destroy();
      notify();
    },
    line: () => lines.line(),
  };
}
