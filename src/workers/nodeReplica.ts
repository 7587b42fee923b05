// Entry of a replica thread under Node (started by the supervisor, ./nodeSupervisor.ts).
import { parentPort, workerData } from 'node:worker_threads';
import { buildReplica } from './buildReplica.js';
import { errorToData, writeFailure } from './failure.js';
import type { ReplicaMessage, ReplicaInit } from './protocol.js';
import { runReplica } from './runReplica.js';

const init = workerData as ReplicaInit;
const port = parentPort!;
const queue: ReplicaMessage[] = [];
let waiting: ((m: ReplicaMessage) => void) | null = null;
port.on('message', (m: ReplicaMessage) => {
  if (waiting !== null) {
    const w = waiting;
    waiting = null;
    w(m);
  } else queue.push(m);
});
const nextMessage = (): Promise<ReplicaMessage> =>
  queue.length > 0 ? Promise.resolve(queue.shift()!) : new Promise((resolve) => (waiting = resolve));

try {
  const { model, loss } = await buildReplica(init.spec);
  await runReplica(init, model, loss, nextMessage);
} catch (e: unknown) {
  writeFailure(new Int32Array(init.control), new Uint8Array(init.errors), errorToData(e, init.index));
}
port.close();
