import { closeSync, openSync, readdirSync, rmSync, statSync, unlinkSync } from 'node:fs';
import { appendFile, readFile, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { GradstreamError, describeValue } from '../core/errors.js';
import { checkRegularFile } from './checkRegularFile.js';
import type { CheckpointStorage } from './checkpointStorage.js';
import { ensureDirSync, notWritable } from './ensureDir.js';
import { withTimeout } from './withTimeout.js';
import { tempName, writeFileAtomic } from './writeFileAtomic.js';

/** Options of {@link fsStorage}. */
export interface FsStorageOptions {
  /** Give up on a file operation after this many milliseconds, with a `GradstreamError` (default 30 000). */
  readonly timeoutMs?: number;
  /**
   * Which names are this storage's targets, for cleaning up temporary files of dead writers
   * (default: every name ending in `.json`).
   */
  readonly owns?: (name: string) => boolean;
  /** Names `prepare()` checks are not folders (a folder where a checkpoint file should go). */
  readonly files?: readonly string[];
}

const TEMP = /^(.+)\.(\d+)\.[0-9a-f]+\.tmp$/;

/** True when process `pid` exists (a process of another user counts). */
function alive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e: unknown) {
    return (e as { code?: string }).code === 'EPERM';
  }
}

/**
 * Checkpoints as files in folder `dir` (Node): each write goes to `<name>.<pid>.<hex>.tmp`, is
 * flushed and renamed over `<name>`, so a killed process leaves the previous file intact.
 *
 * `prepare()` (run by the checkpoint sink when it is subscribed, before the first step) makes the
 * folder one level at a time, refuses a file in its place or a folder it cannot write (a
 * `GradstreamError` naming it), and removes temporary files of this storage's targets left by
 * writers that are gone: their process no longer exists, or the file is older than ten minutes
 * (and than twice the timeout), which no live write takes — never a live writer's. So temporaries
 * never pile up, however often writers are killed. Every operation gives up after `timeoutMs`;
 * `read` refuses what is not a regular file (a FIFO, a device, a folder) without waiting on it.
 *
 * @example
 * import { checkpointTo, fsStorage } from 'gradstream/node';
 * const save = checkpointTo(fsStorage('checkpoints/run1'), { every: 100 });
 */
export function fsStorage(dir: string, options: FsStorageOptions = {}): CheckpointStorage {
  if (
    typeof options !== 'object' ||
    options === null ||
    (options.timeoutMs !== undefined && !(typeof options.timeoutMs === 'number' && options.timeoutMs > 0))
  ) {
    throw new GradstreamError({
      code: 'invalid_config',
      path: 'fsStorage(options)',
      expected: '{ timeoutMs?: number > 0, owns?, files? }',
      received: describeValue(options),
    });
  }
  const timeoutMs = options.timeoutMs ?? 30_000;
  const owns = options.owns ?? ((name: string) => name.endsWith('.json'));
  if (typeof dir !== 'string' || dir === '') {
    throw new GradstreamError({ code: 'invalid_config', path: 'fsStorage(dir)', expected: 'a folder path', received: describeValue(dir) });
  }
  const path = (name: string) => join(dir, name);
  return {
    describe: path,
    prepare() {
      ensureDirSync(dir);
      for (const name of options.files ?? []) checkNotFolder(path(name));
      checkWritable(dir);
      removeStaleTemps(dir, owns, Date.now() - Math.max(600_000, 2 * timeoutMs));
    },
    write: (name, text) => writeFileAtomic(path(name), text, { timeoutMs }),
    append: (name, text) =>
      withTimeout(appendFile(path(name), text, { encoding: 'utf8', flush: true }), timeoutMs, 'appending to', path(name)),
    async read(name) {
      try {
        return await withTimeout(readStored(path(name)), timeoutMs, 'reading', path(name));
      } catch (e: unknown) {
        if ((e as { code?: string }).code === 'ENOENT') return undefined;
        throw e;
      }
    },
    remove: (name) => withTimeout(rm(path(name), { force: true }), timeoutMs, 'removing', path(name)),
    list: () => withTimeout(readdir(dir), timeoutMs, 'listing', dir),
  };
}

/** Refuses a folder where a checkpoint file goes (absent: fine). */
function checkNotFolder(file: string): void {
  let folder = false;
  try {
    folder = statSync(file).isDirectory();
  } catch {
    // absent: fine
  }
  if (folder) throw new GradstreamError({ code: 'invalid_config', path: file, expected: 'a file path', received: 'a folder' });
}

/** Makes and removes a probe file in `dir`, or throws why it cannot. */
function checkWritable(dir: string): void {
  const probe = tempName(join(dir, '.gradstream-probe'));
  try {
    closeSync(openSync(probe, 'w'));
    unlinkSync(probe);
  } catch (e: unknown) {
    rmSync(probe, { force: true });
    throw notWritable(dir, e);
  }
}

/** Removes the temporaries of `owns`'s files (and probes) left by dead writers, or older than `staleBefore`. */
function removeStaleTemps(dir: string, owns: (name: string) => boolean, staleBefore: number): void {
  for (const name of readdirSync(dir)) {
    const m = TEMP.exec(name);
    if (m === null || !(owns(m[1]!) || m[1] === '.gradstream-probe')) continue;
    const file = join(dir, name);
    try {
      if (!alive(Number(m[2])) || statSync(file).mtimeMs < staleBefore) unlinkSync(file);
    } catch {
      // gone already (another writer cleaned it), or not ours to remove
    }
  }
}

/** The regular file at `file` as UTF-8; a FIFO, a device or a folder is refused before it is opened. */
async function readStored(file: string): Promise<string> {
  await checkRegularFile(file, Number.MAX_SAFE_INTEGER, 'invalid_checkpoint');
  return readFile(file, 'utf8');
}
