import { mkdirSync, statSync } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { GradstreamError } from '../core/errors.js';

/**
 * The `GradstreamError` for a folder that cannot hold checkpoints (`invalid_config`), from a
 * file-system error or a reason.
 */
export function notWritable(dir: string, reason: unknown): GradstreamError {
  const e = reason as { code?: string; message?: string };
  const received =
    typeof reason === 'string' ? reason : e.code !== undefined ? `${e.code} (${e.message ?? ''})` : String(e.message ?? reason);
  return new GradstreamError({
    code: 'invalid_config',
    path: dir,
    expected: 'a writable folder (existing, or one that can be made)',
    received,
  });
}

/**
 * Makes folder `dir` and its missing parents, one level at a time. Node's recursive `mkdir` never
 * settles for some paths (under `/proc`); this fails with a `GradstreamError` instead. A path
 * that exists but is not a folder is refused too.
 */
export async function ensureDir(dir: string): Promise<void> {
  try {
    await mkdir(dir);
    return;
  } catch (e: unknown) {
    const code = (e as { code?: string }).code;
    if (code === 'EEXIST') {
      const s = await stat(dir);
      if (!s.isDirectory()) throw notWritable(dir, 'a file, not a folder');
      return;
    }
    if (code !== 'ENOENT' || dirname(dir) === dir) throw notWritable(dir, e);
  }
  await ensureDir(dirname(dir));
  try {
    await mkdir(dir);
  } catch (e: unknown) {
    if ((e as { code?: string }).code !== 'EEXIST') throw notWritable(dir, e);
  }
}

/** {@link ensureDir}, synchronously (for checks made before a run starts). */
export function ensureDirSync(dir: string): void {
  try {
    mkdirSync(dir);
    return;
  } catch (e: unknown) {
    const code = (e as { code?: string }).code;
    if (code === 'EEXIST') {
      if (!statSync(dir).isDirectory()) throw notWritable(dir, 'a file, not a folder');
      return;
    }
    if (code !== 'ENOENT' || dirname(dir) === dir) throw notWritable(dir, e);
  }
  ensureDirSync(dirname(dir));
  try {
    mkdirSync(dir);
  } catch (e: unknown) {
    if ((e as { code?: string }).code !== 'EEXIST') throw notWritable(dir, e);
  }
}
