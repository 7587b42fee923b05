import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { GradstreamError, describeValue } from '../core/errors.js';
import type { StopReason } from '../streams/stepRecord.js';
import { dashboardCss, dashboardHtml, dashboardScript } from './dashboardPage.js';
import { seriesBuffer } from './seriesBuffer.js';
import type { Training, TrainingStatus } from './training.js';

/** Options of {@link serveLive}. */
export interface ServeLiveOptions {
  /** TCP port (default 0: a free port, see `LiveServer.port`). */
  readonly port?: number;
  /** Interface to bind (default `127.0.0.1`: this machine only). */
  readonly host?: string;
  /** Page title (default `gradstream`). */
  readonly title?: string;
  /** Points of history a browser that connects late receives, decimated (default 4000). */
  readonly historyPoints?: number;
  /** Most points sent per update, decimated (default 1000). */
  readonly pointsPerUpdate?: number;
  /** Milliseconds between updates to the browsers (default 100). */
  readonly updateMs?: number;
  /** Bytes a client may leave unread; beyond this it is dropped (default 1 MiB). */
  readonly clientBufferBytes?: number;
  /** Close the server this long after the run ends (default 1000 ms; `Infinity` keeps it open). */
  readonly closeAfterEndMs?: number;
  /** On SIGINT, stop the run and close the server (default true). */
  readonly handleSigint?: boolean;
  /**
   * Host names (or addresses) browsers may use besides the bound loopback names, e.g. the name a
   * reverse proxy forwards or the machine's LAN address when bound to `0.0.0.0`. Matched without
   * case, with any port. Requests naming any other host in their `Host` header are refused (403):
   * a page from elsewhere that rebinds its own name to this machine cannot read the dashboard.
   */
  readonly allowedHosts?: readonly string[];
}

/** A running dashboard server. */
export interface LiveServer {
  /** `http://host:port/` */
  readonly url: string;
  readonly port: number;
  readonly server: Server;
  /** Browsers connected to the stream now. */
  clients(): number;
  /** Clients dropped so far because they did not read their stream. */
  droppedClients(): number;
  /** Resolves once the server has closed (after the run, on SIGINT, or `close()`). */
  readonly closed: Promise<void>;
  /** Ends every connection and closes the server. */
  close(): Promise<void>;
}

interface Client {
  readonly res: ServerResponse;
}

const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '[::1]'];

/** Splits a `Host` header into its lower-case name and port (undefined when absent). */
function splitHost(header: string): { name: string; port: number | undefined } {
  const m = /^(\[[0-9a-f:.]+\]|[^:[\]]+)(?::(\d{1,5}))?$/i.exec(header.trim());
  if (m === null) return { name: '', port: undefined };
  return { name: m[1]!.toLowerCase(), port: m[2] === undefined ? undefined : Number(m[2]) };
}

/**
 * The `Host` check against DNS rebinding: the bound port under a loopback name or the bound
 * address, or any port under an allowed name.
 */
function hostCheck(bound: string, allowed: readonly string[]): (header: string | undefined, port: number) => boolean {
  const boundName = bound.includes(':') ? `[${bound.toLowerCase()}]` : bound.toLowerCase();
  const local = new Set([...LOOPBACK_NAMES, boundName]);
  const extra = new Set(allowed.map((h) => (h.includes(':') && !h.startsWith('[') ? `[${h}]` : h).toLowerCase()));
  return (header, port) => {
    if (header === undefined) return false;
    const h = splitHost(header);
    if (extra.has(h.name)) return true;
    return local.has(h.name) && (h.port ?? 80) === port;
  };
}

const PATHS = new Set([
  '/',
  '/index.html',
  '/events',
  '/assets/dashboard.js',
  '/assets/dashboard.css',
  '/assets/uPlot.iife.min.js',
  '/assets/uPlot.min.css',
]);

/**
 * Serves a live dashboard of `training` over HTTP: one HTML page (uPlot, bundled locally — the page
 * loads nothing from elsewhere) that plots the raw and smoothed loss, the validation loss, the
 * learning rate and drift / checkpoint markers, fed by Server-Sent Events at `/events`. A browser
 * that connects late receives the run so far (bounded, decimated); any number may watch.
 *
 * Only the page, its four assets and the stream are served — anything else is a 404, and no
 * request path reaches the file system. A request whose `Host` header names neither a loopback name
 * (`localhost`, `127.0.0.1`, `[::1]`) or the bound address with the bound port, nor one of
 * `allowedHosts`, is refused with 403, which defeats DNS rebinding. `HEAD` answers every route with
 * its headers alone. Updates are batched every `updateMs`; the training loop
 * only appends to bounded buffers, so a slow or vanished client never slows it: a client that
 * leaves more than `clientBufferBytes` unread is dropped (a browser reconnects and receives the
 * history again). Closes `closeAfterEndMs` after the run ends, or on SIGINT (which also stops the
 * run), ending open streams first.
 *
 * Resolves once listening; rejects if the port cannot be bound.
 *
 * @example
 * import { fit, serveLive } from 'gradstream/node';
 * // const training = fit({ … });
 * // const live = await serveLive(training, { port: 8080 });
 * // console.log(`dashboard: ${live.url}`);
 */
