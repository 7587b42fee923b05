import { describeTyped, GradstreamError } from '../core/errors.js';
import type { Loss } from '../core/loss.js';
import type { Model } from '../core/model.js';
import type { OptState } from '../core/optimizer.js';
import type { SliceKernel } from '../core/optimizers/fused/sliceKernel.js';
import { createParams, type Params } from '../core/params.js';
import type { Batch } from '../streams/stepRecord.js';
import { errorToData, readFailure, writeFailure } from './failure.js';
import { IN_MEMORY_STATE_ARRAYS, poolMemory, type PoolMemory } from './poolMemory.js';
import {
  APPLY_SCALARS,
  batchLayout,
  type BatchLayout,
  type BatchBuffersMessage,
  Cmd,
  Ctl,
  Kernel,
  regionView,
  type ReplicaSpec,
  shardStart,
  Stat,
  type StateBuffersMessage,
} from './protocol.js';
import type { ReplicaThreads, StartThreads, ThreadHooks } from './replicaThreads.js';
import { finishPart, runPart, startPart } from './runReplica.js';
import { ShardRunner } from './shardRunner.js';
import { kernelModules } from '../core/wasm/wasmKernels.js';
import { MAX_WORKERS } from '../core/maxWorkers.js';
import { reachedWithin, SPIN_MS, waitAsync, waitAtLeast, waitAtLeastAsync } from './spinWait.js';
import { StallWatch } from './stallWatch.js';
import { availableCores } from './threadSupport.js';

/**
 * Fewest parameters for which `apply` runs the optimizer on the replicas: Adam costs about 4 ns
 * per parameter on one thread, a round trip to the threads tens of microseconds.
 */
export const PARALLEL_APPLY_MIN = 16_384;

/** Options of {@link startReplicaPool}. */
export interface ReplicaPoolOptions {
  readonly workers: number;
  readonly spec: ReplicaSpec;
  /** The main thread's model (replica 0, computed on the loop's thread; the threads' replicas must match it). */
  readonly model: Model;
  /** The main thread's loss (replica 0's). */
  readonly loss: Loss;
  readonly start: StartThreads;
  /** How long the first step waits for the replicas to load (default 60 000 ms). */
  readonly startTimeoutMs?: number;
  /**
   * How long a step (or an optimizer update on the replicas) may go without any replica making
   * progress before it fails with a `GradstreamError` naming the replica that stalled (default
   * 30 000 ms). Longer than the slowest shard of a batch.
   */
  readonly stallTimeoutMs?: number;
  readonly hooks?: ThreadHooks;
}

/** Timings of a pool since it started (milliseconds, summed over steps). */
export interface ReplicaPoolStats {
  readonly steps: number;
  /** Main thread: copying weights and batch into shared memory. */
  readonly copyMs: number;
  /** Main thread: from starting a step to every replica done (its own shard, barrier, reduction, waiting for the threads). */
  readonly waitMs: number;
  /** Per replica: forward + loss gradient + backward of its shard. */
  readonly computeMs: readonly number[];
  /** Per replica: waiting at the barrier for the other replicas' shards. */
  readonly barrierMs: readonly number[];
  /** Per replica: summing its slice of the gradient slots. */
  readonly reduceMs: readonly number[];
  /** Main thread: from starting an optimizer update to every replica done. */
  readonly applyWaitMs: number;
  /** Per replica: applying the optimizer update to its slice. */
  readonly applyMs: readonly number[];
}

