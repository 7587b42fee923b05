/**
 * `npm run bench:live`: does an app stay responsive while it trains?
 *
 * 1. W3 — MLP 784 → 128 (ReLU) → 10, softmax cross-entropy, Adam 1e-3, batch 64, 8192 samples,
 *    3 epochs — trained with `fit` in the default time-sliced mode (8 ms slices) while
 *    `perf_hooks.monitorEventLoopDelay` (1 ms resolution) records the event-loop delay and an HTTP
 *    server in the same process answers a client (another process, one request at a time, every
 *    5 ms, on a keep-alive connection; then again with a new connection per request). The client
 *    warms up first; only the requests sent while training runs are timed. Throughput is compared
 *    with `fit` in sync mode (no load): targets event-loop p99 < 20 ms, HTTP p99 < 25 ms,
 *    sliced/sync ≥ 0.9.
 * 2. A model whose single step takes ~100 ms (784 → 256 → 10, batch 256): slicing cannot help
 *    (it yields only between steps), so the loop runs in a worker thread (`scheduler: 'worker'`,
 *    `nodeWorker()`); the same figures, next to the sliced loop's.
 *
 * Each configuration runs `ROUNDS` times, interleaved; the median is reported, and the median of
 * each round's ratio to the same round's sync run (less disturbed by load that drifts between rounds). Prints a table, or
 * with `--json` one JSON object.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadavg } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { adam, createRng, dense, fit, fromArrays, relu, sequential, softmaxCrossEntropy, type Training } from '../src/index.js';
import { initKernels } from '../src/kernels.js';
import { nodeWorker } from '../src/node.js';
import { formatNumber, printTable } from './harness.js';

const json = process.argv.includes('--json');
const ROUNDS = Number(process.argv.find((a) => a.startsWith('--rounds='))?.slice(9) ?? 3);
const log = (s: string): void => void (json ? process.stderr.write(`${s}\n`) : console.log(s));

interface Workload {
  readonly name: string;
  readonly hidden: number;
  readonly batch: number;
  readonly rows: number;
  readonly epochs: number;
  readonly maxSteps?: number;
}
const W3: Workload = { name: 'W3 784→128→10, batch 64', hidden: 128, batch: 64, rows: 8192, epochs: 3 };
const BIG: Workload = { name: '784→256→10, batch 256', hidden: 256, batch: 256, rows: 8192, epochs: 10, maxSteps: 30 };

function makeData(w: Workload): { x: Float64Array; y: Float64Array } {
  const rng = createRng(2024);
  const x = new Float64Array(w.rows * 784);
  for (let i = 0; i < x.length; i++) x[i] = rng.next();
  const y = new Float64Array(w.rows);
  for (let i = 0; i < w.rows; i++) y[i] = rng.int(10);
  return { x, y };
}

type Mode = 'sync' | 'sliced' | 'worker';

function start(w: Workload, d: { x: Float64Array; y: Float64Array }, mode: Mode): Training {
  const model = sequential([dense(784, w.hidden), relu(), dense(w.hidden, 10)]);
  const params = model.init(createRng(7));
  const limit = w.maxSteps === undefined ? {} : { maxSteps: w.maxSteps };
  if (mode === 'worker') {
    return fit({
      scheduler: 'worker',
      worker: nodeWorker(),
      model,
      loss: 'softmaxCrossEntropy',
      optimizer: { type: 'adam', lr: 1e-3 },
      data: { x: d.x, y: d.y, rows: w.rows, batchSize: w.batch, epochs: w.epochs },
      params,
      ...limit,
    });
  }
  return fit({
    model,
    loss: softmaxCrossEntropy(),
    optimizer: adam({ lr: 1e-3 }),
    data: fromArrays(d.x, d.y, { rows: w.rows, batchSize: w.batch, epochs: w.epochs }),
    params,
    scheduler: mode,
    ...limit,
  });
}

/**
 * The HTTP client, in its own process: one GET at a time every 5 ms, on one keep-alive connection
 * or (`fresh`) a new connection per request. It warms up until a line arrives on stdin (training
 * starts), records the latency (ms) of the requests it sends from then on, and prints them when
 * stdin ends (training has ended).
 */
