import { GradstreamError } from '../core/errors.js';
import type { Loss } from '../core/loss.js';
import type { ForwardCache, Model } from '../core/model.js';
import { createParams, type Params } from '../core/params.js';
import { writeFailure, errorToData } from './failure.js';
import { type BatchBuffersMessage, batchLayout, Cmd, Ctl, fixedLayout, type ReplicaInit, shardStart, Stat } from './protocol.js';

/** Views of one shard for one batch size. */
interface ShardViews {
  readonly lo: number;
  readonly rows: number;
  readonly x: Float64Array;
  readonly y: Float64Array;
  readonly out: Float64Array;
  readonly dPred: Float64Array;
  readonly cache: ForwardCache | null;
}

/**
 * The step loop of one replica thread (Node worker or Web Worker): announces itself ready, then
 * blocks on the `SEQ` control word and, per step, computes the gradient of its shard of the batch
 * — rows `[⌊i·B/N⌋, ⌊(i+1)·B/N⌋)` — weighted by its share of the rows, writes its output rows, meets
 * the other replicas at a barrier and sums its slice of the gradient slots in replica order
 * (0, 1, …, N − 1) into the shared gradient. Returns on the STOP command; a thrown error is
 * published through the failure area and ends the loop.
 *
 * `nextMessage` resolves with the next batch-buffers message (awaited only after the main thread
 * announced new buffers).
 */