/** The main thread's handle on the replica threads of one run. */
export interface ReplicaPool {
  /**
   * One data-parallel step on `params` and `batch` (`step`: the record's, for the forward mode),
   * blocking the thread until every replica is done (at most `stallTimeoutMs` without progress):
   * returns the batch's output (a view of shared memory, valid until the next step); the gradient
   * is in {@link ReplicaPool.grads}. Throws the first replica failure, or the stall error.
   */
  step(params: Params, batch: Batch, step: number): Float64Array;
  /**
   * The same step without blocking beyond a short wait: returns the output when every replica is
   * done within a few milliseconds, else a promise of it while the thread returns to its event
   * loop (timers, I/O, signals are served) — an operator then holds its record until it settles.
   * Throws (or rejects with) the first replica failure, or the stall error. No other command may
   * start before it settles.
   */
  run(params: Params, batch: Batch, step: number): Float64Array | Promise<Float64Array>;
  /** The reduced gradient (shared memory, rewritten every step). */
  readonly grads: Params;
  /**
   * The weights in shared memory, which the replicas read. `step` copies other params into them;
   * a record whose `params` are these (the `gradient` operator puts them on the record) is not copied.
   */
  readonly params: Params;
  /**
   * Applies an optimizer update with the replicas, each on its slice of the weights (blocks until
   * done): `grads` and `params` must be the pool's shared ones. The state's buffers move into
   * shared memory on the first call (the state object then holds views of it). Returns false,
   * having changed nothing, when it cannot run (other buffers, or the kernel declines).
   */
  apply(kernel: SliceKernel, grads: Float64Array, state: OptState, params: Params): boolean;
  /** True once every replica is ready (at once without threads): else the first step waits for {@link whenReady}. */
  canStep(): boolean;
  /** Resolves once every replica is ready (polls; rejects with a failure or the start timeout). */
  whenReady(): Promise<void>;
  /** Ends replica `index` abruptly (tests). */
  kill(index: number): void;
  stats(): ReplicaPoolStats;
  /** Stops and ends every thread; idempotent. */
  close(): void;
}

/**
 * Starts a data-parallel pool of `workers` replicas for one run and returns the handle that drives
 * them through shared memory: replica 0 is computed on the calling (loop's) thread itself — as rank
 * 0 in PyTorch's DistributedDataParallel — and replicas 1 … N − 1 on `workers − 1` threads, so N
 * shards keep N threads busy (none when `workers` is 1). Threads load asynchronously; the first
 * step waits for them. No wait of the calling thread is unbounded: a replica that makes no
 * progress for `stallTimeoutMs` fails the step with an error naming it, and `run` leaves the
 * thread to its event loop while it waits longer than a few milliseconds.
 *
 * Throws a `GradstreamError` when `workers` is not an integer from 1 to 64 (`MAX_WORKERS`) or
 * `stallTimeoutMs` is not a positive number.
 */
export function startReplicaPool(options: ReplicaPoolOptions): ReplicaPool {
  checkPoolOptions(options);
  return new Pool(options);
}

/** Views of a batch: replica 0's rows (read where they are) and the rest (copied for the threads). */
interface RowsView {
  x: Float64Array;
  y: Float64Array;
  rows: number;
  x0: Float64Array;
  y0: Float64Array;
  xRest: Float64Array;
  yRest: Float64Array;
  /** The first row of replica 1. */
  rest: number;
}

/** The pool of {@link startReplicaPool}. */
class Pool implements ReplicaPool {
  readonly grads: Params;
  readonly params: Params;
  private readonly workers: number;
  private readonly others: number;
  private readonly size: number;
  private readonly inputs: number;
  private readonly outputs: number;
  private readonly mem: PoolMemory;
  private readonly control: Int32Array;
  private readonly spinMs: number;
  private readonly threads: ReplicaThreads;
  /** Replica 0, on this thread. */
  private readonly runner: ShardRunner;
  private readonly startTimeoutMs: number;
  private readonly deadline: number;
  private readonly heartbeatTimeoutMs: number;
  private readonly parallelApplyMin: number;
  private readonly watch: StallWatch;
  private readonly scalars: Float64Array;
  /** The model's precision: of the weights, gradient and optimizer state in shared memory. */
  private readonly precision: 'float64' | 'float32';
  // With threads, the first step waits for them asynchronously (`canStep`, `whenReady`), on either
  // platform: Web Workers load through this thread's event loop, and under Node the loop's thread
  // then finishes the garbage collection the run's first allocations start (V8 finalizes its
  // marking in a task) while they load, instead of during the steps.
  private ready: boolean;
  private closed = false;
  /** A step is waiting asynchronously (`run`): no other command may start. */
  private busy = false;
  private gen = 0;
  private bl: BatchLayout | null = null;
  private batchData: Float64Array = new Float64Array(0);
  private outViews = new Map<number, Float64Array>();
  // Views of the batch, kept while the batch's arrays and size stay the same (the readers reuse theirs).
  private readonly rowsView: RowsView = { x: NONE, y: NONE, rows: -1, x0: NONE, y0: NONE, xRest: NONE, yRest: NONE, rest: 0 };
  // the optimizer state in shared memory (made on the first apply)
  private stateGen = 0;
  private stateViews: Float64Array[] = [];
  private beat = 0;
  private beatAt = 0;
  // timings (milliseconds): the current step's start and the end of its copies, and the sums
  private stepT0 = 0;
  private stepT1 = 0;
  private copyMs = 0;
  private waitMs = 0;
  private applyWaitMs = 0;
  private steps = 0;

