import { GradstreamError } from '../core/errors.js';
import type { Loss } from '../core/loss.js';
import type { ForwardCache, Model } from '../core/model.js';
import { createParams, type Params } from '../core/params.js';
import { writeFailure, errorToData } from './failure.js';
import { adamApplyInPlace } from '../core/optimizers/scaleByAdam.js';
import { APPLY_SCALARS, batchLayout, Cmd, Ctl, fixedLayout, Kernel, padded, type ReplicaInit, type ReplicaMessage, shardStart, Stat } from './protocol.js';

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
 * On the APPLY command it applies the optimizer's update to its slice of the weights (the slice
 * it reduced), reading the optimizer state from shared memory: the update is elementwise, so the
 * result is the single-thread one bit for bit.
 *
 * `nextMessage` resolves with the next buffers message (awaited only after the main thread
 * announced new batch or optimizer-state buffers).
 */
export async function runReplica(init: ReplicaInit, model: Model, lossFn: Loss, nextMessage: () => Promise<ReplicaMessage>): Promise<void> {
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
    let stateGen = 0;
    // this replica's slices of the weights, the gradient and the optimizer state
    const pSlice = params.data.subarray(k0, k1);
    const gSlice = grads.data.subarray(k0, k1);
    let stateSlices: Float64Array[] = [];
    const scalars = fixed.subarray(fl.scalars, fl.scalars + APPLY_SCALARS);
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
      const cmd = Atomics.load(control, Ctl.CMD);
      if (cmd === Cmd.STOP) return;
      const wanted = Atomics.load(control, Ctl.BATCH_GEN);
      const wantedState = Atomics.load(control, Ctl.STATE_GEN);
      while (gen !== wanted || stateGen !== wantedState) {
        const m = await nextMessage();
        if (m.type === 'state') {
          stateGen = m.gen;
          const all = new Float64Array(m.buffer);
          const stride = padded(size);
          stateSlices = [];
          for (let a = 0; a < m.arrays; a++) stateSlices.push(all.subarray(a * stride + k0, a * stride + k1));
          continue;
        }
        gen = m.gen;
        buffer = new Float64Array(m.buffer);
        const bl = batchLayout(m.capacity, inputs, m.ycols, outputs);
        xOff = bl.x;
        yOff = bl.y;
        outOff = bl.out;
        shards = new Map();
      }
      if (cmd === Cmd.APPLY) {
        const ta = performance.now();
        applySlice(Atomics.load(control, Ctl.KERNEL), pSlice, gSlice, stateSlices, scalars);
        stats[Stat.APPLY] = stats[Stat.APPLY]! + (performance.now() - ta);
        if (Atomics.add(control, Ctl.DONE, 1) + 1 === workers) Atomics.notify(control, Ctl.DONE);
        continue;
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
        sumFirstTwo(grads.data, slots[0]!, shardWeight(0, workers, rows), slots[1]!, shardWeight(1, workers, rows), k0, k1);
        for (let j = 2; j < workers; j++) addScaled(grads.data, slots[j]!, shardWeight(j, workers, rows), k0, k1);
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

// The reduction's loops, kept as small functions of their arrays (monomorphic, and about twice
// as fast as the same loops inline with the slot arrays read from a list).

/** Shard `j`'s share of the batch's rows (its mean gradient's weight in the batch's mean). */
function shardWeight(j: number, workers: number, rows: number): number {
  return (shardStart(j + 1, workers, rows) - shardStart(j, workers, rows)) / rows;
}

/** `g[k] = w0·s0[k] + w1·s1[k]` for k in [k0, k1): the same roundings as `g = w0·s0`, then `g += w1·s1`. */
function sumFirstTwo(g: Float64Array, s0: Float64Array, w0: number, s1: Float64Array, w1: number, k0: number, k1: number): void {
  for (let k = k0; k < k1; k++) g[k] = w0 * s0[k]! + w1 * s1[k]!;
}

/** `g[k] = g[k] + w·s[k]` for k in [k0, k1). */
function addScaled(g: Float64Array, s: Float64Array, w: number, k0: number, k1: number): void {
  for (let k = k0; k < k1; k++) g[k] = g[k]! + w * s[k]!;
}

/** One optimizer kernel ({@link Kernel}) on a replica's slice: the same arithmetic as the optimizer's `fusedApply`. */
function applySlice(kernel: number, p: Float64Array, g: Float64Array, state: readonly Float64Array[], s: Float64Array): void {
  if (kernel === Kernel.SGD) {
    const k = s[0]!;
    for (let i = 0; i < p.length; i++) p[i]! += g[i]! * k;
  } else if (kernel === Kernel.ADAM) {
    adamApplyInPlace(p, g, state[0]!, state[1]!, s[0]!, s[1]!, s[2]!, s[3]!, s[4]!, s[5]!);
  } else {
    throw new Error(`gradstream: unknown optimizer kernel ${kernel}`);
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
