/**
 * A producer: adds points of a hidden plane y = 1.5·x₀ − 2·x₁ + 0.5 (plus a little noise) to a
 * Redis stream, as fields `x` and `y` (JSON), in bursts — the way an application would publish
 * events. Every 500th entry is malformed on purpose: it lands in `<stream>:dead` with the reason.
 *
 * Run: npx tsx examples/redis/producer.ts redis://127.0.0.1:6379 line:points 20000
 */
import { createClient } from 'redis';
import { createRng } from '../../src/index.js';

export async function produce(url: string, stream: string, count: number, burst = 1000): Promise<void> {
  const client = await createClient({ url }).connect();
  const rng = createRng(42);
  for (let start = 0; start < count; start += burst) {
    const writes: Promise<unknown>[] = [];
    for (let i = start; i < Math.min(count, start + burst); i++) {
      const x0 = rng.uniform(-1, 1);
      const x1 = rng.uniform(-1, 1);
      const y = 1.5 * x0 - 2 * x1 + 0.5 + 0.01 * rng.normal();
      const x = i % 500 === 499 ? '[1, "two"]' : JSON.stringify([x0, x1]);
      writes.push(client.xAdd(stream, '*', { n: String(i), x, y: JSON.stringify([y]) }));
    }
    await Promise.all(writes);
    await new Promise((r) => setTimeout(r, 50));
  }
  await client.close();
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [url = 'redis://127.0.0.1:6379', stream = 'line:points', count = '20000'] = process.argv.slice(2);
  await produce(url, stream, Number(count));
  console.log(`produced ${count} entries on ${stream}`);
}