  constructor(options: ReplicaPoolOptions) {
    const { workers, model } = options;
    this.workers = workers;
    this.others = workers - 1;
    this.size = model.layout.size;
    this.inputs = model.inputs;
    this.outputs = model.outputs;
    this.precision = model.precision ?? 'float64';
    // (float32 models too: their weights, gradient, slots and optimizer state are float32 arrays there)
    const mem = poolMemory(this.size, workers, options.hooks?.kernelsMemory !== false);
    this.mem = mem;
    this.control = mem.control;
    const fl = mem.fl;
    this.params = createParams(model.layout, regionView(mem.fixed, fl.params, this.size, model.precision));
    this.grads = createParams(model.layout, regionView(mem.fixed, fl.grads, this.size, model.precision));
    this.scalars = mem.fixed.subarray(fl.scalars, fl.scalars + APPLY_SCALARS);
    // spinning before sleeping pays only while every replica has a core of its own
    const spin = workers <= (options.hooks?.cores ?? availableCores());
    this.spinMs = spin ? SPIN_MS : 0;
    const init = {
      spin,
      workers,
      spec: options.spec,
      control: mem.controlBuffer,
      errors: mem.errorBuffer,
      fixed: mem.fixedBuffer,
      fixedOffset: mem.fixedOffset,
      ...(mem.inMemory ? { memory: mem.memory! } : {}),
      modules: kernelModules(),
      size: this.size,
      inputs: this.inputs,
      outputs: this.outputs,
      precision: model.precision ?? 'float64',
    };
    this.threads = workers === 1 ? NO_THREADS : options.start(init, options.hooks);
    this.runner = new ShardRunner(0, workers, model, options.loss, mem.fixed, mem.inMemory ? mem.kernels : null);
    this.ready = this.others === 0;
    this.startTimeoutMs = options.startTimeoutMs ?? 60_000;
    this.deadline = performance.now() + this.startTimeoutMs;
    // the supervisor's heartbeat, checked only when a wait sleeps
    this.heartbeatTimeoutMs = options.hooks?.heartbeatTimeoutMs ?? 5000;
    // Below this many parameters the update costs less than waking the threads (a round trip,
    // tens of microseconds): it stays on the loop's thread.
    this.parallelApplyMin = options.hooks?.parallelApplyMin ?? PARALLEL_APPLY_MIN;
    this.watch = new StallWatch(this.control, workers, options.stallTimeoutMs ?? 30_000);
  }

  step(params: Params, batch: Batch, step: number): Float64Array {
    if (this.closed) throw closedError();
    if (!this.ready) this.waitReady();
    this.prepareStep(params, batch, step);
    this.runCommand(Cmd.STEP);
    return this.endStep();
  }

  run(params: Params, batch: Batch, step: number): Float64Array | Promise<Float64Array> {
    if (this.closed) throw closedError();
    if (!this.ready) this.waitReady();
    this.prepareStep(params, batch, step);
    return this.runStepCommand();
  }

