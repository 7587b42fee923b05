import { randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ensureDir } from './ensureDir.js';
import { withTimeout } from './withTimeout.js';

/** Options of {@link writeFileAtomic}. */
export interface WriteFileAtomicOptions {
  /** Give up with a `GradstreamError` after this many milliseconds (default 30 000). */
  readonly timeoutMs?: number;
}

/** The temporary file of a write to `path`: `<path>.<pid>.<random hex>.tmp` (see `isStaleTemp`). */
export function tempName(path: string): string {
  return `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
}

/**
 * Writes `text` (or bytes) to `path` atomically: into a temporary file beside it (named with this process's
 * id, so a later writer can tell a dead writer's leftovers), flushed to disk, then renamed over
 * `path`. A failure leaves the previous file untouched and removes the temporary one. Missing
 * folders are made. Rejects with a `GradstreamError` when the folder cannot be made or the write
 * does not finish within `timeoutMs`.
 *
 * @example
 * import { writeFileAtomic } from 'gradstream/node';
 * await writeFileAtomic('out/result.json', JSON.stringify({ ok: true }));
 */
export function writeFileAtomic(path: string, text: string | Uint8Array, options: WriteFileAtomicOptions = {}): Promise<void> {
  return withTimeout(write(path, text), options.timeoutMs ?? 30_000, 'writing', path);
}

async function write(path: string, text: string | Uint8Array): Promise<void> {
  await ensureDir(dirname(path));
  const tmp = tempName(path);
  try {
    // a new file of its own ('wx': never an existing file, FIFO or device of that name)
    const handle = await open(tmp, 'wx');
    try {
      await handle.writeFile(text, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, path);
  } catch (e: unknown) {
    await rm(tmp, { force: true });
    throw e;
  }
}
