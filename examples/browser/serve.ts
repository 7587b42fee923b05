/**
 * Serves the browser example: bundles examples/browser/main.ts (and through it the library's
 * browser entry, rxjs and uPlot) and the training worker's entry with esbuild in memory, then
 * serves the page, the two bundles and uPlot's style sheet on 127.0.0.1 — nothing else, and nothing from outside.
 *
 * Run: npm run live:browser   (then open the printed address)
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));

/** The running example server. */
export interface ExampleServer {
  readonly url: string;
  readonly server: Server;
  close(): Promise<void>;
}

/** Bundles the example and serves it (port 0: a free port). */
export async function serveBrowserExample(port = 0, host = '127.0.0.1'): Promise<ExampleServer> {
  const options = {
    bundle: true,
    format: 'esm' as const,
    platform: 'browser' as const,
    target: 'es2022',
    write: false as const,
    sourcemap: 'inline' as const,
    logLevel: 'silent' as const,
  };
  // the page, and the training worker's entry (for the "in a Web Worker" speed)
  const [bundle, worker] = await Promise.all([
    build({ ...options, entryPoints: [join(here, 'main.ts')] }),
    build({ ...options, entryPoints: [join(here, '../../src/live/browserFitWorker.ts')] }),
  ]);
  const require = createRequire(import.meta.url);
  const files = new Map<string, { type: string; body: Buffer | Uint8Array }>([
    ['/', { type: 'text/html; charset=utf-8', body: readFileSync(join(here, 'index.html')) }],
    ['/main.js', { type: 'text/javascript; charset=utf-8', body: bundle.outputFiles[0]!.contents }],
    ['/fitWorker.js', { type: 'text/javascript; charset=utf-8', body: worker.outputFiles[0]!.contents }],
    ['/uPlot.min.css', { type: 'text/css; charset=utf-8', body: readFileSync(require.resolve('uplot/dist/uPlot.min.css')) }],
  ]);
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    const f = files.get(path);
    if (f === undefined || req.method !== 'GET') {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found\n');
      return;
    }
    res.writeHead(200, { 'content-type': f.type, 'cache-control': 'no-store' });
    res.end(f.body);
  });
  await new Promise<void>((r) => server.listen(port, host, r));
  const url = `http://${host}:${(server.address() as AddressInfo).port}/`;
  return {
    url,
    server,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const s = await serveBrowserExample(Number(process.argv[2] ?? 8081));
  console.log(`browser example: ${s.url}  (Ctrl-C to stop)`);
  process.once('SIGINT', () => void s.close());
}