export async function runReplica(init: ReplicaInit, model: Model, lossFn: Loss, nextMessage: () => Promise<BatchBuffersMessage>): Promise<void> {
  const control = new Int32Array(init.control);
  const errors = new Uint8Array(init.errors);
  try {
    checkReplica(init, model);
    const { index, workers } = init;
    const size = init.size;
    const inputs = init.inputs;
    const outputs = init.outputs;
    const fl = fixedLayout(size, workers);
    const fixed = new Float64Array(init.fixed);
    const params = createParams(model.layout, fixed.subarray(fl.params, fl.params + size));
    const grads = createParams(model.layout, fixed.subarray(fl.grads, fl.grads + size));
    const slots: Float64Array[] = fl.slots.map((o) => fixed.subarray(o, o + size));
    const stats = fixed.subarray(fl.stats + 8 * index, fl.stats + 8 * index + 8);
    const mine: Params = workers === 1 ? grads : createParams(model.layout, slots[index]!);
    // this replica's slice of the reduction
    const k0 = Math.floor((index * size) / workers);
    const k1 = Math.floor(((index + 1) * size) / workers);

    const mode = { training: true, rng: undefined, step: 0 };
    let gen = 0;
    let buffer: Float64Array = new Float64Array(0);
    let xOff = 0;
    let yOff = 0;
    let outOff = 0;
    let shards = new Map<number, ShardViews>();
    const caches = new Map<number, ForwardCache>();
    const viewsFor = (rows: number, ycols: number): ShardViews => {
      let v = shards.get(rows);
      if (v === undefined) {
        const lo = shardStart(index, workers, rows);
        const n = shardStart(index + 1, workers, rows) - lo;
        let cache: ForwardCache | null = null;
        if (n > 0) {
          cache = caches.get(n) ?? model.createCache(n);
          caches.set(n, cache);
        }
        v = {
          lo,
          rows: n,
          x: buffer.subarray(xOff + lo * inputs, xOff + (lo + n) * inputs),
          y: buffer.subarray(yOff + lo * ycols, yOff + (lo + n) * ycols),
          out: buffer.subarray(outOff + lo * outputs, outOff + (lo + n) * outputs),
          dPred: new Float64Array(n * outputs),
          cache,
        };
        shards.set(rows, v);
      }
      return v;
    };

    // read before announcing readiness: the main thread starts the first step once all are ready
    let seq = Atomics.load(control, Ctl.SEQ);
    Atomics.add(control, Ctl.READY, 1);
    Atomics.notify(control, Ctl.READY);
    for (;;) {
      while (Atomics.load(control, Ctl.SEQ) === seq) Atomics.wait(control, Ctl.SEQ, seq);
      seq = Atomics.load(control, Ctl.SEQ);
      if (Atomics.load(control, Ctl.CMD) === Cmd.STOP) return;
      const wanted = Atomics.load(control, Ctl.BATCH_GEN);
      while (gen !== wanted) {
        const m = await nextMessage();
        gen = m.gen;
        buffer = new Float64Array(m.buffer);
        const bl = batchLayout(m.capacity, inputs, m.ycols, outputs);
        xOff = bl.x;
        yOff = bl.y;
        outOff = bl.out;
        shards = new Map();
      }
      const rows = Atomics.load(control, Ctl.ROWS);
      const ycols = Atomics.load(control, Ctl.YCOLS);
      const v = viewsFor(rows, ycols);
      const t0 = performance.now();

      if (v.cache !== null) {
        mode.step = Atomics.load(control, Ctl.STEP);
        const out = model.forward(params, v.x, v.cache, mode);
        v.out.set(out);
        const dPred = v.dPred;
        lossFn.grad(dPred, out, v.y, v.rows, outputs);
        model.backward(params, v.cache, dPred, mine);
      } else {
        mine.data.fill(0); // more replicas than rows: an empty shard adds nothing
      }

      const t1 = performance.now();
      let t2 = t1;
      if (workers > 1) {
        // barrier: every slot is written before anyone sums
        const arrived = Atomics.add(control, Ctl.ARRIVE, 1) + 1;
        if (arrived === workers) Atomics.notify(control, Ctl.ARRIVE);
        else {
          let a = arrived;
          while (a < workers && Atomics.load(control, Ctl.FAILED) === 0) {
            Atomics.wait(control, Ctl.ARRIVE, a);
            a = Atomics.load(control, Ctl.ARRIVE);
          }
          if (a < workers) return; // another replica failed; the main thread reports it
        }
        t2 = performance.now();
        // fixed order: g = ((w0·s0 + w1·s1) + w2·s2) + … for every element of this replica's
        // slice, w_j = rows_j / rows (a shard's mean gradient weighted by its share of the batch)
        const g = grads.data;
        let s = slots[0]!;
        let w = (shardStart(1, workers, rows) - shardStart(0, workers, rows)) / rows;
        for (let k = k0; k < k1; k++) g[k] = w * s[k]!;
        for (let j = 1; j < workers; j++) {
          s = slots[j]!;
          w = (shardStart(j + 1, workers, rows) - shardStart(j, workers, rows)) / rows;
          for (let k = k0; k < k1; k++) g[k] = g[k]! + w * s[k]!;
        }
      }
      stats[Stat.COMPUTE] = stats[Stat.COMPUTE]! + (t1 - t0);
      stats[Stat.BARRIER] = stats[Stat.BARRIER]! + (t2 - t1);
      stats[Stat.REDUCE] = stats[Stat.REDUCE]! + (performance.now() - t2);
      stats[Stat.STEPS] = stats[Stat.STEPS]! + 1;
      if (Atomics.add(control, Ctl.DONE, 1) + 1 === workers) Atomics.notify(control, Ctl.DONE);
    }
  } catch (e: unknown) {
    writeFailure(control, errors, errorToData(e, init.index));
  }
}

/** The replica's model must be the main thread's: same parameter count, inputs and outputs. */
function checkReplica(init: ReplicaInit, model: Model): void {
  checkShardable(model, `workers[${init.index}].model`);
  const mine = `${model.layout.size} parameters, ${model.inputs} inputs, ${model.outputs} outputs`;
  const theirs = `${init.size} parameters, ${init.inputs} inputs, ${init.outputs} outputs`;
  if (mine !== theirs) {
    throw new GradstreamError({ code: 'invalid_config', path: `workers[${init.index}].model`, expected: `the main thread's model (${theirs})`, received: mine });
  }
}

/**
 * Layers whose training pass couples the rows of a batch or needs the run's generator cannot be
 * split into shards yet: batch normalization (statistics of the whole batch, moving statistics
 * written into the weights) and dropout (masks drawn from the main thread's generator).
 */
export function checkShardable(model: Model, path: string): void {
  const layers = (model as { layers?: readonly { kind: string }[] }).layers ?? [];
  for (let i = 0; i < layers.length; i++) {
    const kind = layers[i]!.kind;
    if (kind === 'dropout' || kind === 'batchNorm') {
      throw new GradstreamError({ code: 'invalid_config', path: `${path}.layers[${i}]`, expected: 'layers that treat rows independently (no dropout or batchNorm with workers)', received: kind });
    }
  }
}
