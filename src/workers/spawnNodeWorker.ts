/** The part of `node:worker_threads`' `Worker` constructor used to start gradstream's threads. */
export type NodeWorkerConstructor<W> = new (script: URL, options: { workerData: unknown; execArgv: string[] }) => W;

type GetBuiltin = (id: string) => unknown;
interface Esbuild {
  buildSync(options: { entryPoints: string[]; bundle: true; write: false; format: 'esm'; platform: 'node'; target: string; logLevel: 'silent'; banner: { js: string } }): { outputFiles: { contents: Uint8Array }[] };
}
interface Fs {
  existsSync(path: string): boolean;
  mkdirSync(path: string, options: { recursive: true }): void;
  writeFileSync(path: string, data: Uint8Array): void;
  renameSync(from: string, to: string): void;
}

/**
 * The module a worker thread runs. The built library (`.js`) loads directly. From TypeScript
 * sources (the library's own tests and benchmarks run under a TypeScript loader) the module is
 * bundled to plain JavaScript with esbuild (a dev dependency) first: a TypeScript loader inside
 * the new thread would need the parent thread's event loop, which is blocked during a step. The
 * bundle is kept in the temporary directory under the hash of its content (written to a
 * temporary name, then renamed: concurrent test processes share it safely).
 */
export function workerModule(url: URL, getBuiltin: GetBuiltin): URL {
  if (!url.pathname.endsWith('.ts')) return url;
  const { createRequire } = getBuiltin('node:module') as { createRequire(from: string): (id: string) => unknown };
  const { fileURLToPath, pathToFileURL } = getBuiltin('node:url') as { fileURLToPath(u: URL): string; pathToFileURL(p: string): URL };
  const { tmpdir } = getBuiltin('node:os') as { tmpdir(): string };
  const { join, basename } = getBuiltin('node:path') as { join(...p: string[]): string; basename(p: string, ext?: string): string };
  const fs = getBuiltin('node:fs') as Fs;
  const path = fileURLToPath(url);
  const esbuild = createRequire(path)('esbuild') as Esbuild;
  const code = esbuild.buildSync({
    entryPoints: [path],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    logLevel: 'silent',
    // bundled CommonJS dependencies may call require
    banner: { js: "import { createRequire as __gsRequire } from 'node:module'; const require = __gsRequire(import.meta.url);" },
  }).outputFiles[0]!.contents;
  const dir = join(tmpdir(), 'gradstream-workers');
  const file = join(dir, `${basename(path, '.ts')}-${hash(code)}.mjs`);
  if (!fs.existsSync(file)) {
    fs.mkdirSync(dir, { recursive: true });
    const pid = (globalThis as { process?: { pid?: number } }).process?.pid ?? 0;
    const temp = `${file}.${pid}.tmp`;
    fs.writeFileSync(temp, code);
    fs.renameSync(temp, file);
  }
  return pathToFileURL(file);
}

/**
 * Starts a Node worker on the module at `url` (see {@link workerModule}), without the parent's
 * `execArgv`: a module loader inherited from it (`--import tsx`) would also wait for the parent.
 */
export function spawnNodeWorker<W>(Worker: NodeWorkerConstructor<W>, url: URL, getBuiltin: GetBuiltin, workerData: unknown): W {
  return new Worker(workerModule(url, getBuiltin), { workerData, execArgv: [] });
}

/** Two FNV-1a hashes of the bytes (64 bits: distinct bundles never share a name in practice). */
function hash(bytes: Uint8Array): string {
  let a = 2166136261;
  let b = 84696351;
  for (let i = 0; i < bytes.length; i++) {
    a = Math.imul(a ^ bytes[i]!, 16777619);
    b = Math.imul(b ^ bytes[i]!, 16777619);
  }
  return (a >>> 0).toString(36) + (b >>> 0).toString(36);
}