const CLIENT = `
const http = require('node:http');
const agent = new http.Agent({ keepAlive: process.argv[2] !== 'fresh', maxSockets: 1 });
const lat = [];
let recording = false;
let stop = false;
process.stdin.on('data', () => { recording = true; });
process.stdin.on('end', () => { stop = true; });
function once() {
  if (stop) { process.stdout.write(JSON.stringify(lat)); agent.destroy(); return; }
  const t0 = performance.now();
  const counts = recording;
  http.get({ host: '127.0.0.1', port: Number(process.argv[1]), path: '/ping', agent }, (res) => {
    res.resume();
    res.on('end', () => { if (counts) lat.push(performance.now() - t0); setTimeout(once, 5); });
  }).on('error', (e) => { console.error(e); process.exit(1); });
}
process.stdout.write('ready\\n');
once();
`;

type Connection = 'keepAlive' | 'fresh';

async function startLoad(
  connection: Connection,
): Promise<{ server: Server; client: ChildProcess; record: () => void; finish: () => Promise<number[]> }> {
  const server = createServer((_req, res) => res.end('ok'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const client = spawn(process.execPath, ['-e', CLIENT, String(port), connection], { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  client.stdout!.setEncoding('utf8');
  await new Promise<void>((r) =>
    client.stdout!.once('data', (c: string) => {
      out = c.replace('ready\n', '');
      r();
    }),
  );
  client.stdout!.on('data', (c: string) => (out += c));
  // warm up: the client's first requests (its own start-up, the connection) are not measured
  await new Promise<void>((r) => setTimeout(r, 100));
  const record = (): void => void client.stdin!.write('go\n');
  const finish = async (): Promise<number[]> => {
    client.stdin!.end();
    await new Promise<void>((r) => client.once('exit', () => r()));
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
    return JSON.parse(out) as number[];
  };
  return { server, client, record, finish };
}

function percentile(values: readonly number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? Number.NaN;
}
const median = (v: readonly number[]): number => percentile(v, 50);

interface Measured {
  readonly stepsPerSecond: number;
  readonly loopP99Ms?: number;
  readonly loopMaxMs?: number;
  /** p99 of the latencies of all rounds together (a round's ~100 requests make its own p99 its maximum). */
  readonly httpP99Ms?: number;
  readonly httpMaxMs?: number;
  readonly httpRequests?: number;
  readonly latencies?: readonly number[];
  /** Median over rounds of this run's steps/s ÷ the same round's sync steps/s (the first run of `rounds`). */
  readonly toSyncPerRound?: number;
}

/** Under load: the HTTP client's connections (`false`: no load). */
type Load = Connection | false;

async function measure(w: Workload, d: { x: Float64Array; y: Float64Array }, mode: Mode, load: Load): Promise<Measured> {
  const h = monitorEventLoopDelay({ resolution: 1 });
  // the run is prepared (its data copied) before the client starts: requests are timed while it trains
  const t = start(w, d, mode);
  const l = load === false ? undefined : await startLoad(load);
  let first = Number.NaN;
  let firstAt = Number.NaN;
  t.steps$.subscribe((s) => {
    if (Number.isNaN(first)) {
      first = s.step;
      firstAt = performance.now();
    }
  });
  if (l !== undefined) {
    h.enable();
    l.record();
  }
  t.start();
  const r = await t.done();
  const ms = performance.now() - firstAt;
  h.disable();
  // steps after the first one reported (a worker's start-up is not training time)
  const stepsPerSecond = ((r.step - first) / ms) * 1000;
  if (l === undefined) return { stepsPerSecond };
  const lat = await l.finish();
  return {
    stepsPerSecond,
    loopP99Ms: h.percentile(99) / 1e6,
    loopMaxMs: h.max / 1e6,
    httpP99Ms: percentile(lat, 99),
    httpMaxMs: Math.max(...lat),
    httpRequests: lat.length,
    latencies: lat,
  };
}

async function rounds(label: string, w: Workload, d: { x: Float64Array; y: Float64Array }, runs: [Mode, Load][]): Promise<Measured[]> {
  const got: Measured[][] = runs.map(() => []);
  await measure(w, d, 'sync', false); // warm-up
  for (let r = 0; r < ROUNDS; r++) {
    for (let i = 0; i < runs.length; i++) {
      const [mode, load] = runs[i]!;
      const m = await measure(w, d, mode, load);
      log(
        `${label} round ${r + 1}: ${mode}${load === false ? '' : ` + HTTP (${load})`}: ${formatNumber(m.stepsPerSecond)} steps/s${m.loopP99Ms === undefined ? '' : `, event loop p99 ${formatNumber(m.loopP99Ms)} ms, HTTP p99 ${formatNumber(m.httpP99Ms!)} ms, max ${formatNumber(m.httpMaxMs!)} ms (${m.httpRequests} requests)`}`,
      );
      got[i]!.push(m);
    }
  }
  return got.map((ms) => ({
    stepsPerSecond: median(ms.map((m) => m.stepsPerSecond)),
    toSyncPerRound: median(ms.map((m, r) => m.stepsPerSecond / got[0]![r]!.stepsPerSecond)),
    ...(ms[0]!.loopP99Ms === undefined
      ? {}
      : (() => {
          const all = ms.flatMap((m) => m.latencies!);
          return {
            loopP99Ms: median(ms.map((m) => m.loopP99Ms!)),
            loopMaxMs: median(ms.map((m) => m.loopMaxMs!)),
            httpP99Ms: percentile(all, 99),
            httpMaxMs: Math.max(...all),
            httpRequests: all.length,
          };
        })()),
  }));
}

const simd = await initKernels();
const loadAtStart = loadavg()[0]!;
log(
  `responsiveness bench — Node ${process.version}, WebAssembly SIMD kernels ${simd ? 'on' : 'off'}, ${ROUNDS} rounds, medians, load average ${loadAtStart.toFixed(2)}`,
);
const d3 = makeData(W3);
const [w3Sync, w3SlicedAlone, w3Sliced, w3Fresh] = await rounds('W3', W3, d3, [
  ['sync', false],
  ['sliced', false],
  ['sliced', 'keepAlive'],
  ['sliced', 'fresh'],
]);
const dBig = makeData(BIG);
const [bigSync, bigSliced, bigWorker] = await rounds('big', BIG, dBig, [
  ['sync', false],
  ['sliced', 'keepAlive'],
  ['worker', 'keepAlive'],
]);

const row = (name: string, m: Measured, sync: Measured) => [
  name,
  m.stepsPerSecond,
  m.stepsPerSecond / sync.stepsPerSecond,
  m.toSyncPerRound!,
  m.loopP99Ms ?? '–',
  m.httpP99Ms ?? '–',
  m.httpMaxMs ?? '–',
];
const report = {
  node: process.version,
  wasmSimdKernels: simd,
  rounds: ROUNDS,
  loadAverage: { start: loadAtStart, end: loadavg()[0]! },
  w3: {
    sync: w3Sync,
    slicedNoLoad: w3SlicedAlone,
    sliced: w3Sliced,
    slicedFreshConnections: w3Fresh,
    slicedToSync: w3SlicedAlone!.stepsPerSecond / w3Sync!.stepsPerSecond,
    slicedUnderLoadToSync: w3Sliced!.stepsPerSecond / w3Sync!.stepsPerSecond,
  },
  big: { sync: bigSync, sliced: bigSliced, worker: bigWorker, workerToSync: bigWorker!.stepsPerSecond / bigSync!.stepsPerSecond },
};
if (json) console.log(JSON.stringify(report, null, 2));
else {
  printTable(
    "Responsiveness while training (medians; event loop p99: median of rounds; HTTP p99 and max: all rounds' requests; ms)",
    ['run', 'steps/s', '÷ sync', '÷ sync per round', 'event loop p99', 'HTTP p99', 'HTTP max'],
    [
      row(`${W3.name}: sync (blocks)`, w3Sync!, w3Sync!),
      row(`${W3.name}: sliced (8 ms), no load`, w3SlicedAlone!, w3Sync!),
      row(`${W3.name}: sliced (8 ms) + HTTP`, w3Sliced!, w3Sync!),
      row(`${W3.name}: sliced + HTTP, new connections`, w3Fresh!, w3Sync!),
      row(`${BIG.name}: sync (blocks)`, bigSync!, bigSync!),
      row(`${BIG.name}: sliced + HTTP`, bigSliced!, bigSync!),
      row(`${BIG.name}: worker thread + HTTP`, bigWorker!, bigSync!),
    ],
  );
  console.log(
    `targets (W3 sliced): event loop p99 < 20 ms, HTTP p99 < 25 ms, sliced/sync ≥ 0.9; load average (1 min) at start ${loadAtStart.toFixed(2)}, at end ${loadavg()[0]!.toFixed(2)}`,
  );
}
