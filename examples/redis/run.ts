/**
 * Distributed data-parallel training over Redis Streams, end to end on this machine: starts a
 * throw-away `redis-server`, the updater and two workers (`gradstream updater|worker CONFIG
 * --redis URL`), then a producer that streams 20,000 points of a hidden plane. The updater stops
 * once every good point is applied (redis.maxSamples); the learned weights are printed. The
 * updater serves the live dashboard of its rounds (`--serve PORT`; its URL is printed).
 *
 * Run: npx tsx examples/redis/run.ts [dashboard port, default 8080]
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gradstream, startRedisServer } from './cluster.js';
import { produce } from './producer.js';

const config = JSON.parse(readFileSync(fileURLToPath(new URL('./line.json', import.meta.url)), 'utf8')) as {
  redis: Record<string, unknown>;
};
const dir = mkdtempSync(join(tmpdir(), 'gradstream-redis-example-'));
const configPath = join(dir, 'line.json');
config.redis.maxSamples = 20_000 - 40; // 40 of the 20,000 entries are malformed (dead-lettered)
writeFileSync(configPath, JSON.stringify(config));

const redis = await startRedisServer();
console.log(`redis-server at ${redis.url}`);
const updater = gradstream('updater', ['updater', configPath, '--redis', redis.url, '--serve', process.argv[2] ?? '8080']);
const workers = ['w1', 'w2'].map((name) => gradstream(name, ['worker', configPath, '--redis', redis.url, '--consumer', name]));
await produce(redis.url, 'line:points', 20_000);
const code = await updater.exited;
for (const w of workers) w.process.kill('SIGTERM');
await Promise.all(workers.map((w) => w.exited));
const ckpt = JSON.parse(readFileSync(join(dir, 'line-updater.json'), 'utf8')) as {
  modelVersion: number;
  checkpoint: { params: Record<string, { data: number[] }> };
};
const [w0, w1] = ckpt.checkpoint.params['0.W']!.data as [number, number];
const b = ckpt.checkpoint.params['0.b']!.data[0]!;
const term = (v: number, name: string) => `${v < 0 ? '−' : '+'} ${Math.abs(v).toFixed(3)}${name}`;
console.log(
  `updater exited ${code}; version ${ckpt.modelVersion}: y = ${w0.toFixed(3)}·x₀ ${term(w1, '·x₁')} ${term(b, '')}   (hidden: y = 1.5·x₀ − 2·x₁ + 0.5)`,
);
redis.process.kill('SIGTERM');
