/**
 * Online learning from a Redis stream in one process (docs/redis.md, "In code"): batches read
 * through a consumer group, entries acknowledged once a checkpoint covers them, step records and
 * weights published to other streams. Needs a Redis server and a producer
 * (`npx tsx examples/redis/producer.ts redis://127.0.0.1:6379 points 20000` — 2 inputs).
 *
 * Run: npx tsx examples/redis/online.ts [redis://127.0.0.1:6379]
 */
import { pipe } from 'rxjs';
import { createClient } from 'redis';
import { dense, forward, gradient, loss, mse, sequential, sgd, train, update, createRng } from '../../src/index.js';
import { ackOnCheckpoint, checkpoint, fromRedisStream, toRedisStream } from '../../src/node.js';

const client = await createClient({ url: process.argv[2] ?? 'redis://127.0.0.1:6379' }).connect();
const model = sequential([dense(2, 1)]);
// online learning from a stream: batches of 16 entries read through the group "trainers"
const data = fromRedisStream(client, {
  stream: 'points',
  group: 'trainers',
  consumer: 'a',
  inputs: 2,
  outputs: 1,
  batchSize: 16,
  idleEndMs: 5000,
});
const ckpt = checkpoint({ path: 'online.json', every: 50 });
train({
  params: model.init(createRng(1)),
  data,
  pipeline: pipe(
    forward(model),
    loss(mse()),
    gradient(model, mse()),
    update(sgd({ lr: 0.1 })),
    ckpt,
    ackOnCheckpoint(data, ckpt.written$), // XACK once a checkpoint covers the step
    toRedisStream(client, { stream: 'points:steps', maxLen: 10_000, weightsEvery: 100 }),
  ),
}).subscribe({
  next: (r) => {
    if (r.step % 100 === 0 || r.stopReason !== undefined)
      console.log(`step ${r.step}  loss ${r.loss?.toPrecision(4)}${r.stopReason === undefined ? '' : `  (${r.stopReason})`}`);
  },
  complete: () => void client.close(),
});
