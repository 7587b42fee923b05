// What a replica thread does on either platform (./nodeReplica.ts, ./webReplica.ts): keep the
// main thread's buffer messages until the step loop asks for them, build the replica, run it.
import { adoptKernelModules } from '../core/wasm/wasmKernels.js';
import { buildReplica } from './buildReplica.js';
import { errorToData, writeFailure } from './failure.js';
import type { ReplicaInit, ReplicaMessage } from './protocol.js';
import { runReplica } from './runReplica.js';

/** The messages a replica thread has received and not yet taken, in order. */
export interface ReplicaInbox {
  /** A message arrived (from the platform's message event). */
  push(message: ReplicaMessage): void;
  /** The next message: at once when one waits, else when it arrives. */
  next(): Promise<ReplicaMessage>;
}

/** Makes a {@link ReplicaInbox}. */
export function replicaInbox(): ReplicaInbox {
  const queue: ReplicaMessage[] = [];
  let waiting: ((m: ReplicaMessage) => void) | null = null;
  return {
    push(m) {
      if (waiting !== null) {
        const w = waiting;
        waiting = null;
        w(m);
      } else queue.push(m);
    },
    next: () => (queue.length > 0 ? Promise.resolve(queue.shift()!) : new Promise((resolve) => (waiting = resolve))),
  };
}

/**
 * Builds the replica of `init` and runs its step loop until the STOP command; a failure (building
 * or stepping) is published through the shared failure area, where the main thread reads it.
 */
export async function runReplicaThread(init: ReplicaInit, inbox: ReplicaInbox): Promise<void> {
  try {
    if (init.modules !== undefined) adoptKernelModules(init.modules);
    const { model, loss } = await buildReplica(init.spec);
    await runReplica(init, model, loss, inbox.next);
  } catch (e: unknown) {
    writeFailure(new Int32Array(init.control), new Uint8Array(init.errors), errorToData(e, init.index));
  }
}
