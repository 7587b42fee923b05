import { request } from 'node:http';
import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { serveLive, type LiveServer } from '../../src/node.js';
import { lessonRun, sleep } from './helpers.js';

const servers: LiveServer[] = [];

const STALLED_CLIENT = `
import socket, sys, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
s.connect(('127.0.0.1', int(sys.argv[1])))
s.sendall(b'GET /events HTTP/1.1\\r\\nHost: 127.0.0.1:' + sys.argv[1].encode() + b'\\r\\n\\r\\n')
print('connected', flush=True)
time.sleep(60)
`;
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

/** A raw HTTP/1.1 request with the path and Host sent exactly as given (no client-side normalisation). */
function rawGet(port: number, path: string, o: { host?: string | null; method?: string } = {}): Promise<{ status: number; body: string }> {
  const host = o.host === undefined ? `127.0.0.1:${port}` : o.host;
  const hostLine = host === null ? '' : `Host: ${host}\r\n`;
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () =>
      socket.write(`${o.method ?? 'GET'} ${path} HTTP/1.1\r\n${hostLine}Connection: close\r\n\r\n`),
    );
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (c: string) => (text += c));
    socket.on('end', () => resolve({ status: Number(text.split(' ')[1]), body: text.slice(text.indexOf('\r\n\r\n') + 4) }));
    socket.on('error', reject);
  });
}

