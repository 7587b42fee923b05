/**
 * dataParallel({ workers }) in Chromium: the training loop runs in a Web Worker, the replicas in Web
 * Workers sharing memory with it (the page is served cross-origin isolated); without the two
 * headers the same code warns once and trains on one thread.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './chromium.js';

let browser: Browser;
let server: Server;
let url = '';

interface Result {
  readonly isolated: boolean;
  readonly single: { losses: number[]; params: number[] };
  readonly one: { losses: number[]; params: number[] };
  readonly two: { losses: number[]; params: number[] };
  readonly warnings: string[];
  readonly error?: string;
}

beforeAll(async () => {
  const bundle = async (path: string): Promise<Uint8Array> =>
    (
      await build({
        entryPoints: [fileURLToPath(new URL(path, import.meta.url))],
        bundle: true,
        format: 'esm',
        platform: 'browser',
        target: 'es2022',
        write: false,
        logLevel: 'silent',
      })
    ).outputFiles[0]!.contents;
  const [train, replica] = await Promise.all([bundle('../workers/fixtures/browserTrain.ts'), bundle('../../src/workers/webReplica.ts')]);
  const page = `<!doctype html><script type="module">
    const w = new Worker('/train.js', { type: 'module' });
    window.result = new Promise((resolve) => { w.onmessage = (e) => resolve(e.data); w.onerror = (e) => resolve({ error: e.message }); });
  </script>`;
  server = createServer((req, res) => {
    const [path, query] = (req.url ?? '/').split('?');
    const isolate = query !== 'plain';
    const headers: Record<string, string> = isolate
      ? { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' }
      : {};
    // webThreads.ts starts `new URL('./webReplica.js', import.meta.url)`: beside the training bundle
    const body = path === '/' ? page : path === '/train.js' ? train : path === '/webReplica.js' ? replica : null;
    if (body === null) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { ...headers, 'content-type': path === '/' ? 'text/html' : 'text/javascript' }).end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  server?.closeAllConnections();
  await new Promise((r) => server?.close(r));
});

async function open(query: string): Promise<Result> {
  const page = await browser.newPage();
  await page.goto(`${url}${query}`);
  const r = (await page.evaluate('window.result')) as Result;
  await page.close();
  return r;
}

describe('dataParallel in Chromium', () => {
  it('trains on Web Workers in a cross-origin isolated page: 1 worker bit for bit, 2 to round-off', async () => {
    const r = await open('');
    expect(r.error).toBeUndefined();
    expect(r.isolated).toBe(true);
    expect(r.warnings).toEqual([]);
    expect(r.one.losses).toEqual(r.single.losses);
    expect(r.one.params).toEqual(r.single.params);
    expect(r.two.losses).toHaveLength(r.single.losses.length);
    for (let i = 0; i < r.single.params.length; i++) expect(Math.abs(r.two.params[i]! - r.single.params[i]!)).toBeLessThan(1e-10);
  });

  it('warns once and trains on one thread without the isolation headers', async () => {
    const r = await open('?plain');
    expect(r.error).toBeUndefined();
    expect(r.isolated).toBe(false);
    expect(r.one.losses).toEqual(r.single.losses);
    expect(r.two.losses).toEqual(r.single.losses);
    expect(r.warnings).toHaveLength(2); // one per dataParallel({ workers }) operator
    expect(r.warnings[0]).toMatch(/^gradstream: dataParallel\(\{ workers: 1 \}\) runs on one thread: SharedArrayBuffer is unavailable/);
  });
});
