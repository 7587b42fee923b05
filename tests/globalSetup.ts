// Vitest global setup: worker threads load the built modules (dist/), so the tests build them
// once before running (`tsc -p tsconfig.build.json`) when a source file is newer than the build:
// than the stamp this setup leaves and than some file under dist/ (`npm run build`, which `npm ci`
// runs, leaves no stamp).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
// outside dist/ (which is packed as it is): when dist/ was last built from these sources
const stamp = join(root, 'node_modules', '.cache', 'gradstream-dist-built');

/** The newest modification time of the files under `dir` (milliseconds). */
function newest(dir: string): number {
  let t = statSync(dir).mtimeMs;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

/** The oldest modification time of the files under `dir` (milliseconds). */
function oldest(dir: string): number {
  let t = Number.POSITIVE_INFINITY;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.min(t, e.isDirectory() ? oldest(p) : statSync(p).mtimeMs);
  }
  return t;
}

/** When dist/ was last built completely, as far as one can tell (0: not built). */
function builtAt(): number {
  if (!existsSync(join(root, 'dist', 'index.js'))) return 0;
  return Math.max(existsSync(stamp) ? statSync(stamp).mtimeMs : 0, oldest(join(root, 'dist')));
}

export default function setup(): void {
  const sources = Math.max(
    newest(join(root, 'src')),
    statSync(join(root, 'tsconfig.build.json')).mtimeMs,
    statSync(join(root, 'tsconfig.json')).mtimeMs,
  );
  if (builtAt() >= sources) return;
  // stamped with the time the build started: a source saved during the build makes it stale
  const started = new Date();
  execFileSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(root, 'tsconfig.build.json')], {
    cwd: root,
    stdio: 'inherit',
  });
  mkdirSync(dirname(stamp), { recursive: true });
  writeFileSync(stamp, '');
  utimesSync(stamp, started, started);
}
