// Entry of a replica thread in a browser (a module Web Worker started by ./webThreads.ts).
import { buildReplica } from './buildReplica.js';
import { errorToData, writeFailure } from './failure.js';
import type { ReplicaMessage, ReplicaInit } from './protocol.js';
import { runReplica } from './runReplica.js';

interface WorkerScope {
  onmessage: ((event: { data: { type: 'init'; init: ReplicaInit } | ReplicaMessage }) => void) | null;
  close(): void;
}
const scope = globalThis as unknown as WorkerScope;
const queue: ReplicaMessage[] = [];
let waiting: ((m: ReplicaMessage) => void) | null = null;
const nextMessage = (): Promise<ReplicaMessage> =>
  queue.length > 0 ? Promise.resolve(queue.shift()!) : new Promise((resolve) => (waiting = resolve));

scope.onmessage = (event) => {
  const m = event.data;
  if (m.type === 'init') {
    void start(m.init);
  } else if (waiting !== null) {
    const w = waiting;
    waiting = null;
    w(m);
  } else queue.push(m);
};

async function start(init: ReplicaInit): Promise<void> {
  try {
    const { model, loss } = await buildReplica(init.spec);
    await runReplica(init, model, loss, nextMessage);
  } catch (e: unknown) {
    writeFailure(new Int32Array(init.control), new Uint8Array(init.errors), errorToData(e, init.index));
  }
  scope.close();
}
