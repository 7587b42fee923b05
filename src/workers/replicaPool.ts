import { describeTyped, GradstreamError } from '../core/errors.js';
import type { Loss } from '../core/loss.js';
import type { Model } from '../core/model.js';
import type { OptState, SliceKernel } from '../core/optimizer.js';
import { createParams, type Params } from '../core/params.js';
import type { Batch } from '../streams/stepRecord.js';
import { errorToData, readFailure, writeFailure } from './failure.js';
import { APPLY_SCALARS, batchLayout, type BatchLayout, type BatchBuffersMessage, Cmd, CONTROL_WORDS, Ctl, ERROR_BYTES, fixedLayout, Kernel, padded, type ReplicaSpec, shardStart, Stat, type StateBuffersMessage } from './protocol.js';
import type { ReplicaThreads, StartThreads, ThreadHooks } from './replicaThreads.js';
import { finishPart, runPart, startPart } from './runReplica.js';
import { ShardRunner } from './shardRunner.js';
import { kernelModules, kernelsOn, sharedKernelMemory } from '../core/wasm/wasmKernels.js';
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
  const { workers, model } = options;
  checkPoolOptions(options);
  const size = model.layout.size;
  const inputs = model.inputs;
  const outputs = model.outputs;
  const startTimeoutMs = options.startTimeoutMs ?? 60_000;
  const controlBuffer = new SharedArrayBuffer(CONTROL_WORDS * 4);
  const errorBuffer = new SharedArrayBuffer(ERROR_BYTES);
  const control = new Int32Array(controlBuffer);
  const errors = new Uint8Array(errorBuffer);
  const fl = fixedLayout(size, workers);
  // The weights, gradients and optimizer state in a shared WebAssembly memory when there is one
  // (the kernels then update them in place), else in a SharedArrayBuffer.
  const stride = padded(size);
  const stateOffset = FIXED_OFFSET + padded(fl.length) * 8;
  const memory = options.hooks?.kernelsMemory === false ? null : sharedKernelMemory(stateOffset + IN_MEMORY_STATE_ARRAYS * stride * 8);
  const kernels = memory === null ? null : kernelsOn(memory);
  const inMemory = memory !== null && kernels !== null && kernels.base <= FIXED_OFFSET;
  const fixedBuffer = inMemory ? (memory.buffer as unknown as SharedArrayBuffer) : new SharedArrayBuffer(fl.length * 8);
  const fixedOffset = inMemory ? FIXED_OFFSET : 0;
  const fixed = new Float64Array(fixedBuffer, fixedOffset, fl.length);
  const sharedParams = createParams(model.layout, fixed.subarray(fl.params, fl.params + size));
  const grads = createParams(model.layout, fixed.subarray(fl.grads, fl.grads + size));

  // spinning before sleeping pays only while every replica has a core of its own
  const spin = workers <= (options.hooks?.cores ?? availableCores());
  const spinMs = spin ? SPIN_MS : 0;
  const threads: ReplicaThreads =
    workers === 1
      ? NO_THREADS
      : options.start({ spin, workers, spec: options.spec, control: controlBuffer, errors: errorBuffer, fixed: fixedBuffer, fixedOffset, ...(inMemory ? { memory } : {}), modules: kernelModules(), size, inputs, outputs }, options.hooks);
  // replica 0, on this thread
  const runner = new ShardRunner(0, workers, model, options.loss, fixed, inMemory ? kernels : null);
  const others = workers - 1;

  // With threads, the first step waits for them asynchronously (`canStep`, `whenReady`), on either
  // platform: Web Workers load through this thread's event loop, and under Node the loop's thread
  // then finishes the garbage collection the run's first allocations start (V8 finalizes its
  // marking in a task) while they load, instead of during the steps. Measured on W3 at batch 256
  // (15 interleaved rounds): a 4.5 ms pause and ~400 ms of concurrent marking moved out of the
  // run; the slowest run 1.65x instead of 1.45x, the median unchanged (1.84x).
  let ready = others === 0;
  let closed = false;
  /** A step is waiting asynchronously (`run`): no other command may start. */
  let busy = false;
  let gen = 0;
  let bl: BatchLayout | null = null;
  let batchData: Float64Array = new Float64Array(0);
  let outViews = new Map<number, Float64Array>();
  let copyMs = 0;
  let waitMs = 0;
  let applyWaitMs = 0;
  let steps = 0;
  // the optimizer state in shared memory (made on the first apply)
  let stateGen = 0;
  let stateViews: Float64Array[] = [];
  const scalars = fixed.subarray(fl.scalars, fl.scalars + APPLY_SCALARS);

  const fail = (): never => {
    throw readFailure(control, errors) ?? new Error('gradstream: a worker failed');
  };
  const closedError = (): GradstreamError => new GradstreamError({ code: 'invalid_state', path: 'workers', expected: 'a running pool', received: 'a closed one' });
  /** Publishes this thread's failure (or a stall) to the threads, so that none waits for it, and throws it. */
  const publish = (e: unknown): never => {
    busy = false;
    if (!closed) writeFailure(control, errors, errorToData(e, (e as { worker?: number }).worker ?? 0));
    throw e;
  };

  // the supervisor's heartbeat, checked only when a wait times out
  const heartbeatTimeoutMs = options.hooks?.heartbeatTimeoutMs ?? 5000;
  // Below this many parameters the update costs less than waking the threads (a round trip,
  // tens of microseconds): it stays on the loop's thread.
  const parallelApplyMin = options.hooks?.parallelApplyMin ?? PARALLEL_APPLY_MIN;
  let beat = 0;
  let beatAt = 0;
  // While the replicas start, a supervisor that has not beaten yet may still be loading (the start
  // timeout covers it); once they are ready it has beaten at least once (it beats before starting
  // them), so from then on a count that stops moving — even at 0 — means it is gone.
  const checkHeartbeat = (): void => {
    if (!threads.heartbeat) return;
    const b = Atomics.load(control, Ctl.HEARTBEAT);
    const now = performance.now();
    if (b !== beat || beatAt === 0) {
      beat = b;
      beatAt = now;
    } else if ((b > 0 || ready) && now - beatAt > heartbeatTimeoutMs) {
      throw new Error(`gradstream: the worker threads stopped responding (no heartbeat for ${heartbeatTimeoutMs} ms; terminated?)`);
    }
  };
  const watch = new StallWatch(control, workers, options.stallTimeoutMs ?? 30_000);
  /** Called while a command's wait sleeps: gives up on a failure, a dead supervisor, a stalled replica, a closed pool. */
  const check = (): void => {
    if (closed) throw closedError();
    if (Atomics.load(control, Ctl.FAILED) !== 0) fail();
    checkHeartbeat();
    watch.check();
  };

  const deadline = performance.now() + startTimeoutMs;
  /** True once all replicas are ready; throws a failure or the start timeout. */
  const checkReady = (): boolean => {
    if (Atomics.load(control, Ctl.FAILED) === 2) fail();
    const n = Atomics.load(control, Ctl.READY);
    if (n >= others) {
      ready = true;
      return true;
    }
    if (performance.now() >= deadline) {
      throw new GradstreamError({ code: 'invalid_state', path: 'workers', expected: `${others} worker thread${others === 1 ? '' : 's'} ready within ${startTimeoutMs} ms`, received: `${n} ready (${Atomics.load(control, Ctl.ALIVE)} started)` });
    }
    return false;
  };

  const waitReady = (): void => {
    while (!checkReady()) {
      const n = Atomics.load(control, Ctl.READY);
      if (Atomics.wait(control, Ctl.READY, n, Math.max(1, Math.min(deadline - performance.now(), 250))) === 'timed-out') checkHeartbeat();
    }
  };

  /** New batch buffers when the batch outgrows them (or its targets change width). */
  const fit = (rows: number, ycols: number): void => {
    if (bl !== null && rows <= bl.capacity && ycols === bl.ycols) return;
    const capacity = Math.max(rows, bl?.capacity ?? 0);
    bl = batchLayout(capacity, inputs, ycols, outputs);
    const buffer = new SharedArrayBuffer(bl.length * 8);
    batchData = new Float64Array(buffer);
    outViews = new Map();
    gen += 1;
    const message: BatchBuffersMessage = { type: 'batch', gen, buffer, capacity, ycols };
    runner.take(message);
    threads.post(message);
    Atomics.store(control, Ctl.BATCH_GEN, gen);
  };

  /**
   * Starts the command written in the control words (the threads wake on `SEQ`), unless a failure
   * was published: it is checked after the command's counters were reset, since a failure wakes
   * the waiters by raising the counters, which the reset would undo.
   */
  const startCommand = (): void => {
    if (Atomics.load(control, Ctl.FAILED) !== 0) fail();
    watch.begin();
    Atomics.add(control, Ctl.SEQ, 1);
    Atomics.notify(control, Ctl.SEQ);
  };
  /**
   * Starts the command written in the control words, does replica 0's part of it on this thread
   * and blocks until every thread is done (at most `stallTimeoutMs` without progress). A failure
   * of this thread's part, or a stall, is published to the threads and thrown.
   */
  const runCommand = (cmd: number): void => {
    startCommand();
    try {
      // replica 0's part, its rows read where they are
      if (!runPart(control, runner, cmd, spinMs, rowsView.x0, rowsView.y0, SLICE_MS, check)) fail();
      waitAtLeast(control, Ctl.DONE, others, spinMs, SLICE_MS, check);
    } catch (e: unknown) {
      publish(e);
    }
    if (Atomics.load(control, Ctl.FAILED) !== 0) fail();
  };
  /**
   * The STEP command without blocking beyond {@link SYNC_WAIT_MS} at the barrier and at the end:
   * the rest of either wait is asynchronous. Returns the output, or a promise of it.
   */
  const runStepCommand = (): Float64Array | Promise<Float64Array> => {
    startCommand();
    busy = true;
    try {
      if (startPart(control, runner, Cmd.STEP, rowsView.x0, rowsView.y0)) {
        const t0 = performance.now();
        if (!reachedWithin(control, Ctl.ARRIVE, workers, spinMs, SYNC_WAIT_MS)) {
          return waitAtLeastAsync(control, Ctl.ARRIVE, workers, SLICE_MS, check).then(() => afterBarrier(t0)).catch(publish);
        }
        return afterBarrier(t0);
      }
      return whenDone();
    } catch (e: unknown) {
      return publish(e);
    }
  };
  /** Replica 0's slice of the reduction once every shard is in, then the end of the step. */
  const afterBarrier = (t0: number): Float64Array | Promise<Float64Array> => {
    runner.waited(performance.now() - t0);
    if (!finishPart(control, runner)) fail();
    return whenDone();
  };
  const whenDone = (): Float64Array | Promise<Float64Array> => {
    if (!reachedWithin(control, Ctl.DONE, others, spinMs, SYNC_WAIT_MS)) {
      return waitAtLeastAsync(control, Ctl.DONE, others, SLICE_MS, check).then(endStep).catch(publish);
    }
    return endStep();
  };
  // Views of the batch: replica 0's rows (read where they are) and the rest (copied for the
  // threads), kept while the batch's arrays and size stay the same (the readers reuse theirs).
  const none: Float64Array = new Float64Array(0);
  const rowsView = { x: none, y: none, rows: -1, x0: none, y0: none, xRest: none, yRest: none, rest: 0 };
  const viewRows = (batch: Batch, rows: number, ycols: number): void => {
    if (batch.x === rowsView.x && batch.y === rowsView.y && rows === rowsView.rows) return;
    const lo1 = shardStart(1, workers, rows);
    rowsView.x = batch.x;
    rowsView.y = batch.y;
    rowsView.rows = rows;
    rowsView.rest = lo1;
    rowsView.x0 = batch.x.subarray(0, lo1 * inputs);
    rowsView.y0 = batch.y.subarray(0, lo1 * ycols);
    rowsView.xRest = batch.x.subarray(lo1 * inputs, rows * inputs);
    rowsView.yRest = batch.y.subarray(lo1 * ycols, rows * ycols);
  };

  /** Moves the state's buffers into shared memory (once; again for a state that is not the shared one). */
  const adoptState = (kernel: SliceKernel, state: OptState): boolean => {
    const count = kernel.buffers;
    let same = stateViews.length === count;
    for (let i = 0; same && i < count; i++) same = kernel.buffer(state, i) === stateViews[i];
    if (same) return true;
    for (let i = 0; i < count; i++) if (kernel.buffer(state, i).length !== size) return false;
    // in the kernels' memory when it has room (adam's two moments), else a buffer of their own
    const placed = inMemory && count <= IN_MEMORY_STATE_ARRAYS;
    const buffer = placed ? fixedBuffer : new SharedArrayBuffer(Math.max(1, count * stride) * 8);
    const byteOffset = placed ? stateOffset : 0;
    const all = new Float64Array(buffer, byteOffset, count * stride);
    stateViews = [];
    for (let i = 0; i < count; i++) {
      const view = all.subarray(i * stride, i * stride + size);
      view.set(kernel.buffer(state, i));
      kernel.setBuffer(state, i, view);
      stateViews.push(view);
    }
    stateGen += 1;
    const message: StateBuffersMessage = { type: 'state', gen: stateGen, buffer, byteOffset, arrays: count, inMemory: placed };
    runner.take(message);
    threads.post(message);
    Atomics.store(control, Ctl.STATE_GEN, stateGen);
    return true;
  };

  // the current step's start and the end of its copies (for the stats)
  let stepT0 = 0;
  let stepT1 = 0;
  /** Checks the batch, copies the weights and the threads' rows into shared memory and writes the STEP command. */
  const prepareStep = (params: Params, batch: Batch, step: number): void => {
    if (busy) throw new GradstreamError({ code: 'invalid_state', path: 'workers', expected: 'the previous step to have settled', received: 'a step still running' });
    stepT0 = performance.now();
    const rows = batch.size;
    const ycols = batch.y.length / rows;
    if (!Number.isInteger(ycols) || batch.x.length !== rows * inputs) throwBatchShape(batch, inputs);
    fit(rows, ycols);
    const l = bl!;
    if (params !== sharedParams) sharedParams.data.set(params.data);
    // the threads' rows into shared memory; this thread reads its own where they are
    viewRows(batch, rows, ycols);
    const lo1 = rowsView.rest;
    batchData.set(rowsView.xRest, l.x + lo1 * inputs);
    batchData.set(rowsView.yRest, l.y + lo1 * ycols);
    Atomics.store(control, Ctl.ROWS, rows);
    Atomics.store(control, Ctl.STEP, step);
    Atomics.store(control, Ctl.YCOLS, ycols);
    Atomics.store(control, Ctl.DONE, 0);
    Atomics.store(control, Ctl.ARRIVE, 0);
    Atomics.store(control, Ctl.CMD, Cmd.STEP);
    stepT1 = performance.now();
  };
  /** The end of a step every replica is done with: its stats, and the output rows (a view kept per batch size). */
  const endStep = (): Float64Array => {
    busy = false;
    if (Atomics.load(control, Ctl.FAILED) !== 0) fail();
    copyMs += stepT1 - stepT0;
    waitMs += performance.now() - stepT1;
    steps += 1;
    const rows = rowsView.rows;
    let out = outViews.get(rows);
    if (out === undefined) {
      out = batchData.subarray(bl!.out, bl!.out + rows * outputs);
      outViews.set(rows, out);
    }
    return out;
  };

  return {
    grads,
    params: sharedParams,
    apply(kernel, g, state, params) {
      if (closed || busy || !ready || size < parallelApplyMin || g !== grads.data || params.data !== sharedParams.data) return false;
      if (!adoptState(kernel, state)) return false;
      if (!kernel.begin(state, params, scalars)) return false;
      const t0 = performance.now();
      Atomics.store(control, Ctl.KERNEL, kernel.kernel === 'adam' ? Kernel.ADAM : Kernel.SGD);
      Atomics.store(control, Ctl.DONE, 0);
      Atomics.store(control, Ctl.CMD, Cmd.APPLY);
      runCommand(Cmd.APPLY);
      applyWaitMs += performance.now() - t0;
      return true;
    },
    canStep: () => ready,
    whenReady: () =>
      new Promise<void>((resolve, reject) => {
        // a pending asynchronous wait does not keep Node's event loop alive (the threads are
        // unref'd): a timer does, until the wait ends
        const alive = setInterval(() => undefined, 1000);
        const poll = (): void => {
          try {
            if (closed) throw closedError();
            if (checkReady()) {
              clearInterval(alive);
              resolve();
              return;
            }
            // woken by the next replica's READY (or a failure) where the platform waits
            // asynchronously, checking the start timeout at least every 50 ms; else polled
            const wait = waitAsync?.(control, Ctl.READY, Atomics.load(control, Ctl.READY), 50);
            if (wait !== undefined && typeof wait.value !== 'string') void wait.value.then(poll);
            else setTimeout(poll, wait === undefined ? 5 : 0);
          } catch (e: unknown) {
            clearInterval(alive);
            reject(e);
          }
        };
        poll();
      }),
    step(params, batch, step) {
      if (closed) throw closedError();
      if (!ready) waitReady();
      prepareStep(params, batch, step);
      runCommand(Cmd.STEP);
      return endStep();
    },
    run(params, batch, step) {
      if (closed) throw closedError();
      if (!ready) waitReady();
      prepareStep(params, batch, step);
      return runStepCommand();
    },
    kill(index) {
      threads.kill(index);
    },
    stats() {
      const computeMs: number[] = [];
      const barrierMs: number[] = [];
      const reduceMs: number[] = [];
      const applyMs: number[] = [];
      for (let i = 0; i < workers; i++) {
        barrierMs.push(fixed[fl.stats + 8 * i + Stat.BARRIER]!);
        computeMs.push(fixed[fl.stats + 8 * i + Stat.COMPUTE]!);
        reduceMs.push(fixed[fl.stats + 8 * i + Stat.REDUCE]!);
        applyMs.push(fixed[fl.stats + 8 * i + Stat.APPLY]!);
      }
      return { steps, copyMs, waitMs, computeMs, barrierMs, reduceMs, applyWaitMs, applyMs };
    },
    close() {
      if (closed) return;
      closed = true;
      Atomics.store(control, Ctl.CMD, Cmd.STOP);
      Atomics.add(control, Ctl.SEQ, 1);
      Atomics.notify(control, Ctl.SEQ);
      // a step waiting asynchronously (`run`) wakes, sees the pool closed and settles
      Atomics.notify(control, Ctl.ARRIVE);
      Atomics.notify(control, Ctl.DONE);
      threads.terminate();
    },
  };
}

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
    throw new GradstreamError({ code: 'invalid_config', path: 'workers', expected: `an integer from 1 to ${MAX_WORKERS}`, received: describeTyped(w) });
  }
  const t = options.stallTimeoutMs;
  if (t !== undefined && !(typeof t === 'number' && t > 0)) {
    throw new GradstreamError({ code: 'invalid_config', path: 'workers.stallTimeoutMs', expected: 'a number of milliseconds > 0', received: describeTyped(t) });
  }
}

/** Byte offset of the fixed layout in the kernels' shared memory (above the module's own data). */
const FIXED_OFFSET = 4096;
/** Optimizer-state arrays the kernels' memory has room for (adam's two moments). */
const IN_MEMORY_STATE_ARRAYS = 2;

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
