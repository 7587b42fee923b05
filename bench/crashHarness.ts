/**
 * The crash-safety test: SIGKILLs a child process that checkpoints every step (bench/crashChild.ts)
 * at random moments, and after each kill checks that every checkpoint file in the folder loads and
 * that temporary files do not pile up. Used by tests/sinks/crash.test.ts (≥ 100 kills) and
 * `npm run crash-test` (1,000 kills per scheduling mode).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { createRng, fsStorage, readCheckpoint } from '../src/node.js';
import { isCheckpointName } from '../src/sinks/checkpointTo.js';

/** What one crash run counted. */
export interface CrashCounts {
  readonly mode: string;
  readonly kills: number;
  /** Kills after which last.json was there. */
  readonly lastPresent: number;
  /** Checkpoint files (last, best, step-N) that failed to load, over all kills. */
  readonly parseFailures: number;
  /** Checkpoint files checked, over all kills. */
  readonly filesChecked: number;
  /** The most temporary files seen in the folder right after a kill. */
  readonly maxTemps: number;
  /** Temporary files left once a new writer has prepared the folder (must be 0). */
  readonly tempsLeft: number;
  /** Children that failed before their first checkpoint (e.g. could not resume). */
  readonly childErrors: number;
  /** The step of the last checkpoint (the run went on across kills). */
  readonly lastStep: number;
  readonly errors: readonly string[];
}

/** Bundles the child into one plain-node script (no loader per spawn: spawning dominates the cost). */
export async function buildChild(): Promise<string> {
  const out = join(mkdtempSync(join(tmpdir(), 'gradstream-crash-child-')), 'crashChild.mjs');
  await build({
    entryPoints: [fileURLToPath(new URL('./crashChild.ts', import.meta.url))],
    bundle: true,
    platform: 'node',
    format: 'esm',
    outfile: out,
    minify: true,
    logLevel: 'error',
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  });
  return out;
}

/** Runs the child until its first checkpoint, waits `delayMs`, kills it; resolves its exit (or an error text). */
function killOnce(child: string, dir: string, mode: string, delayMs: number): Promise<string | null> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [child, dir, mode], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    let ready = false;
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    p.stdout.on('data', (d: Buffer) => {
      if (!ready && d.toString().includes('ready')) {
        ready = true;
        setTimeout(() => p.kill('SIGKILL'), delayMs);
      }
    });
    p.on('exit', (code, signal) => resolve(signal === 'SIGKILL' ? null : `exit ${code}: ${err.trim()}`));
  });
}

/** Kills a checkpointing child `kills` times in scheduling mode `mode`, checking the folder after each kill. */
export async function crashTest(options: {
  child: string;
  mode: string;
  kills: number;
  maxDelayMs?: number;
  seed?: number;
}): Promise<CrashCounts> {
  const dir = mkdtempSync(join(tmpdir(), `gradstream-crash-${options.mode}-`));
  const rng = createRng(options.seed ?? 1);
  const maxDelay = options.maxDelayMs ?? 40;
  let lastPresent = 0;
  let parseFailures = 0;
  let filesChecked = 0;
  let maxTemps = 0;
  let childErrors = 0;
  let lastStep = -1;
  const errors: string[] = [];
  for (let k = 0; k < options.kills; k++) {
    const failed = await killOnce(options.child, dir, options.mode, rng.uniform(0, maxDelay));
    if (failed !== null) {
      childErrors += 1;
      errors.push(failed);
    }
    const names = readdirSync(dir);
    maxTemps = Math.max(maxTemps, names.filter((n) => n.endsWith('.tmp')).length);
    if (names.includes('last.json')) lastPresent += 1;
    for (const n of names.filter(isCheckpointName)) {
      filesChecked += 1;
      try {
        const c = await readCheckpoint(join(dir, n));
        if (n === 'last.json') lastStep = c.step;
      } catch (e: unknown) {
        parseFailures += 1;
        errors.push(`${n}: ${String(e)}`);
      }
    }
  }
  fsStorage(dir, { owns: isCheckpointName }).prepare!();
  const tempsLeft = readdirSync(dir).filter((n) => n.endsWith('.tmp')).length;
  return {
    mode: options.mode,
    kills: options.kills,
    lastPresent,
    parseFailures,
    filesChecked,
    maxTemps,
    tempsLeft,
    childErrors,
    lastStep,
    errors,
  };
}