  apply(kernel: SliceKernel, g: Float64Array, state: OptState, params: Params): boolean {
    if (
      this.closed ||
      this.busy ||
      !this.ready ||
      this.size < this.parallelApplyMin ||
      g !== this.grads.data ||
      params.data !== this.params.data
    )
      return false;
    if (!this.adoptState(kernel, state)) return false;
    if (!kernel.begin(state, params, this.scalars)) return false;
    const t0 = performance.now();
    Atomics.store(this.control, Ctl.KERNEL, kernel.kernel === 'adam' ? Kernel.ADAM : Kernel.SGD);
    Atomics.store(this.control, Ctl.DONE, 0);
    Atomics.store(this.control, Ctl.CMD, Cmd.APPLY);
    this.runCommand(Cmd.APPLY);
    this.applyWaitMs += performance.now() - t0;
    return true;
  }

  canStep(): boolean {
    return this.ready;
  }

  whenReady(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      // a pending asynchronous wait does not keep Node's event loop alive (the threads are
      // unref'd): a timer does, until the wait ends
      const alive = setInterval(() => undefined, 1000);
      const poll = (): void => {
        try {
          if (this.closed) throw closedError();
          if (this.checkReady()) {
            clearInterval(alive);
            resolve();
            return;
          }
          // woken by the next replica's READY (or a failure) where the platform waits
          // asynchronously, checking the start timeout at least every 50 ms; else polled
          const wait = waitAsync?.(this.control, Ctl.READY, Atomics.load(this.control, Ctl.READY), 50);
          if (wait !== undefined && typeof wait.value !== 'string') void wait.value.then(poll);
          else setTimeout(poll, wait === undefined ? 5 : 0);
        } catch (e: unknown) {
          clearInterval(alive);
          reject(e);
        }
      };
      poll();
    });
  }

  kill(index: number): void {
    this.threads.kill(index);
  }

  stats(): ReplicaPoolStats {
    const { fixed, fl } = this.mem;
    const computeMs: number[] = [];
    const barrierMs: number[] = [];
    const reduceMs: number[] = [];
    const applyMs: number[] = [];
    for (let i = 0; i < this.workers; i++) {
      barrierMs.push(fixed[fl.stats + 8 * i + Stat.BARRIER]!);
      computeMs.push(fixed[fl.stats + 8 * i + Stat.COMPUTE]!);
      reduceMs.push(fixed[fl.stats + 8 * i + Stat.REDUCE]!);
      applyMs.push(fixed[fl.stats + 8 * i + Stat.APPLY]!);
    }
    return {
      steps: this.steps,
      copyMs: this.copyMs,
      waitMs: this.waitMs,
      computeMs,
      barrierMs,
      reduceMs,
      applyWaitMs: this.applyWaitMs,
      applyMs,
    };
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    const c = this.control;
    Atomics.store(c, Ctl.CMD, Cmd.STOP);
    Atomics.add(c, Ctl.SEQ, 1);
    Atomics.notify(c, Ctl.SEQ);
    // a step waiting asynchronously (`run`) wakes, sees the pool closed and settles
    Atomics.notify(c, Ctl.ARRIVE);
    Atomics.notify(c, Ctl.DONE);
    this.threads.terminate();
  }

  /** Throws the published failure. */
  private readonly fail = (): never => {
    throw readFailure(this.control, this.mem.errors) ?? new Error('gradstream: a worker failed');
  };

  /** Publishes this thread's failure (or a stall) to the threads, so that none waits for it, and throws it. */
  private readonly publish = (e: unknown): never => {
    this.busy = false;
    if (!this.closed) writeFailure(this.control, this.mem.errors, errorToData(e, (e as { worker?: number }).worker ?? 0));
    throw e;
  };

  /**
   * While the replicas start, a supervisor that has not beaten yet may still be loading (the start
   * timeout covers it); once they are ready it has beaten at least once (it beats before starting
   * them), so from then on a count that stops moving — even at 0 — means it is gone.
   */
  private checkHeartbeat(): void {
    if (!this.threads.heartbeat) return;
    const b = Atomics.load(this.control, Ctl.HEARTBEAT);
    const now = performance.now();
    if (b !== this.beat || this.beatAt === 0) {
      this.beat = b;
      this.beatAt = now;
    } else if ((b > 0 || this.ready) && now - this.beatAt > this.heartbeatTimeoutMs) {
      throw new Error(`gradstream: the worker threads stopped responding (no heartbeat for ${this.heartbeatTimeoutMs} ms; terminated?)`);
    }
  }

  /** Called while a command's wait sleeps: gives up on a failure, a dead supervisor, a stalled replica, a closed pool. */
  private readonly check = (): void => {
    if (this.closed) throw closedError();
    if (Atomics.load(this.control, Ctl.FAILED) !== 0) this.fail();
    this.checkHeartbeat();
    this.watch.check();
  };

  /** True once all replicas are ready; throws a failure or the start timeout. */
  private checkReady(): boolean {
    const c = this.control;
    if (Atomics.load(c, Ctl.FAILED) === 2) this.fail();
    const n = Atomics.load(c, Ctl.READY);
    if (n >= this.others) {
      this.ready = true;
      return true;
    }
    if (performance.now() >= this.deadline) {
      const others = this.others;
      throw new GradstreamError({
        code: 'invalid_state',
        path: 'workers',
        expected: `${others} worker thread${others === 1 ? '' : 's'} ready within ${this.startTimeoutMs} ms`,
        received: `${n} ready (${Atomics.load(c, Ctl.ALIVE)} started)`,
      });
    }
    return false;
  }

  /** Blocks until the replicas are ready, at most until the start timeout. */
  private waitReady(): void {
    while (!this.checkReady()) {
      const n = Atomics.load(this.control, Ctl.READY);
      if (Atomics.wait(this.control, Ctl.READY, n, Math.max(1, Math.min(this.deadline - performance.now(), SLICE_MS))) === 'timed-out')
        this.checkHeartbeat();
    }
  }

  /** New batch buffers when the batch outgrows them (or its targets change width). */
  private fit(rows: number, ycols: number): void {
    const bl = this.bl;
    if (bl !== null && rows <= bl.capacity && ycols === bl.ycols) return;
    const capacity = Math.max(rows, bl?.capacity ?? 0);
    this.bl = batchLayout(capacity, this.inputs, ycols, this.outputs);
    const buffer = new SharedArrayBuffer(this.bl.length * 8);
    this.batchData = new Float64Array(buffer);
    this.outViews = new Map();
    this.gen += 1;
    const message: BatchBuffersMessage = { type: 'batch', gen: this.gen, buffer, capacity, ycols };
    this.runner.take(message);
    this.threads.post(message);
    Atomics.store(this.control, Ctl.BATCH_GEN, this.gen);
  }

  /** Replica 0's rows and the rest of `batch`, as views. */
  private viewRows(batch: Batch, rows: number, ycols: number): void {
    const v = this.rowsView;
    if (batch.x === v.x && batch.y === v.y && rows === v.rows) return;
    const lo1 = shardStart(1, this.workers, rows);
    const inputs = this.inputs;
    v.x = batch.x;
    v.y = batch.y;
    v.rows = rows;
    v.rest = lo1;
    v.x0 = batch.x.subarray(0, lo1 * inputs);
    v.y0 = batch.y.subarray(0, lo1 * ycols);
    v.xRest = batch.x.subarray(lo1 * inputs, rows * inputs);
    v.yRest = batch.y.subarray(lo1 * ycols, rows * ycols);
  }

  /** Checks the batch, copies the weights and the threads' rows into shared memory and writes the STEP command. */
  private prepareStep(params: Params, batch: Batch, step: number): void {
    if (this.busy)
      throw new GradstreamError({
        code: 'invalid_state',
        path: 'workers',
        expected: 'the previous step to have settled',
        received: 'a step still running',
      });
    this.stepT0 = performance.now();
    const rows = batch.size;
    const ycols = batch.y.length / rows;
    const inputs = this.inputs;
    if (!Number.isInteger(ycols) || batch.x.length !== rows * inputs) throwBatchShape(batch, inputs);
    this.fit(rows, ycols);
    const l = this.bl!;
    if (params !== this.params) this.params.data.set(params.data);
    // the threads' rows into shared memory; this thread reads its own where they are
    this.viewRows(batch, rows, ycols);
    const v = this.rowsView;
    this.batchData.set(v.xRest, l.x + v.rest * inputs);
    this.batchData.set(v.yRest, l.y + v.rest * ycols);
    const c = this.control;
    Atomics.store(c, Ctl.ROWS, rows);
    Atomics.store(c, Ctl.STEP, step);
    Atomics.store(c, Ctl.YCOLS, ycols);
    Atomics.store(c, Ctl.DONE, 0);
    Atomics.store(c, Ctl.ARRIVE, 0);
    Atomics.store(c, Ctl.CMD, Cmd.STEP);
    this.stepT1 = performance.now();
  }

  /**
   * Starts the command written in the control words (the threads wake on `SEQ`), unless a failure
   * was published: it is checked after the command's counters were reset, since a failure wakes
   * the waiters by raising the counters, which the reset would undo.
   */
  private startCommand(): void {
    if (Atomics.load(this.control, Ctl.FAILED) !== 0) this.fail();
    this.watch.begin();
    Atomics.add(this.control, Ctl.SEQ, 1);
    Atomics.notify(this.control, Ctl.SEQ);
  }

  /**
   * Starts the command written in the control words, does replica 0's part of it on this thread
   * and blocks until every thread is done (at most `stallTimeoutMs` without progress). A failure
   * of this thread's part, or a stall, is published to the threads and thrown.
   */
  private runCommand(cmd: number): void {
    this.startCommand();
    try {
      // replica 0's part, its rows read where they are
      if (!runPart(this.control, this.runner, cmd, this.spinMs, this.rowsView.x0, this.rowsView.y0, SLICE_MS, this.check)) this.fail();
      waitAtLeast(this.control, Ctl.DONE, this.others, this.spinMs, SLICE_MS, this.check);
    } catch (e: unknown) {
      this.publish(e);
    }
    if (Atomics.load(this.control, Ctl.FAILED) !== 0) this.fail();
  }

  /**
   * The STEP command without blocking beyond {@link SYNC_WAIT_MS} at the barrier and at the end:
   * the rest of either wait is asynchronous. Returns the output, or a promise of it.
   */
  private runStepCommand(): Float64Array | Promise<Float64Array> {
    this.startCommand();
    this.busy = true;
    try {
      if (!startPart(this.control, this.runner, Cmd.STEP, this.rowsView.x0, this.rowsView.y0)) return this.whenDone();
      const t0 = performance.now();
      if (reachedWithin(this.control, Ctl.ARRIVE, this.workers, this.spinMs, SYNC_WAIT_MS)) return this.afterBarrier(t0);
      return waitAtLeastAsync(this.control, Ctl.ARRIVE, this.workers, SLICE_MS, this.check)
        .then(() => this.afterBarrier(t0))
        .catch(this.publish);
    } catch (e: unknown) {
      return this.publish(e);
    }
  }

  /** Replica 0's slice of the reduction once every shard is in, then the end of the step. */
  private afterBarrier(t0: number): Float64Array | Promise<Float64Array> {
    this.runner.waited(performance.now() - t0);
    if (!finishPart(this.control, this.runner)) this.fail();
    return this.whenDone();
  }

  /** The end of the step once every thread is done: at once, or asynchronously. */
  private whenDone(): Float64Array | Promise<Float64Array> {
    if (reachedWithin(this.control, Ctl.DONE, this.others, this.spinMs, SYNC_WAIT_MS)) return this.endStep();
    return waitAtLeastAsync(this.control, Ctl.DONE, this.others, SLICE_MS, this.check).then(this.endStep).catch(this.publish);
  }

  /** The end of a step every replica is done with: its stats, and the output rows (a view kept per batch size). */
  private readonly endStep = (): Float64Array => {
    this.busy = false;
    if (Atomics.load(this.control, Ctl.FAILED) !== 0) this.fail();
    this.copyMs += this.stepT1 - this.stepT0;
    this.waitMs += performance.now() - this.stepT1;
    this.steps += 1;
    const rows = this.rowsView.rows;
    let out = this.outViews.get(rows);
    if (out === undefined) {
      out = this.batchData.subarray(this.bl!.out, this.bl!.out + rows * this.outputs);
      this.outViews.set(rows, out);
    }
    return out;
  };

  /** Moves the state's buffers into shared memory (once; again for a state that is not the shared one). */
  private adoptState(kernel: SliceKernel, state: OptState): boolean {
    const count = kernel.buffers;
    let same = this.stateViews.length === count;
    for (let i = 0; same && i < count; i++) same = kernel.buffer(state, i) === this.stateViews[i];
    if (same) return true;
    // buffers of the params' precision only (as the state of a single-thread run is)
    const type = this.params.data.constructor;
    for (let i = 0; i < count; i++) {
      const b = kernel.buffer(state, i);
      if (b.length !== this.size || b.constructor !== type) return false;
    }
    // in the kernels' memory when it has room (adam's two moments), else a buffer of their own;
    // each array from a float64-aligned start, in the params' precision
    const { inMemory, fixedBuffer, stateOffset, stride } = this.mem;
    const placed = inMemory && count <= IN_MEMORY_STATE_ARRAYS;
    const buffer = placed ? fixedBuffer : new SharedArrayBuffer(Math.max(1, count * stride) * 8);
    const byteOffset = placed ? stateOffset : 0;
    const all = new Float64Array(buffer, byteOffset, count * stride);
    this.stateViews = [];
    for (let i = 0; i < count; i++) {
      const view = regionView(all, i * stride, this.size, this.precision);
      view.set(kernel.buffer(state, i));
      kernel.setBuffer(state, i, view);
      this.stateViews.push(view);
    }
    this.stateGen += 1;
    const message: StateBuffersMessage = { type: 'state', gen: this.stateGen, buffer, byteOffset, arrays: count, inMemory: placed };
    this.runner.take(message);
    this.threads.post(message);
    Atomics.store(this.control, Ctl.STATE_GEN, this.stateGen);
    return true;
  }
}

