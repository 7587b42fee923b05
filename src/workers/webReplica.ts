// Entry of a replica thread in a browser (a module Web Worker started by ./webThreads.ts).
import type { ReplicaInit, ReplicaMessage } from './protocol.js';
import { replicaInbox, runReplicaThread } from './replicaThread.js';

interface WorkerScope {
  onmessage: ((event: { data: { type: 'init'; init: ReplicaInit } | ReplicaMessage }) => void) | null;
  close(): void;
}
const scope = globalThis as unknown as WorkerScope;
const inbox = replicaInbox();

scope.onmessage = (event) => {
  const m = event.data;
  if (m.type === 'init') void runReplicaThread(m.init, inbox).then(() => scope.close());
  else inbox.push(m);
};