/** Reads an SSE stream until `until` returns true for the events so far, or it ends. */
function readEvents(
  url: string,
  until: (events: { event: string; data: string }[]) => boolean,
  onEvent?: () => void,
): Promise<{ event: string; data: string }[]> {
  return new Promise((resolve, reject) => {
    const events: { event: string; data: string }[] = [];
    const req = request(url, (res) => {
      let buf = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        buf += c;
        let i: number;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const ev = /^event: (.*)$/m.exec(block)?.[1] ?? 'message';
          const data = /^data: (.*)$/m.exec(block)?.[1] ?? '';
          events.push({ event: ev, data });
          onEvent?.();
          if (until(events)) {
            req.destroy();
            resolve(events);
          }
        }
      });
      res.on('end', () => resolve(events));
      res.on('close', () => resolve(events));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('serveLive', () => {
  it('serves only its page, assets and stream; traversal attempts are 404s', async () => {
    const t = lessonRun();
    t.pause(); // nothing to train here: spare the CPU
    const live = await serveLive(t, { closeAfterEndMs: Infinity, handleSigint: false });
    servers.push(live);
    expect(live.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const page = await rawGet(live.port, '/');
    expect(page.status).toBe(200);
    expect(page.body).toContain('/assets/uPlot.iife.min.js');
    expect(page.body).not.toMatch(/https?:\/\//); // nothing loaded from elsewhere
    for (const a of [
      '/assets/uPlot.iife.min.js',
      '/assets/uPlot.min.css',
      '/assets/dashboard.js',
      '/assets/dashboard.css',
      '/index.html',
    ]) {
      expect((await rawGet(live.port, a)).status).toBe(200);
    }
    const attempts = [
      '/../package.json',
      '/%2e%2e/package.json',
      '/%2E%2E%2Fpackage.json',
      '/..%2fpackage.json',
      '/..%5cpackage.json',
      '/assets/../../package.json',
      '/assets/..%2f..%2fpackage.json',
      '/assets/%2e%2e/%2e%2e/package.json',
      '//etc/passwd',
      '/assets/uPlot.iife.min.js/../../../package.json',
      '/%252e%252e/package.json',
      '/node_modules/uplot/package.json',
      '/package.json',
      '/assets/',
      '/favicon.ico',
    ];
    for (const p of attempts) {
      const r = await rawGet(live.port, p);
      expect([p, r.status]).toEqual([p, 404]);
      expect(r.body).not.toContain('"name"');
    }
    const post = await new Promise<number>((resolve) => {
      const req = request(`${live.url}events`, { method: 'POST' }, (res) => resolve(res.statusCode ?? 0));
      req.end();
    });
    expect(post).toBe(404);
  });

  it('streams points, status and the stop reason; a late browser gets the history', async () => {
    const t = lessonRun({ lossBelow: 0.5 });
    t.pause(); // serveLive's subscription starts the run: hold it until the browser is there
    const live = await serveLive(t, { updateMs: 10, handleSigint: false, closeAfterEndMs: Infinity });
    servers.push(live);
    const first = readEvents(`${live.url}events`, (ev) => ev.some((e) => e.event === 'end'));
    while (live.clients() < 1) await sleep(5);
    t.resume();
    const events = await first;
    expect(events[0]!.event).toBe('init');
    const points = events.filter((e) => e.event === 'points').map((e) => JSON.parse(e.data) as { step: number[]; loss: number[] });
    expect(points.length).toBeGreaterThan(0);
    const end = JSON.parse(events.at(-1)!.data) as { stopReason: string; step: number; status: string };
    const r = await t.done();
    expect(end).toMatchObject({ stopReason: 'threshold', step: r.step, status: 'done' });
    // a browser arriving after the end still sees the whole (decimated) curve and the reason
    const late = await readEvents(`${live.url}events`, (ev) => ev.some((e) => e.event === 'end'));
    const init = JSON.parse(late[0]!.data) as { points: { step: number[]; loss: (number | null)[] } };
    expect(init.points.step[0]).toBe(0);
    expect(init.points.step.at(-1)).toBe(r.step);
    expect(init.points.step.length).toBeLessThanOrEqual(4001);
    expect(init.points.loss.at(-1)).toBe(r.loss);
    expect(JSON.parse(late.at(-1)!.data)).toMatchObject({ stopReason: 'threshold' });
  });

  it('a client that stops reading is dropped and never slows 100,000 steps', async () => {
    const t = lessonRun({ maxSteps: 100_000 });
    t.pause();
    const live = await serveLive(t, {
      updateMs: 5,
      clientBufferBytes: 1 << 20,
      pointsPerUpdate: 100_000,
      handleSigint: false,
      closeAfterEndMs: Infinity,
    });
    servers.push(live);
    // the stalled client asks for the stream, then never reads. It is a python3 process with a
    // 4 KiB receive buffer: Node cannot shrink a socket's buffers, and Linux loopback buffers
    // (tcp_rmem up to 32 MiB here) would otherwise absorb the whole run.
    const stalled = spawn('python3', ['-c', STALLED_CLIENT, String(live.port)], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve) => stalled.stdout.once('data', () => resolve()));
    const healthy = readEvents(`${live.url}events`, (ev) => ev.some((e) => e.event === 'end'));
    while (live.clients() < 2) await sleep(5);
    const t0 = performance.now();
    t.resume();
    const r = await t.done();
    const ms = performance.now() - t0;
    expect(r).toMatchObject({ stopReason: 'maxSteps', step: 100_000 });
    const events = await healthy;
    expect(JSON.parse(events.at(-1)!.data)).toMatchObject({ stopReason: 'maxSteps', step: 100_000 });
    expect(live.droppedClients()).toBe(1);
    expect(ms).toBeLessThan(20_000);
    stalled.kill();
  });

  it('closes after the run ends, ending open streams', async () => {
    const t = lessonRun({ maxSteps: 50 });
    t.pause();
    const live = await serveLive(t, { updateMs: 5, closeAfterEndMs: 10, handleSigint: false });
    const ev = readEvents(`${live.url}events`, () => false);
    while (live.clients() < 1) await sleep(5);
    t.resume();
    await live.closed;
    expect((await ev).at(-1)!.event).toBe('end');
    expect(live.server.listening).toBe(false);
  });

  it('on SIGINT stops the run, ends open streams and closes, so the process exits', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'fixtures/sigintRun.ts')], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.setEncoding('utf8');
    const url = await new Promise<string>((resolve) =>
      child.stdout.on('data', (c: string) => {
        out += c;
        const m = /dashboard: (\S+)/.exec(out);
        if (m) resolve(m[1]!);
      }),
    );
    let connected: () => void = () => {};
    const firstEvent = new Promise<void>((r) => (connected = r));
    const stream = readEvents(
      `${url}events`,
      () => false,
      () => connected(),
    );
    await firstEvent; // the browser is connected
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(0);
    expect(out).toContain('stopped: stopped; server listening: false');
    expect((await stream).at(-1)!.event).toBe('end');
  }, 30_000);

  it('refuses requests whose Host is not this server (DNS rebinding), unless allowed', async () => {
    const t = lessonRun();
    t.pause();
    const live = await serveLive(t, { closeAfterEndMs: Infinity, handleSigint: false, allowedHosts: ['Dash.example.org'] });
    servers.push(live);
    const p = live.port;
    for (const host of [`127.0.0.1:${p}`, `localhost:${p}`, `LOCALHOST:${p}`, `[::1]:${p}`, 'dash.example.org', `dash.example.org:${p}`]) {
      expect([host, (await rawGet(p, '/', { host })).status]).toEqual([host, 200]);
    }
    const refused = [
      'evil.example.com',
      `evil.example.com:${p}`,
      `127.0.0.1:${p + 1}`,
      'localhost',
      '127.0.0.1',
      `localhost.evil.com:${p}`,
      `127.0.0.1.nip.io:${p}`,
      `x@127.0.0.1:${p}`,
      '',
    ];
    for (const host of refused) {
      for (const path of ['/', '/events', '/assets/dashboard.js', '/nope']) {
        const r = await rawGet(p, path, { host });
        expect([host, path, r.status]).toEqual([host, path, 403]);
        expect(r.body).not.toContain('uPlot');
      }
    }
    expect(live.clients()).toBe(0);
  });

  it('answers HEAD on every route, the event stream included, without a body', async () => {
    const t = lessonRun();
    t.pause();
    const live = await serveLive(t, { closeAfterEndMs: Infinity, handleSigint: false });
    servers.push(live);
    for (const [path, status] of [
      ['/events', 200],
      ['/', 200],
      ['/index.html', 200],
      ['/assets/uPlot.min.css', 200],
      ['/nope', 404],
    ] as const) {
      const r = await rawGet(live.port, path, { method: 'HEAD' });
      expect([path, r.status, r.body]).toEqual([path, status, '']);
    }
    expect(live.clients()).toBe(0);
  });

  it('rejects a bad port', async () => {
    await expect(serveLive(lessonRun(), { port: 70000 })).rejects.toThrow(
      'serveLive.port: expected an integer in [0, 65535], received 70000',
    );
    await expect(serveLive(lessonRun(), { allowedHosts: ['a b'] })).rejects.toThrow(
      'serveLive.allowedHosts: expected a list of host names or addresses, received an array of length 1',
    );
    await expect(serveLive(lessonRun(), { allowedHosts: 'example.org' as unknown as string[] })).rejects.toThrow(
      'serveLive.allowedHosts: expected a list of host names or addresses, received "example.org"',
    );
  });
});
