/**
 * The replica loop run on this thread (so that coverage sees it), with the main thread's part of
 * the protocol played by a small plain-JavaScript worker, and — for two replicas — the other
 * replica in a real replica thread.
 */
import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { createParams, createRng, dense, GradstreamError, type Params, sequential } from '../../src/index.js';
import { readFailure } from '../../src/workers/failure.js';
import { Cmd, CONTROL_WORDS, Ctl, ERROR_BYTES, fixedLayout, type ReplicaInit } from '../../src/workers/protocol.js';
import { runReplica } from '../../src/workers/runReplica.js';
import { mlpBatch } from './fixtures/mlpBatch.js';
import { mlp, throwing } from './fixtures/replicas.js';

/** The main thread's side: waits for `workers` ready, runs one step per entry of `rows`, then STOP. */
const DRIVER = `
const { workerData: d } = require('node:worker_threads');
const c = new Int32Array(d.control);
const wait = (i, n) => { for (;;) { const v = Atomics.load(c, i); if (v >= n || Atomics.load(c, ${Ctl.FAILED}) === 2) return; Atomics.wait(c, i, v, 100); } };
wait(${Ctl.READY}, d.workers);
for (const rows of d.rows) {
  if (Atomics.load(c, ${Ctl.FAILED}) === 2) break;
  Atomics.store(c, ${Ctl.ROWS}, rows); Atomics.store(c, ${Ctl.YCOLS}, 1); Atomics.store(c, ${Ctl.BATCH_GEN}, 1);
  Atomics.store(c, ${Ctl.DONE}, 0); Atomics.store(c, ${Ctl.ARRIVE}, 0); Atomics.store(c, ${Ctl.CMD}, ${Cmd.STEP});
  Atomics.add(c, ${Ctl.SEQ}, 1); Atomics.notify(c, ${Ctl.SEQ});
  wait(${Ctl.DONE}, d.workers);
}
Atomics.store(c, ${Ctl.CMD}, ${Cmd.STOP}); Atomics.add(c, ${Ctl.SEQ}, 1); Atomics.notify(c, ${Ctl.SEQ});
`;

const threads: Worker[] = [];
afterEach(async () => {
  await Promise.all(threads.splice(0).map((t) => t.terminate()));
});

function setup(workers: number, rows: number) {
  const { model } = mlp();
  const size = model.layout.size;
  const control = new SharedArrayBuffer(CONTROL_WORDS * 4);
  const errors = new SharedArrayBuffer(ERROR_BYTES);
  const fl = fixedLayout(size, workers);
  const fixed = new SharedArrayBuffer(fl.length * 8);
  const params = model.init(createRng(4));
  new Float64Array(fixed).set(params.data, fl.params);
  const { bl, data, message } = mlpBatch(rows, 9);
  const spec = { kind: 'config', model: (model as ReturnType<typeof sequential>).toConfig(), loss: mlp().loss.toConfig!() } as const;
  const init = (index: number): ReplicaInit => ({ index, workers, spec, control, errors, fixed, size, inputs: 6, outputs: 3 });
  const grads = (): Params => createParams(model.layout, new Float64Array(fixed).slice(fl.grads, fl.grads + size));
  const reference = (n: number): Float64Array => {
    const m = mlp();
    const cache = m.model.createCache(n);
    const out = m.model.forward(params, data.subarray(bl.x, bl.x + n * 6), cache, { training: true });
    const d = new Float64Array(out.length);
    m.loss.grad(d, out, data.subarray(bl.y, bl.y + n), n, 3);
    const g = createParams(m.model.layout);
    m.model.backward(params, cache, d, g);
    return g.data;
  };
  const drive = (steps: number[]): void =>
    void threads.push(new Worker(DRIVER, { eval: true, workerData: { control, workers, rows: steps } }));
  return {
    model,
    init,
    message,
    grads,
    reference,
    drive,
    control,
    errors,
    out: () => Array.from(data.subarray(bl.out, bl.out + rows * 3)),
  };
}

describe('runReplica', () => {
  it('one replica: the whole batch, bit for bit, until STOP', async () => {
    const s = setup(1, 5);
    s.drive([5, 3]);
    const { model, loss } = mlp();
    await runReplica(s.init(0), model, loss, () => Promise.resolve(s.message));
    expect(Array.from(s.grads().data)).toEqual(Array.from(s.reference(3)));
    expect(Atomics.load(new Int32Array(s.control), Ctl.FAILED)).toBe(0);
  });

  it('two replicas (one on a replica thread): weighted shards summed in order, output rows in place', async () => {
    const s = setup(2, 7);
    s.drive([7]);
    // the built replica entry (dist/, built by the tests' global setup)
    const other = new Worker(new URL('../../dist/workers/nodeReplica.js', import.meta.url), { workerData: s.init(1), execArgv: [] });
    threads.push(other);
    other.postMessage(s.message);
    const { model, loss } = mlp();
    await runReplica(s.init(0), model, loss, () => Promise.resolve(s.message));
    const ref = s.reference(7);
    expect(readFailure(new Int32Array(s.control), new Uint8Array(s.errors))).toBeNull();
    const g = s.grads().data;
    for (let k = 0; k < ref.length; k++) expect(Math.abs(g[k]! - ref[k]!)).toBeLessThan(1e-15);
    expect(s.out()).toHaveLength(21);
  });

  it("publishes what the model throws, and a model that is not the main thread's", async () => {
    const s = setup(1, 4);
    s.drive([4]);
    const bad = throwing();
    const x0 = new Float64Array(s.message.buffer);
    x0[0] = 999;
    await runReplica(s.init(0), bad.model, bad.loss, () => Promise.resolve(s.message));
    const e = readFailure(new Int32Array(s.control), new Uint8Array(s.errors));
    expect(e?.message).toBe('replica exploded at x = 999');
    expect((e as { worker?: number }).worker).toBe(0);

    const t = setup(1, 4);
    const { loss } = mlp();
    await runReplica(t.init(0), sequential([dense(6, 3)]), loss, () => Promise.resolve(t.message));
    const e2 = readFailure(new Int32Array(t.control), new Uint8Array(t.errors));
    expect(e2).toBeInstanceOf(GradstreamError);
    expect(e2?.message).toBe(
      "workers[0].model: expected the main thread's model (83 parameters, 6 inputs, 3 outputs), received 21 parameters, 6 inputs, 3 outputs",
    );
  });
});
