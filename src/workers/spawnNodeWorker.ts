/** The part of `node:worker_threads`' `Worker` constructor used to start gradstream's threads. */
export type NodeWorkerConstructor<W> = new (script: URL | string, options: { workerData: unknown; eval?: boolean }) => W;

/**
 * Starts a Node worker on the module at `url`. From TypeScript sources (`fromSource`: tests, the
 * `tsx` runner) the module is loaded through tsx's loader, registered inside the new thread; the
 * built library (`.js`) loads directly.
 */
export function spawnNodeWorker<W>(Worker: NodeWorkerConstructor<W>, url: URL, fromSource: boolean, workerData: unknown): W {
  if (!fromSource) return new Worker(url, { workerData });
  const code = `import('tsx/esm/api').then((api) => { api.register(); return import(${JSON.stringify(url.href)}); });`;
  return new Worker(code, { workerData, eval: true });
}
