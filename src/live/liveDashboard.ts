import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Subscription } from 'rxjs';
import type { StopReason } from '../streams/stepRecord.js';
import type { DashboardAsset } from './dashboardAssets.js';
import { seriesBuffer } from './seriesBuffer.js';

type SeriesBuffer = ReturnType<typeof seriesBuffer>;
import type { StepView, Training, TrainingEvent, TrainingStatus } from './training.js';

/** Resolved settings of a {@link LiveDashboard}. */
export interface LiveDashboardSettings {
  readonly historyPoints: number;
  readonly pointsPerUpdate: number;
  readonly updateMs: number;
  readonly clientBufferBytes: number;
  readonly closeAfterEndMs: number;
  readonly assets: ReadonlyMap<string, DashboardAsset>;
  readonly hostAllowed: (header: string | undefined, port: number) => boolean;
}

interface Client {
  readonly res: ServerResponse;
}

interface Marker {
  kind: string;
  step: number;
  time: number;
  label: string;
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

const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:";

/**
 * The state behind `serveLive`: the run's series (bounded history and the batch pending for the
 * next update), the markers, the connected browsers and the HTTP server's lifecycle.
 */
export class LiveDashboard {
  readonly server: Server;
  readonly clients = new Set<Client>();
  dropped = 0;
  readonly closed: Promise<void>;
  private resolveClosed: () => void = () => {};
  private closing: Promise<void> | undefined;
  // the series
  private readonly history: SeriesBuffer;
  private readonly pending: SeriesBuffer;
  private readonly markers: Marker[] = [];
  private readonly pendingMarkers: string[] = [];
  // the run's latest state
  private status: TrainingStatus | 'stopping' = 'idle';
  private stopReason: StopReason | undefined;
  private errorText: string | undefined;
  private step = 0;
  private epoch = 0;
  private epochLoss: number | undefined; // the latest epoch mean (records with `epochLoss`)
  private lastTime = 0;
  private lr = Number.NaN;
  private ended = false;
  // steps per second, smoothed over updates
  private rate = 0;
  private rateStep = Number.NaN;
  private rateAt = Number.NaN;
  // subscriptions and timers
  private readonly stepsSub: Subscription;
  private readonly eventsSub: Subscription;
  private readonly timer: ReturnType<typeof setInterval>;
  private closeTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly training: Training,
    private readonly settings: LiveDashboardSettings,
  ) {
    this.history = seriesBuffer(settings.historyPoints);
    this.pending = seriesBuffer(settings.pointsPerUpdate);
    this.stepsSub = training.steps$.subscribe({ next: (v) => this.onStep(v), error: () => {} });
    this.eventsSub = training.events$.subscribe((e) => this.onEvent(e));
    this.timer = setInterval(() => this.flush(), settings.updateMs);
    this.server = createServer((req, res) => this.handle(req, res));
    this.closed = new Promise<void>((r) => (this.resolveClosed = r));
  }

  private statusJson(): string {
    return JSON.stringify({
      status: this.status,
      step: this.step,
      epoch: this.epoch,
      epochLoss: this.epochLoss ?? null,
      stepsPerSecond: this.rate,
      lr: this.lr,
      time: this.lastTime,
      stopReason: this.stopReason ?? null,
      error: this.errorText ?? null,
    });
  }

  private onStep(v: StepView): void {
    this.status = 'running';
    this.step = v.step;
    this.epoch = v.epoch;
    this.lr = v.lr;
    if (v.epochLoss !== undefined) this.epochLoss = v.epochLoss;
    this.lastTime = v.time / 1000;
    const val = v.valLoss ?? Number.NaN;
    this.history.offer(v.step, this.lastTime, v.loss, val, v.lr);
    this.pending.offer(v.step, this.lastTime, v.loss, val, v.lr);
  }

  private onEvent(e: TrainingEvent): void {
    if (e.type === 'drift') this.addMarker('drift', e.step, `drift at step ${e.step}`);
    else if (e.type === 'checkpointWritten') this.addMarker('checkpoint', e.step, `checkpoint ${e.path}`);
    else if (e.type === 'paused') this.status = 'paused';
    else if (e.type === 'resumed') this.status = 'running';
    else if (e.type === 'stopped') {
      this.stopReason = e.reason;
      this.step = e.step;
      this.status = 'done';
      this.onEnd();
    } else if (e.type === 'error') {
      this.errorText = e.error instanceof Error ? e.error.message : String(e.error);
      this.status = 'error';
      this.onEnd();
    }
  }

