/** Runs the `gradstream` command in-process (runCli, for coverage) or as the built binary (a child process). */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runCli } from '../../src/cli/run.js';

export const ROOT = resolve(import.meta.dirname, '../..');
export const BIN = join(ROOT, 'bin/gradstream.js');
export const EXAMPLES = join(ROOT, 'examples');

export interface CliResult {
  code: number;
  out: string;
  err: string;
}

/** Runs runCli with captured output. */
export async function cli(args: string[], signal?: AbortSignal): Promise<CliResult> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(args, {
    out: (l) => out.push(l),
    err: (l) => err.push(l),
    version: '9.9.9',
    ...(signal === undefined ? {} : { signal }),
  });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

/** Builds dist/ when it is missing (CI builds it in `npm ci`). */
export function ensureBuilt(): void {
  if (existsSync(join(ROOT, 'dist/cli/main.js'))) return;
  const r = spawnSync('npm', ['run', 'build'], { cwd: ROOT, encoding: 'utf8' });
  if (!existsSync(join(ROOT, 'dist/cli/main.js'))) throw new Error(`npm run build failed:\n${r.stdout}\n${r.stderr}`);
}

/** A running child process of the built command. */
export interface BinRun {
  readonly child: ReturnType<typeof spawn>;
  /** Resolves when stdout has received `text`. */
  waitFor(text: string): Promise<void>;
  readonly done: Promise<CliResult>;
}

/** Starts `node bin/gradstream.js …args`. */
export function startBin(args: string[], cwd = ROOT): BinRun {
  const child = spawn(process.execPath, [BIN, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  const waiters: { text: string; resolve: () => void }[] = [];
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  child.stdout.on('data', (d: string) => {
    out += d;
    for (const w of waiters.splice(0))
      if (out.includes(w.text)) w.resolve();
      else waiters.push(w);
  });
  child.stderr.on('data', (d: string) => {
    err += d;
  });
  const done = new Promise<CliResult>((res) =>
    child.on('close', (code, sig) => res({ code: code ?? (sig === null ? -1 : 128), out, err })),
  );
  return {
    child,
    done,
    waitFor: (text) => (out.includes(text) ? Promise.resolve() : new Promise((res) => waiters.push({ text, resolve: res }))),
  };
}

/** Runs `node bin/gradstream.js …args` to the end. */
export function bin(args: string[], cwd = ROOT): Promise<CliResult> {
  return startBin(args, cwd).done;
}

/** A fresh temporary folder. */
export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'gradstream-cli-'));
}

/** Trains `config` (a file in examples/ or an object) into a fresh checkpoint folder. */
export async function trained(config: string | object): Promise<{ dir: string; file: string; ckpt: string }> {
  const dir = tempDir();
  const file = typeof config === 'string' ? join(EXAMPLES, config) : join(dir, 'run.json');
  if (typeof config !== 'string') writeFileSync(file, JSON.stringify(config));
  const r = await cli(['train', file, '--quiet', '--checkpoint-dir', join(dir, 'ck')]);
  if (r.code !== 0) throw new Error(`training failed: ${r.err}`);
  return { dir, file, ckpt: join(dir, 'ck/last.json') };
}
