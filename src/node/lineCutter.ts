import { GradstreamError } from '../core/errors.js';
import { describeLength } from '../schemas/limits.js';

/** Cuts streamed text into lines (see {@link lineCutter}). */
export interface LineCutter {
  /** Takes the next chunk of text; call once `next()` has returned null. */
  push(chunk: string): void;
  /** The next whole line (without its LF or CRLF), or null when the chunks so far hold none. */
  next(): string | null;
  /** After the last chunk: the last line when the text did not end with a line break, else null. */
  end(): string | null;
  /** The 1-based number of the line last returned. */
  line(): number;
}

/**
 * Cuts text that arrives in chunks into lines: each chunk is scanned once, and a line spanning
 * chunks is kept as pieces joined once at its end — time linear in the text, however long its
 * lines. A leading UTF-8 byte-order mark is dropped. A line longer than `maxLine` characters
 * throws a `GradstreamError` naming `file` and its row.
 */
export function lineCutter(file: string, maxLine: number): LineCutter {
  let chunk = '';
  let pos = 0;
  let pieces: string[] = [];
  let pending = 0; // characters in `pieces`
  let first = true;
  let line = 0;
  const tooLong = (): GradstreamError =>
    new GradstreamError({
      code: 'invalid_dataset',
      path: `${file} row ${line + 1}`,
      expected: `a line of at most ${describeLength(maxLine)}`,
      received: 'a longer line',
    });
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
    push(c) {
      chunk = first && c.charCodeAt(0) === 0xfeff ? c.slice(1) : c;
      first = first && c.length === 0;
      pos = 0;
    },
    next() {
      const nl = chunk.indexOf('\n', pos);
      if (nl >= 0) {
        const text = finish(chunk.slice(pos, nl));
        pos = nl + 1;
        return text;
      }
      const rest = pos === 0 ? chunk : chunk.slice(pos);
      chunk = '';
      pos = 0;
      if (rest.length > 0) {
        if (pending + rest.length > maxLine) throw tooLong();
        pieces.push(rest);
        pending += rest.length;
      }
      return null;
    },
    end: () => (pieces.length > 0 ? finish('') : null),
    line: () => line,
  };
}
