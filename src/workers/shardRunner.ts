import type { Loss } from '../core/loss.js';
import type { ForwardCache, Model } from '../core/model.js';
import { createParams, zerosLike, type Params } from '../core/params.js';
import { adamApply, adamApplyF32 } from '../core/optimizers/fused/adamApply.js';
import { sgdApply } from '../core/optimizers/fused/sgdApply.js';
import type { SharedKernels } from '../core/wasm/wasmKernels.js';
import { APPLY_SCALARS, batchLayout, fixedLayout, Kernel, padded, regionView, type ReplicaMessage, shardStart, Stat } from './protocol.js';

/** Views of one shard for one batch size. */
interface ShardViews {
  readonly rows: number;
  readonly x: Float64Array;
  readonly y: Float64Array;
  readonly out: Float64Array;
  readonly dPred: Float64Array;
  readonly cache: ForwardCache | null;
}

/**
 * One participant's share of a data-parallel step, on whichever thread runs it (replica `index`
 * of `workers`; the loop's thread is replica 0, the worker threads 1 … N − 1): the gradient of its
 * shard of the batch — rows `[⌊i·B/N⌋, ⌊(i+1)·B/N⌋)` — written to its gradient slot and output rows,
 * its slice of the fixed-order reduction, and the optimizer update of its slice of the weights.
 * It adds its timings into its stats area. The synchronisation between the steps (barrier,
 * counters) is its callers'.
 */
export class ShardRunner {
  /** This participant's timings ({@link Stat}, milliseconds summed over steps). */
  readonly stats: Float64Array;
  private readonly params: Params;
  private readonly grads: Params;
  private readonly slots: Float64Array[];
  private readonly mine: Params;
  /** This participant's slice of the reduction and of the update: elements `[k0, k1)`. */
  private readonly k0: number;
  private readonly k1: number;
  private readonly pSlice: Float64Array;
  private readonly gSlice: Float64Array;
  private readonly scalars: Float64Array;
  /** Byte offsets of this participant's slice of the gradient and of each slot (in the kernels' memory). */
  private readonly gAt: number;
  private readonly slotAt: readonly number[];
  private readonly mode = { training: true, rng: undefined, step: 0 };
  /** A float32 model: float32 weights, gradient, slots and optimizer state (the f32 update kernel). */
  private readonly f32: boolean;
  private stateSlices: Float64Array[] = [];
  /** Whether the weights, gradient and optimizer state are all in the kernels' memory (updates run in place). */
  private inPlace = false;
  private buffer: Float64Array = new Float64Array(0);
  private xOff = 0;
  private yOff = 0;
  private outOff = 0;
  private shards = new Map<number, ShardViews>();
  private readonly caches = new Map<number, ForwardCache>();
  /** Passes and budget of the next shard's warm-up ({@link warmFirstStep}); 0: none. */
  private warmPasses = 0;
  private warmMs = 0;
  /** Generations of the batch and optimizer-state buffers this participant has adopted. */
  gen = 0;
  stateGen = 0;

  constructor(
    readonly index: number,
    readonly workers: number,
    private readonly model: Model,
    private readonly lossFn: Loss,
    fixed: Float64Array,
    /** The kernels on the shared memory that holds `fixed`, or null. */
    private readonly kernels: SharedKernels | null = null,
  ) {
    const size = model.layout.size;
    const fl = fixedLayout(size, workers);
    // weights, gradient and slots in the model's precision (float32: the f32 kernels' arrays)
    const precision = model.precision;
    this.f32 = precision === 'float32';
    this.params = createParams(model.layout, regionView(fixed, fl.params, size, precision));
    this.grads = createParams(model.layout, regionView(fixed, fl.grads, size, precision));
    this.slots = fl.slots.map((o) => regionView(fixed, o, size, precision));
    this.stats = fixed.subarray(fl.stats + 8 * index, fl.stats + 8 * index + 8);
    this.mine = workers === 1 ? this.grads : createParams(model.layout, this.slots[index]!);
    // its slice of the parameters: the same split as the batch's rows into shards
    this.k0 = shardStart(index, workers, size);
    this.k1 = shardStart(index + 1, workers, size);
    this.pSlice = this.params.data.subarray(this.k0, this.k1);
    this.gSlice = this.grads.data.subarray(this.k0, this.k1);
    this.scalars = fixed.subarray(fl.scalars, fl.scalars + APPLY_SCALARS);
    this.gAt = this.gSlice.byteOffset;
    this.slotAt = this.slots.map((s) => s.byteOffset + this.k0 * s.BYTES_PER_ELEMENT);
  }