export async function serveLive(training: Training, options: ServeLiveOptions = {}): Promise<LiveServer> {
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? 0;
  const updateMs = options.updateMs ?? 100;
  const clientBufferBytes = options.clientBufferBytes ?? 1 << 20;
  const closeAfterEndMs = options.closeAfterEndMs ?? 1000;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new GradstreamError({
      code: 'invalid_config',
      path: 'serveLive.port',
      expected: 'an integer in [0, 65535]',
      received: String(port),
    });
  }
  const allowedHosts: unknown = options.allowedHosts ?? [];
  if (!Array.isArray(allowedHosts) || !allowedHosts.every((h) => typeof h === 'string' && h !== '' && !/[\s/@]/.test(h))) {
    throw new GradstreamError({
      code: 'invalid_config',
      path: 'serveLive.allowedHosts',
      expected: 'a list of host names or addresses',
      received: describeValue(allowedHosts),
    });
  }
  if (!(updateMs > 0))
    throw new GradstreamError({ code: 'invalid_config', path: 'serveLive.updateMs', expected: 'a number > 0', received: String(updateMs) });

  const require = createRequire(import.meta.url);
  const assets = new Map<string, { type: string; body: Buffer }>([
    ['/', { type: 'text/html; charset=utf-8', body: Buffer.from(dashboardHtml(options.title ?? 'gradstream')) }],
    ['/assets/dashboard.js', { type: 'text/javascript; charset=utf-8', body: Buffer.from(dashboardScript) }],
    ['/assets/dashboard.css', { type: 'text/css; charset=utf-8', body: Buffer.from(dashboardCss) }],
    [
      '/assets/uPlot.iife.min.js',
      { type: 'text/javascript; charset=utf-8', body: readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js')) },
    ],
    ['/assets/uPlot.min.css', { type: 'text/css; charset=utf-8', body: readFileSync(require.resolve('uplot/dist/uPlot.min.css')) }],
  ]);
  assets.set('/index.html', assets.get('/')!);

  const history = seriesBuffer(options.historyPoints ?? 4000);
  const pending = seriesBuffer(options.pointsPerUpdate ?? 1000);
  const markers: { kind: string; step: number; time: number; label: string }[] = [];
  const pendingMarkers: string[] = [];
  const clients = new Set<Client>();
  let dropped = 0;
  let status: TrainingStatus | 'stopping' = 'idle';
  let stopReason: StopReason | undefined;
  let errorText: string | undefined;
  let step = 0;
  let epoch = 0;
  let epochLoss: number | undefined; // the latest epoch mean (records with `epochLoss`)
  let lastTime = 0;
  let lr = Number.NaN;
  let rate = 0;
  let rateStep = Number.NaN;
  let rateAt = Number.NaN;
  let ended = false;

  const statusJson = (): string =>
    JSON.stringify({
      status,
      step,
      epoch,
      epochLoss: epochLoss ?? null,
      stepsPerSecond: rate,
      lr,
      time: lastTime,
      stopReason: stopReason ?? null,
      error: errorText ?? null,
    });

  const send = (c: Client, chunk: string): void => {
    if (c.res.writableLength > clientBufferBytes) {
      // the client is not reading: drop it rather than buffer without bound
      dropped += 1;
      clients.delete(c);
      c.res.destroy();
      return;
    }
    c.res.write(chunk);
  };
  const broadcast = (event: string, data: string): void => {
    const chunk = `event: ${event}\ndata: ${data}\n\n`;
    for (const c of clients) send(c, chunk);
  };

  const flush = (): void => {
    const now = performance.now();
    if (!Number.isNaN(rateAt) && now > rateAt) {
      const r = ((step - rateStep) / (now - rateAt)) * 1000;
      rate = rate === 0 ? r : 0.7 * rate + 0.3 * r;
    }
    rateStep = step;
    rateAt = now;
    if (clients.size === 0) {
      pending.clear();
      pendingMarkers.length = 0;
      return;
    }
    if (pending.size > 0) broadcast('points', JSON.stringify(pending.columns()));
    pending.clear();
    for (const m of pendingMarkers) broadcast('marker', m);
    pendingMarkers.length = 0;
    broadcast('status', statusJson());
  };

  const stepsSub = training.steps$.subscribe({
    next(v) {
      status = 'running';
      step = v.step;
      epoch = v.epoch;
      lr = v.lr;
      if (v.epochLoss !== undefined) epochLoss = v.epochLoss;
      lastTime = v.time / 1000;
      const val = v.valLoss ?? Number.NaN;
      history.offer(v.step, lastTime, v.loss, val, v.lr);
      pending.offer(v.step, lastTime, v.loss, val, v.lr);
    },
    error: () => {},
  });
  const addMarker = (kind: string, s: number, label: string): void => {
    const m = { kind, step: s, time: lastTime, label };
    markers.push(m);
    if (markers.length > 500) markers.shift();
    pendingMarkers.push(JSON.stringify(m));
  };
  const eventsSub = training.events$.subscribe((e) => {
    if (e.type === 'drift') addMarker('drift', e.step, `drift at step ${e.step}`);
    else if (e.type === 'checkpointWritten') addMarker('checkpoint', e.step, `checkpoint ${e.path}`);
    else if (e.type === 'paused') status = 'paused';
    else if (e.type === 'resumed') status = 'running';
    else if (e.type === 'stopped') {
      stopReason = e.reason;
      step = e.step;
      status = 'done';
      onEnd();
    } else if (e.type === 'error') {
      errorText = e.error instanceof Error ? e.error.message : String(e.error);
      status = 'error';
      onEnd();
    }
  });

  const timer = setInterval(flush, updateMs);
  let closeTimer: ReturnType<typeof setTimeout> | undefined;
  function onEnd(): void {
    if (ended) return;
    ended = true;
    flush();
    broadcast('end', statusJson());
    for (const c of clients) c.res.end();
    clients.clear();
    if (Number.isFinite(closeAfterEndMs)) closeTimer = setTimeout(() => void close(), closeAfterEndMs);
  }

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    if (!hostAllowed(req.headers.host, (server.address() as AddressInfo).port)) {
      res.writeHead(403, { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff' });
      res.end('forbidden host\n');
      return;
    }
    const raw = req.url ?? '/';
    const q = raw.indexOf('?');
    const path = q >= 0 ? raw.slice(0, q) : raw;
    if ((req.method !== 'GET' && req.method !== 'HEAD') || !PATHS.has(path)) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff' });
      res.end('not found\n');
      return;
    }
    if (path === '/events') {
      const headers = {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        'x-content-type-options': 'nosniff',
      };
      if (req.method === 'HEAD') {
        // the headers alone, and the connection as the client asked for it
        res.writeHead(200, headers);
        res.end();
        return;
      }
      res.writeHead(200, { ...headers, connection: 'keep-alive' });
      const init = JSON.stringify({ points: history.columns(), markers });
      res.write(`retry: 1000\nevent: init\ndata: ${init}\n\nevent: status\ndata: ${statusJson()}\n\n`);
      if (ended) {
        res.end(`event: end\ndata: ${statusJson()}\n\n`);
        return;
      }
      const c: Client = { res };
      clients.add(c);
      req.on('close', () => clients.delete(c));
      return;
    }
    const a = assets.get(path)!;
    res.writeHead(200, {
      'content-type': a.type,
      'content-length': a.body.length,
      'cache-control': 'no-cache',
      'x-content-type-options': 'nosniff',
      'content-security-policy': "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:",
    });
    res.end(req.method === 'HEAD' ? undefined : a.body);
  };

  const hostAllowed = hostCheck(host, allowedHosts as string[]);
  const server = createServer(handle);
  let resolveClosed: () => void = () => {};
  const closed = new Promise<void>((r) => (resolveClosed = r));
  let closing: Promise<void> | undefined;
  // SIGINT: stop the run (browsers get its end and stop reason), then close; at most 2 s later
  const onSigint = (): void => {
    const force = setTimeout(() => void close(), 2000);
    void training
      .stop()
      .catch(() => {})
      .finally(() => {
        clearTimeout(force);
        void close();
      });
  };
  function close(): Promise<void> {
    if (closing) return closing;
    clearInterval(timer);
    if (closeTimer !== undefined) clearTimeout(closeTimer);
    process.removeListener('SIGINT', onSigint);
    stepsSub.unsubscribe();
    eventsSub.unsubscribe();
    for (const c of clients) c.res.end();
    clients.clear();
    closing = new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }).then(resolveClosed);
    return closing;
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  if (options.handleSigint ?? true) process.once('SIGINT', onSigint);
  const bound = (server.address() as AddressInfo).port;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${bound}/`,
    port: bound,
    server,
    clients: () => clients.size,
    droppedClients: () => dropped,
    closed,
    close,
  };
}
