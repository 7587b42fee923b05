import { describe, expect, it } from 'vitest';
import { readFailure } from '../../src/workers/failure.js';
import { CONTROL_WORDS, ERROR_BYTES, type ReplicaMessage } from '../../src/workers/protocol.js';
import { replicaInbox, runReplicaThread } from '../../src/workers/replicaThread.js';

const message = (gen: number): ReplicaMessage => ({
  type: 'state',
  gen,
  buffer: new SharedArrayBuffer(8),
  byteOffset: 0,
  arrays: 1,
  inMemory: false,
});

describe('replica thread', () => {
  it('hands the messages over in order, whether they arrive before or after they are asked for', async () => {
    const inbox = replicaInbox();
    inbox.push(message(1));
    inbox.push(message(2));
    expect((await inbox.next()).gen).toBe(1);
    expect((await inbox.next()).gen).toBe(2);
    const later = inbox.next();
    inbox.push(message(3));
    expect((await later).gen).toBe(3);
  });

  it('publishes a replica that cannot be built as the failure, with its index', async () => {
    const control = new SharedArrayBuffer(CONTROL_WORDS * 4);
    const errors = new SharedArrayBuffer(ERROR_BYTES);
    const init = {
      index: 1,
      workers: 2,
      spec: { kind: 'config' as const, model: { layers: [] }, loss: 'mse' },
      control,
      errors,
      fixed: new SharedArrayBuffer(8),
      size: 1,
      inputs: 1,
      outputs: 1,
    };
    await runReplicaThread(init, replicaInbox());
    const e = readFailure(new Int32Array(control), new Uint8Array(errors))!;
    expect(e.name).toBe('GradstreamError');
    expect(e.message).toBe('sequential(layers): expected at least one layer, received none');
    expect((e as { worker?: number }).worker).toBe(1);
  });
});
