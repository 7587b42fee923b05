import { createReadStream } from 'node:fs';
import { END_OF_FILE, type RowStream } from './fileSource.js';

/**
 * Opens one pass over a JSON Lines file: the text streams in chunks and is cut into lines (LF or
 * CRLF), pulled with `read()` while buffered; blank lines are skipped and counted. `line()` is the
 * 1-based line of the text last read.
 */
export function jsonlRows(path: string): RowStream<string> {
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
  let lines: string[] = [];
  let next = 0;
  let rest = '';
  let line = 0;
  return {
    read() {
      for (;;) {
        if (next < lines.length) {
          let text = lines[next]!;
          next += 1;
          line += 1;
          if (text.length > 0 && text.charCodeAt(text.length - 1) === 13) text = text.slice(0, -1);
          if (text.trim() === '') continue;
          return text;
        }
        if (error !== undefined) throw error;
        const chunk = stream.read() as string | null;
        if (chunk !== null) {
          lines = (rest + chunk).split('\n');
          rest = lines.pop()!;
          next = 0;
          continue;
        }
        if (!ended) return null;
        if (rest !== '') {
          lines = [rest];
          rest = '';
          next = 0;
          continue;
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
    line: () => line,
  };
}