const NONE: Float64Array = new Float64Array(0);

const closedError = (): GradstreamError =>
  new GradstreamError({ code: 'invalid_state', path: 'workers', expected: 'a running pool', received: 'a closed one' });

/** How often the loop thread's waits wake to check the supervisor, a stall and a closed pool (milliseconds). */
const SLICE_MS = 250;
/**
 * How long `run` waits for the replicas with the thread blocked (after its spin) before it waits
 * asynchronously (milliseconds): a step's usual wait stays synchronous, a long one frees the thread.
 */
const SYNC_WAIT_MS = 5;

/** Refuses a replica count outside 1 … MAX_WORKERS and a stall timeout that is not a positive number. */
function checkPoolOptions(options: ReplicaPoolOptions): void {
  const w = options.workers;
  if (!Number.isInteger(w) || w < 1 || w > MAX_WORKERS) {
    throw new GradstreamError({
      code: 'invalid_config',
      path: 'workers',
      expected: `an integer from 1 to ${MAX_WORKERS}`,
      received: describeTyped(w),
    });
  }
  const t = options.stallTimeoutMs;
  if (t !== undefined && !(typeof t === 'number' && t > 0)) {
    throw new GradstreamError({
      code: 'invalid_config',
      path: 'workers.stallTimeoutMs',
      expected: 'a number of milliseconds > 0',
      received: describeTyped(t),
    });
  }
}

/** The threads of a pool of one replica: none. */
const NO_THREADS: ReplicaThreads = { heartbeat: false, post() {}, kill() {}, terminate() {} };

function throwBatchShape(batch: Batch, inputs: number): never {
  throw new GradstreamError({
    code: 'invalid_shape',
    path: 'batch',
    expected: `${batch.size} rows of ${inputs} inputs and whole rows of targets`,
    received: `${batch.x.length} inputs and ${batch.y.length} targets`,
  });
}
