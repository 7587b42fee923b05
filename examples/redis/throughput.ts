/**
 * Throughput of distributed training over Redis with 1 and then 2 workers (separate processes):
 * the samples the updater applies per second while 10 % to 90 % of them are applied (process
 * start-up and the last partial rounds left out). The data is in the stream before the run
 * starts, so the producer is not measured.
 *
 * The machine's load changes the figures a lot: the runs alternate 1 and 2 workers `repeats`
 * times and the medians are printed.
 *
 * Run: npx tsx examples/redis/throughput.ts [samples=20000] [repeats=3] [inputs=64] [hidden=128] [batchSize=256]
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from 'redis';
import { createRng } from '../../src/index.js';
import { gradstream, startRedisServer } from './cluster.js';

const [samples = 20_000, repeats = 3, inputs = 64, hidden = 128, batchSize = 256] = process.argv.slice(2).map(Number);

async function measure(workers: number): Promise<{ seconds: number; applied: number; rounds: number }> {
  const redis = await startRedisServer();
  const client = await createClient({ url: redis.url }).connect();
  const rng = createRng(7);
  for (let start = 0; start < samples; start += 1000) {
    const writes: Promise<unknown>[] = [];
    for (let i = start; i < Math.min(samples, start + 1000); i++) {
      const x = Array.from({ length: inputs }, () => rng.uniform(-1, 1));
      writes.push(client.xAdd('bench:points', '*', { x: JSON.stringify(x), y: JSON.stringify([Math.sin(x[0]!) + x[1]! * x[2]!]) }));
    }
    await Promise.all(writes);
  }
  await client.close();
  const dir = mkdtempSync(join(tmpdir(), 'gradstream-throughput-'));
  const config = join(dir, 'bench.json');
  writeFileSync(
    config,
    JSON.stringify({
      model: { layers: [{ type: 'dense', inputs, units: hidden }, { type: 'relu' }, { type: 'dense', units: 1 }] },
      loss: 'mse',
      optimizer: { type: 'adam', lr: 0.001 },
      redis: {
        stream: 'bench:points',
        group: 'g',
        prefix: 'bench',
        batchSize,
        workers,
        roundTimeoutMs: 5000,
        maxSamples: samples,
        checkpoint: 'updater.json',
      },
    }),
  );
  let from = { t: 0, samples: 0 };
  let to = { t: 0, samples: 0 };
  let rounds = 0;
  const updater = gradstream('updater', ['updater', config, '--redis', redis.url, '--json'], (line) => {
    const r = JSON.parse(line) as { type: string; samples: number };
    if (r.type !== 'round') return;
    rounds += 1;
    if (from.t === 0 && r.samples >= 0.1 * samples) from = { t: performance.now(), samples: r.samples };
    if (to.t === 0 && r.samples >= 0.9 * samples) to = { t: performance.now(), samples: r.samples };
  });
  const ws = Array.from({ length: workers }, (_, k) =>
    gradstream(`w${k}`, ['worker', config, '--redis', redis.url, '--consumer', `w${k}`]),
  );
  await updater.exited;
  for (const w of ws) w.process.kill('SIGTERM');
  await Promise.all(ws.map((w) => w.exited));
  redis.process.kill('SIGTERM');
  return { seconds: (to.t - from.t) / 1000, applied: to.samples - from.samples, rounds };
}

console.log(`${samples} samples, model ${inputs} → ${hidden} relu → 1, ${batchSize} samples per contribution`);
const rates: Record<number, number[]> = { 1: [], 2: [] };
for (let k = 0; k < repeats; k++) {
  for (const workers of [1, 2]) {
    const { seconds, applied, rounds } = await measure(workers);
    rates[workers]!.push(applied / seconds);
    console.log(
      `${workers} worker${workers > 1 ? 's' : ' '}: ${rounds} rounds; ${applied} samples in ${seconds.toFixed(2)} s → ${Math.round(applied / seconds)} samples/s`,
    );
  }
}
const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]!;
console.log(
  `median: 1 worker ${Math.round(median(rates[1]!))} samples/s, 2 workers ${Math.round(median(rates[2]!))} samples/s (×${(median(rates[2]!) / median(rates[1]!)).toFixed(2)})`,
);
