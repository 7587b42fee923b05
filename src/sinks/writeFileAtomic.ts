import { mkdir, open, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';

let sequence = 0;

/**
 * Writes `text` to `path` atomically: into a temporary file beside it, flushed to disk, then
 * renamed over `path`. A failure leaves the previous file untouched and removes the temporary one.
 */
export async function writeFileAtomic(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  sequence += 1;
  const tmp = `${path}.${process.pid}.${sequence}.tmp`;
  try {
    const handle = await open(tmp, 'w');
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
