/**
 * Record an online run, then replay it bit for bit. Samples of a hidden line y = 3x + 1 arrive
 * over HTTP (a node:http endpoint on 127.0.0.1, a client posting bursts of points); a one-neuron
 * model learns from them as they come, while the learning rate is changed twice during the run.
 * `fit({ record })` writes everything to an event log: the batches as they entered the loop, the
 * learning-rate changes at the steps they took effect, the final weights. `replay` then re-runs the
 * loop from the log alone and checks every loss, every learning rate and the final weights.
 *
 * Run: npm run record-replay   (or: npx tsx examples/recordReplay.ts) — about a second.
 */
import { createServer, request, type Server } from 'node:http';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Subject } from 'rxjs';
import {
  createRng,
  dense,
  fit,
  fromObservable,
  hyperParam,
  mse,
  paramsChecksum,
  recordTo,
  replay,
  sequential,
  sgd,
  type ReplayResult,
} from '../src/index.js';
import { fsStorage } from '../src/node.js';

/** What {@link recordReplay} found. */
export interface RecordReplayResult {
  readonly steps: number;
  readonly liveChecksum: string;
  readonly replay: ReplayResult;
  readonly logBytes: number;
}

type Sample = { x: number[]; y: number[] };

/** An endpoint taking `POST /samples` (a JSON array of samples) into `samples`. */
function sampleServer(samples: Subject<Sample>): Promise<Server> {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      for (const s of JSON.parse(body) as Sample[]) samples.next(s);
      res.writeHead(204).end();
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

/** Posts a burst of samples to the endpoint. */
function post(port: number, burst: Sample[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path: '/samples', method: 'POST', headers: { 'content-type': 'application/json' } },
      (res) => {
        res.resume();
        res.on('end', resolve);
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify(burst));
  });
}

/** Trains on `bursts` bursts posted over HTTP, recorded to a log in `dir`; then replays the log. */
export async function recordReplay(dir: string, bursts = 60): Promise<RecordReplayResult> {
  const samples = new Subject<Sample>();
  const server = await sampleServer(samples);
  const port = (server.address() as { port: number }).port;
  const storage = fsStorage(dir);
  const lr = hyperParam(0.05, { min: 0, max: 1 });
  const training = fit({
    model: sequential([dense(1, 1)]),
    loss: mse(),
    optimizer: sgd({ lr }),
    hyperParams: { lr },
    data: fromObservable(samples, { batchSize: 4, maxWaitMs: 10 }),
    rng: createRng(1),
    record: recordTo(storage, { name: 'run.jsonl', optimizer: { type: 'sgd', lr: 0.05 } }),
  }).start();
  const rng = createRng(2);
  for (let b = 0; b < bursts; b++) {
    if (b === Math.floor(bursts / 3)) training.set('lr', 0.2); // as a UI slider would
    if (b === Math.floor((2 * bursts) / 3)) training.set('lr', '0.01'); // from a query string
    const burst: Sample[] = [];
    for (let k = 0; k < 6; k++) {
      const x = rng.uniform(-1, 1);
      burst.push({ x: [x], y: [3 * x + 1 + 0.05 * rng.normal()] });
    }
    await post(port, burst);
  }
  samples.complete();
  const live = await training.done();
  await new Promise((resolve) => server.close(resolve));
  const replayed = await replay({ storage, name: 'run.jsonl' });
  return { steps: live.step, liveChecksum: paramsChecksum(live.params), replay: replayed, logBytes: statSync(join(dir, 'run.jsonl')).size };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'gradstream-record-'));
  try {
    const r = await recordReplay(dir);
    console.log(
      `live run:  ${r.steps} steps, fed over HTTP, lr changed twice; log ${r.logBytes} bytes (${(r.logBytes / (r.steps + 1)).toFixed(0)} per step)`,
    );
    console.log(
      `replay:    ${r.replay.stepsCompared} steps compared, ${r.replay.identical ? 'identical' : `differs at step ${r.replay.firstDifference!.step} (${r.replay.firstDifference!.quantity})`}`,
    );
    console.log(`weights:   live ${r.liveChecksum}, replayed ${r.replay.checksum}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