  private addMarker(kind: string, step: number, label: string): void {
    const m = { kind, step, time: this.lastTime, label };
    this.markers.push(m);
    if (this.markers.length > 500) this.markers.shift();
    this.pendingMarkers.push(JSON.stringify(m));
  }

  private send(c: Client, chunk: string): void {
    if (c.res.writableLength > this.settings.clientBufferBytes) {
      // the client is not reading: drop it rather than buffer without bound
      this.dropped += 1;
      this.clients.delete(c);
      c.res.destroy();
      return;
    }
    c.res.write(chunk);
  }

  private broadcast(event: string, data: string): void {
    const chunk = `event: ${event}\ndata: ${data}\n\n`;
    for (const c of this.clients) this.send(c, chunk);
  }

  private updateRate(): void {
    const now = performance.now();
    if (!Number.isNaN(this.rateAt) && now > this.rateAt) {
      const r = ((this.step - this.rateStep) / (now - this.rateAt)) * 1000;
      this.rate = this.rate === 0 ? r : 0.7 * this.rate + 0.3 * r;
    }
    this.rateStep = this.step;
    this.rateAt = now;
  }

  /** Sends the points and markers gathered since the last update, and the status. */
  private flush(): void {
    this.updateRate();
    if (this.clients.size === 0) {
      this.pending.clear();
      this.pendingMarkers.length = 0;
      return;
    }
    if (this.pending.size > 0) this.broadcast('points', JSON.stringify(this.pending.columns()));
    this.pending.clear();
    for (const m of this.pendingMarkers) this.broadcast('marker', m);
    this.pendingMarkers.length = 0;
    this.broadcast('status', this.statusJson());
  }

  private onEnd(): void {
    if (this.ended) return;
    this.ended = true;
    this.flush();
    this.broadcast('end', this.statusJson());
    for (const c of this.clients) c.res.end();
    this.clients.clear();
    const after = this.settings.closeAfterEndMs;
    if (Number.isFinite(after)) this.closeTimer = setTimeout(() => void this.close(), after);
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    if (!this.settings.hostAllowed(req.headers.host, (this.server.address() as AddressInfo).port)) {
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
    if (path === '/events') this.serveEvents(req, res);
    else this.serveAsset(req, res, this.settings.assets.get(path)!);
  }

  private serveAsset(req: IncomingMessage, res: ServerResponse, a: DashboardAsset): void {
    res.writeHead(200, {
      'content-type': a.type,
      'content-length': a.body.length,
      'cache-control': 'no-cache',
      'x-content-type-options': 'nosniff',
      'content-security-policy': CSP,
    });
    res.end(req.method === 'HEAD' ? undefined : a.body);
  }

  /** The Server-Sent Events stream: the history so far, then updates until the run ends. */
  private serveEvents(req: IncomingMessage, res: ServerResponse): void {
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
    const init = JSON.stringify({ points: this.history.columns(), markers: this.markers });
    res.write(`retry: 1000\nevent: init\ndata: ${init}\n\nevent: status\ndata: ${this.statusJson()}\n\n`);
    if (this.ended) {
      res.end(`event: end\ndata: ${this.statusJson()}\n\n`);
      return;
    }
    const c: Client = { res };
    this.clients.add(c);
    req.on('close', () => this.clients.delete(c));
  }

  /** SIGINT: stop the run (browsers get its end and stop reason), then close; at most 2 s later. */
  readonly onSigint = (): void => {
    const force = setTimeout(() => void this.close(), 2000);
    void this.training
      .stop()
      .catch(() => {})
      .finally(() => {
        clearTimeout(force);
        void this.close();
      });
  };

  /** Ends every connection and closes the server. */
  close(): Promise<void> {
    if (this.closing) return this.closing;
    clearInterval(this.timer);
    if (this.closeTimer !== undefined) clearTimeout(this.closeTimer);
    process.removeListener('SIGINT', this.onSigint);
    this.stepsSub.unsubscribe();
    this.eventsSub.unsubscribe();
    for (const c of this.clients) c.res.end();
    this.clients.clear();
    this.closing = new Promise<void>((resolve) => {
      this.server.closeAllConnections();
      this.server.close(() => resolve());
    }).then(this.resolveClosed);
    return this.closing;
  }

  /** Resolves once listening on `port` at `host`; rejects if the port cannot be bound. */
  listen(port: number, host: string): Promise<void> {
    const server = this.server;
    return new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  }
}