  /** Adopts new batch or optimizer-state buffers. */
  take(m: ReplicaMessage): void {
    if (m.type === 'state') {
      this.stateGen = m.gen;
      const size = this.model.layout.size;
      const stride = padded(size);
      this.inPlace = m.inMemory && this.kernels !== null;
      this.stateSlices = [];
      // each array in the model's precision from its float64-aligned start (as the weights' region)
      for (let a = 0; a < m.arrays; a++) {
        const array = regionView(new Float64Array(m.buffer, m.byteOffset + a * stride * 8, stride), 0, size, this.model.precision);
        this.stateSlices.push(array.subarray(this.k0, this.k1));
      }
      return;
    }
    this.gen = m.gen;
    this.buffer = new Float64Array(m.buffer);
    const bl = batchLayout(m.capacity, this.model.inputs, m.ycols, this.model.outputs);
    this.xOff = bl.x;
    this.yOff = bl.y;
    this.outOff = bl.out;
    this.shards = new Map();
  }

  /**
   * Forward, loss gradient and backward of this participant's shard of a `rows`-row batch (its
   * output rows into the batch buffer). Its inputs and targets are read from the batch buffer, or
   * from `x` and `y` when given (the loop's thread reads its rows where they are).
   */
  compute(rows: number, ycols: number, step: number, x?: Float64Array, y?: Float64Array): void {
    const v = this.shards.get(rows) ?? this.views(rows, ycols);
    const t0 = performance.now();
    if (v.cache !== null) {
      this.mode.step = step;
      this.pass(v, x ?? v.x, y ?? v.y);
      if (this.warmPasses > 1) this.warmUp(v, x ?? v.x, y ?? v.y, t0);
    } else {
      this.mine.data.fill(0); // more replicas than rows: an empty shard adds nothing
    }
    this.stats[Stat.COMPUTE] = this.stats[Stat.COMPUTE]! + (performance.now() - t0);
    this.stats[Stat.STEPS] = this.stats[Stat.STEPS]! + 1;
  }

  /**
   * Passes the next computed shard makes in all (at most), for at most `budgetMs` beyond its first
   * pass ({@link warmUp}); a new thread sets them before its first step.
   */
  warmFirstStep(passes: number, budgetMs: number): void {
    this.warmPasses = passes;
    this.warmMs = budgetMs;
    // and the update's claiming loop: it writes the values back, and the loop's thread writes
    // the weights only once every thread is ready (this runs before)
    for (let i = 0; i < CLAIM_WARM_CALLS; i++) claimLines(this.pSlice);
  }

  /** Forward, loss gradient and backward of one shard: writes its output rows, `dPred` and its gradient slot (the same values on every pass). */
  private pass(v: ShardViews, x: Float64Array, y: Float64Array): void {
    const out = this.model.forward(this.params, x, v.cache!, this.mode);
    v.out.set(out);
    this.lossFn.grad(v.dPred, out, y, v.rows, this.model.outputs);
    this.model.backward(this.params, v.cache!, v.dPred, this.mine);
  }

  /**
   * A new thread's first step repeats its shard's passes — on the step's own rows, with its own
   * shapes, each pass overwriting the same outputs with the same values — while another pass fits
   * in the budget, once. Its code (the loss gradient's and the model's, at the run's shapes) is then
   * compiled during this step instead of during the next ones: there the compiler's threads would
   * take a core from replicas that wait for each other at every step.
   */
  private warmUp(v: ShardViews, x: Float64Array, y: Float64Array, t0: number): void {
    const passes = this.warmPasses;
    const until = t0 + this.warmMs;
    this.warmPasses = 0;
    let last = performance.now();
    let took = last - t0;
    for (let i = 1; i < passes && last + took <= until; i++) {
      // the loss gradient is small beside the model's passes: without more calls it would still
      // be compiled during the next steps
      for (let j = 0; j < LOSS_WARM_CALLS; j++) this.lossFn.grad(v.dPred, v.out, y, v.rows, this.model.outputs);
      this.pass(v, x, y);
      const now = performance.now();
      took = now - last;
      last = now;
    }
  }

  /**
   * Sums this participant's slice of every slot into the gradient, in the fixed order
   * `g = ((w0·s0 + w1·s1) + w2·s2) + …`, `w_j = rows_j / rows` (a shard's mean gradient weighted by
   * its share of the batch). Every slot must be written (after the barrier). Float32 models: each
   * partial sum is computed in float64 and rounded to float32 when stored (the same on every run).
   */
  reduce(rows: number): void {
    const workers = this.workers;
    if (workers === 1) return;
    const t0 = performance.now();
    const g = this.grads.data;
    if (this.kernels !== null) this.reduceInPlace(rows);
    else {
      sumFirstTwo(g, this.slots[0]!, shardWeight(0, workers, rows), this.slots[1]!, shardWeight(1, workers, rows), this.k0, this.k1);
      for (let j = 2; j < workers; j++) addScaled(g, this.slots[j]!, shardWeight(j, workers, rows), this.k0, this.k1);
    }
    this.stats[Stat.REDUCE] = this.stats[Stat.REDUCE]! + (performance.now() - t0);
  }

