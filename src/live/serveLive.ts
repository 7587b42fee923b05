import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GradstreamError, describeValue } from '../core/errors.js';
import { dashboardAssets } from './dashboardAssets.js';
import { hostCheck } from './hostCheck.js';
import { LiveDashboard } from './liveDashboard.js';
import type { Training } from './training.js';

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
  const allowedHosts = checkOptions(options, port);
  const dashboard = new LiveDashboard(training, {
    historyPoints: options.historyPoints ?? 4000,
    pointsPerUpdate: options.pointsPerUpdate ?? 1000,
    updateMs: options.updateMs ?? 100,
    clientBufferBytes: options.clientBufferBytes ?? 1 << 20,
    closeAfterEndMs: options.closeAfterEndMs ?? 1000,
    assets: dashboardAssets(options.title ?? 'gradstream'),
    hostAllowed: hostCheck(host, allowedHosts),
  });
  await dashboard.listen(port, host);
  if (options.handleSigint ?? true) process.once('SIGINT', dashboard.onSigint);
  const bound = (dashboard.server.address() as AddressInfo).port;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${bound}/`,
    port: bound,
    server: dashboard.server,
    clients: () => dashboard.clients.size,
    droppedClients: () => dashboard.dropped,
    closed: dashboard.closed,
    close: () => dashboard.close(),
  };
}

/** Checks the options `serveLive` validates up front; returns the allowed host names. */
function checkOptions(options: ServeLiveOptions, port: number): readonly string[] {
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
  const updateMs = options.updateMs ?? 100;
  if (!(updateMs > 0))
    throw new GradstreamError({ code: 'invalid_config', path: 'serveLive.updateMs', expected: 'a number > 0', received: String(updateMs) });
  return allowedHosts as string[];
}
