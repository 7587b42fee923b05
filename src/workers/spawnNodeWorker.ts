/** The part of `node:worker_threads`' `Worker` constructor used to start gradstream's threads. */
export type NodeWorkerConstructor<W> = new (script: URL, options: { workerData: unknown; execArgv: string[] }) => W;

type GetBuiltin = (id: string) => unknown;
interface Esbuild {
  buildSync(options: { entryPoints: string[]; outfile: string; bundle: true; format: 'esm'; platform: 'node'; target: string; logLevel: 'silent'; banner: { js: string } }): unknown;
}

/**
 * The module a worker thread runs. The built library (`.js`) loads directly. From TypeScript
 * sources (the library's own tests and benchmarks run under a TypeScript loader) the module is
 * bundled to plain JavaScript with esbuild (a dev dependency) first: a TypeScript loader inside
 * the new thread would need the parent thread's event loop, which is blocked during a step.
 */
export function workerModule(url: URL, getBuiltin: GetBuiltin): URL {
  if (!url.pathname.endsWith('.ts')) return url;
  const { createRequire } = getBuiltin('node:module') as { createRequire(from: string): (id: string) => unknown };
  const { fileURLToPath, pathToFileURL } = getBuiltin('node:url') as { fileURLToPath(u: URL): string; pathToFileURL(p: string): URL };
  const { tmpdir } = getBuiltin('node:os') as { tmpdir(): string };
  const { join, basename } = getBuiltin('node:path') as { join(...p: string[]): string; basename(p: string, ext?: string): string };
  const path = fileURLToPath(url);
  const esbuild = createRequire(path)('esbuild') as Esbuild;
  const pid = (globalThis as { process?: { pid?: number } }).process?.pid ?? 0;
  const outfile = join(tmpdir(), `gradstream-workers-${pid}`, `${basename(path, '.ts')}-${hash(path)}.mjs`);
  esbuild.buildSync({
    entryPoints: [path],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    logLevel: 'silent',
    // bundled CommonJS dependencies may call require
    banner: { js: "import { createRequire as __gsRequire } from 'node:module'; const require = __gsRequire(import.meta.url);" },
  });
  return pathToFileURL(outfile);
}

/**
 * Starts a Node worker on the module at `url` (see {@link workerModule}), without the parent's
 * `execArgv`: a module loader inherited from it (`--import tsx`) would also wait for the parent.
 */
export function spawnNodeWorker<W>(Worker: NodeWorkerConstructor<W>, url: URL, getBuiltin: GetBuiltin, workerData: unknown): W {
  return new Worker(workerModule(url, getBuiltin), { workerData, execArgv: [] });
}

function hash(s: string): string {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return (h >>> 0).toString(36);
}