  /** One optimizer kernel ({@link Kernel}) on this participant's slice of the weights, with the scalars of the APPLY command. */
  apply(kernel: number): void {
    const t0 = performance.now();
    if (kernel === Kernel.ADAM && this.inPlace) this.adamInPlace();
    else applySlice(kernel, this.f32, this.pSlice, this.gSlice, this.stateSlices, this.scalars);
    this.stats[Stat.APPLY] = this.stats[Stat.APPLY]! + (performance.now() - t0);
  }

  /** {@link reduce} by the kernels, in place in their memory (SIMD lanes, the same roundings; float32 arrays: the f32 kernels). */
  private reduceInPlace(rows: number): void {
    const n = this.k1 - this.k0;
    if (n === 0) return;
    const e = this.kernels!.exports;
    const sum2 = this.f32 ? e.sum2_32 : e.sum2_64;
    const addScaled = this.f32 ? e.addScaled32 : e.addScaled64;
    const workers = this.workers;
    const at = this.slotAt;
    sum2(this.gAt, at[0]!, shardWeight(0, workers, rows), at[1]!, shardWeight(1, workers, rows), n);
    for (let j = 2; j < workers; j++) addScaled(this.gAt, at[j]!, shardWeight(j, workers, rows), n);
  }

  /** Adam on this slice by the kernels, in place in their memory (no copies); float32: the f32x4 kernel, with `lr = −k`. */
  private adamInPlace(): void {
    const s = this.scalars;
    const p = this.pSlice;
    if (p.length === 0) return;
    claimLines(p);
    const e = this.kernels!.exports;
    (this.f32 ? e.adamApply32 : e.adamApply64)(
      p.byteOffset,
      this.gSlice.byteOffset,
      this.stateSlices[0]!.byteOffset,
      this.stateSlices[1]!.byteOffset,
      p.length,
      s[0]!,
      s[1]!,
      s[2]!,
      s[3]!,
      s[4]!,
      this.f32 ? -s[5]! : s[5]!,
    );
  }

  /** Adds a barrier wait to the stats. */
  waited(ms: number): void {
    this.stats[Stat.BARRIER] = this.stats[Stat.BARRIER]! + ms;
  }

  private views(rows: number, ycols: number): ShardViews {
    const { index, workers } = this;
    const inputs = this.model.inputs;
    const outputs = this.model.outputs;
    const lo = shardStart(index, workers, rows);
    const n = shardStart(index + 1, workers, rows) - lo;
    let cache: ForwardCache | null = null;
    if (n > 0) {
      cache = this.caches.get(n) ?? this.model.createCache(n);
      this.caches.set(n, cache);
    }
    const b = this.buffer;
    const v: ShardViews = {
      rows: n,
      x: b.subarray(this.xOff + lo * inputs, this.xOff + (lo + n) * inputs),
      y: b.subarray(this.yOff + lo * ycols, this.yOff + (lo + n) * ycols),
      out: b.subarray(this.outOff + lo * outputs, this.outOff + (lo + n) * outputs),
      dPred: zerosLike(this.params.data, n * outputs), // the output's precision, as `gradient`'s
      cache,
    };
    this.shards.set(rows, v);
    return v;
  }
}

/**
 * Stores every cache line of `a` back with its own value (every 8th float64), before an update
 * writes it. Every replica reads all the weights in its passes, so each line of a replica's slice
 * also sits in the other cores' caches, and the update's first write to it waits for the line to be
 * taken from them. Inside adam's loop, which is bound by its divisions, those waits come one after
 * another; in a loop of stores alone they overlap. Measured on W3 (a 50 885-weight slice per
 * replica): adam's slice took 0.75 ms instead of 0.17 in some runs (both replicas, the whole run —
 * the host's placement of the two cores, presumably; the same slice read first also took 0.75 ms);
 * with the lines claimed first, 0.26 ms in those runs (the claiming 0.08 of it) and 0.19 in the others.
 */
function claimLines(a: Float64Array): void {
  for (let i = 0; i < a.length; i += 8) a[i] = a[i]!;
}

/** Calls of {@link claimLines} on its slice before a new thread's first step. */
const CLAIM_WARM_CALLS = 8;

/** Extra loss-gradient calls per warm-up pass of a new thread's first step. */
const LOSS_WARM_CALLS = 16;

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

/**
 * One optimizer kernel ({@link Kernel}) on a slice: the arithmetic of the optimizer's one-pass form
 * (src/core/optimizers/fused), in float32 for a float32 model (`f32`) as its single-thread run.
 */
function applySlice(kernel: number, f32: boolean, p: Float64Array, g: Float64Array, state: readonly Float64Array[], s: Float64Array): void {
  if (kernel === Kernel.SGD) {
    sgdApply(p, g, s[0]!);
  } else if (kernel === Kernel.ADAM) {
    if (f32) adamApplyF32(p, g, state[0]!, state[1]!, s);
    else adamApply(p, g, state[0]!, state[1]!, s);
  } else {
    throw new Error(`gradstream: unknown optimizer kernel ${kernel}`);
  }
}
