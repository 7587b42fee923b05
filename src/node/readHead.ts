import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { GradstreamError } from '../core/errors.js';

/** The start of a file as {@link readHead} read it. */
export interface FileHead {
  /** Whole lines of the file's start (all of the file when `ended`). */
  readonly text: string;
  /** Whether `text` is the whole file. */
  readonly ended: boolean;
  /** Bytes read. */
  readonly bytes: number;
}

/**
 * Reads the start of a file synchronously, whole lines only: 64 KiB, then twice as much each time
 * until `enough(text)` holds, the file ends, or `max` bytes were read (so a long header costs
 * time linear in its length). An unreadable file, or one that is not a regular file (a FIFO, a
 * device: refused before it is opened), is a `GradstreamError` naming `where.path`.
 */
export function readHead(path: string, where: string, max: number, enough: (text: string) => boolean): FileHead {
  const refuse = (why: string): GradstreamError =>
    new GradstreamError({
      code: 'invalid_config',
      path: `${where}.path`,
      expected: 'a readable file',
      received: `${JSON.stringify(path)} (${why})`,
    });
  let fd: number;
  try {
    // a FIFO would block this thread in open() until a writer comes; a device never ends
    const s = statSync(path);
    if (!s.isFile())
      throw refuse(s.isDirectory() ? 'a folder' : s.isFIFO() ? 'a FIFO: a data file is read once per epoch' : 'not a regular file');
    fd = openSync(path, 'r');
  } catch (e: unknown) {
    if (e instanceof GradstreamError) throw e;
    throw refuse((e as NodeJS.ErrnoException).code ?? String(e));
  }
  try {
    let buf = Buffer.alloc(Math.min(max, 1 << 16));
    let n = 0;
    for (;;) {
      let ended = false;
      while (n < buf.length) {
        const got = readSync(fd, buf, n, buf.length - n, n);
        if (got === 0) {
          ended = true;
          break;
        }
        n += got;
      }
      const cut = ended ? n : buf.lastIndexOf(10, n - 1) + 1;
      const text = buf.toString('utf8', 0, cut);
      if (ended || buf.length >= max || enough(text)) return { text, ended, bytes: n };
      const bigger = Buffer.alloc(Math.min(max, buf.length * 2));
      buf.copy(bigger, 0, 0, n);
      buf = bigger;
    }
  } finally {
    closeSync(fd);
  }
}
