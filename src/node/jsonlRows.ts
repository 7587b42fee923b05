import { createReadStream } from 'node:fs';
import { GradstreamError } from '../core/errors.js';
import { MAX_LINE_LENGTH, describeLength } from '../schemas/limits.js';
import { END_OF_FILE, type RowStream } from './fileSource.js';

/**
 * Opens one pass over a JSON Lines file: the text streams in chunks and is cut into lines (LF or
 * CRLF), pulled with `read()` while buffered; blank lines are skipped and counted, a leading UTF-8
 * byte-order mark is dropped. `line()` is the 1-based line of the text last read. Each chunk is
 * scanned once (a long line costs time linear in its length: its pieces are joined once, at its
 * end); a line longer than `maxLine` characters ({@link MAX_LINE_LENGTH}) is refused with its row named.
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
  let chunk: string | null = null; // the chunk being cut, from `pos`
  let pos = 0;
  let pieces: string[] = []; // the start of a line that spans chunks
  let pending = 0; // its length
  let first = true; // before the first chunk (the byte-order mark)
  let line = 0;
  const tooLong = (): GradstreamError =>
    new GradstreamError({ code: 'invalid_dataset', path: `${path} row ${line + 1}`, expected: `a line of at most ${describeLength(maxLine)}`, received: 'a longer line' });
  /** The line ending at `end` of the chunk (or the pieces alone at the end of the file). */
  const finish = (tail: string): string => {
    if (pending + tail.length > maxLine) throw tooLong();
    let text = tail;
    if (pieces.length > 0) {
      pieces.push(tail);
      text = pieces.join('');
      pieces = [];
      pending = 0;
    }
    line += 1;
    return text.length > 0 && text.charCodeAt(text.length - 1) === 13 ? text.slice(0, -1) : text;
  };
  return {
    read() {
      for (;;) {
        if (chunk !== null) {
          const nl = chunk.indexOf('\n', pos);
          if (nl < 0) {
            const rest = pos === 0 ? chunk : chunk.slice(pos);
            chunk = null;
            if (rest.length === 0) continue;
            if (pending + rest.length > maxLine) throw tooLong();
            pieces.push(rest);
            pending += rest.length;
            continue;
          }
          const text = finish(chunk.slice(pos, nl));
          pos = nl + 1;
          if (text.trim() === '') continue;
          return text;
        }
        if (error !== undefined) throw error;
        const next = stream.read() as string | null;
        if (next !== null) {
          chunk = first && next.charCodeAt(0) === 0xfeff ? next.slice(1) : next;
          first = false;
          pos = 0;
          continue;
        }
        if (!ended) return null;
        if (pieces.length > 0) {
          const text = finish('');
          if (text.trim() !== '') return text;
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
