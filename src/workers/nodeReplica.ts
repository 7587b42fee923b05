// Entry of a replica thread under Node (started by the supervisor, ./nodeSupervisor.ts).
import { parentPort, workerData } from 'node:worker_threads';
import type { ReplicaInit, ReplicaMessage } from './protocol.js';
import { replicaInbox, runReplicaThread } from './replicaThread.js';

const port = parentPort!;
const inbox = replicaInbox();
port.on('message', (m: ReplicaMessage) => inbox.push(m));
await runReplicaThread(workerData as ReplicaInit, inbox);
port.close();
