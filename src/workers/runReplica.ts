import { GradstreamError } from '../core/errors.js';
import type { Loss } from '../core/loss.js';
import type { Model } from '../core/model.js';
import { writeFailure, errorToData } from './failure.js';
import { kernelsOn } from '../core/wasm/wasmKernels.js';
import { Cmd, Ctl, fixedLayout, Progress, type ReplicaInit, type ReplicaMessage } from './protocol.js';
import { ShardRunner } from './shardRunner.js';
import { COMMAND_SPIN_MS, SPIN_MS, waitAtLeast, waitChange } from './spinWait.js';

/**
 * The step loop of one replica thread (Node worker or Web Worker; replica `index` ≥ 1 — the loop's
 * thread is replica 0): announces itself ready, then waits on the `SEQ` control word (spinning
 * briefly, then sleeping) and, per step, computes the gradient of its shard of the batch (see
 * {@link ShardRunner}), meets the other replicas at a barrier, sums its slice of the gradient slots
 * in replica order into the shared gradient and counts itself into `DONE`. Returns on the STOP
 * command; a thrown error is published through the failure area and ends the loop.
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
    const workers = init.workers;
    const fixed = new Float64Array(init.fixed, init.fixedOffset ?? 0, fixedLayout(init.size, workers).length);
    const runner = new ShardRunner(init.index, workers, model, lossFn, fixed, init.memory === undefined ? null : kernelsOn(init.memory));
    const spin = init.spin ?? true;
    // V8 compiles the waits (and the update's claiming loop) while the threads start, and the
    // model's and loss's code during the first step, at the run's shapes
    warmWaits();
    runner.warmFirstStep(FIRST_STEP_PASSES, FIRST_STEP_WARM_MS);
    // read before announcing readiness: the main thread starts the first step once all are ready
    let seq = Atomics.load(control, Ctl.SEQ);
    Atomics.add(control, Ctl.READY, 1);
    Atomics.notify(control, Ctl.READY);
    for (;;) {
      seq = waitChange(control, Ctl.SEQ, seq, spin ? COMMAND_SPIN_MS : 0);
      const cmd = Atomics.load(control, Ctl.CMD);
      if (cmd === Cmd.STOP) return;
      const wanted = Atomics.load(control, Ctl.BATCH_GEN);
      const wantedState = Atomics.load(control, Ctl.STATE_GEN);
      while (runner.gen !== wanted || runner.stateGen !== wantedState) runner.take(await nextMessage());
      if (!runPart(control, runner, cmd, spin ? SPIN_MS : 0)) return; // another replica failed; the main thread reports it
      Atomics.store(control, Ctl.PROGRESS + 2 * init.index + Progress.DONE, seq);
      Atomics.add(control, Ctl.DONE, 1);
      Atomics.notify(control, Ctl.DONE);
    }
  } catch (e: unknown) {
    writeFailure(control, errors, errorToData(e, init.index));
  }
}

/**
 * A replica's part of the command `cmd` (STEP or APPLY) whose arguments are in the control words:
 * its optimizer slice; or its shard's gradient (from `x` and `y` when given, else from the shared
 * batch), the barrier, and its slice of the reduction. False when a failure was published while
 * it waited at the barrier. The loop's thread (replica 0) and the worker threads run the same;
 * the loop's thread may instead wait at the barrier asynchronously between {@link startPart} and
 * {@link finishPart}.
 */
export function runPart(
  control: Int32Array,
  runner: ShardRunner,
  cmd: number,
  spinMs: number,
  x?: Float64Array,
  y?: Float64Array,
  sliceMs?: number,
  onSlice?: () => void,
): boolean {
  if (!startPart(control, runner, cmd, x, y)) return true;
  const t0 = performance.now();
  waitAtLeast(control, Ctl.ARRIVE, runner.workers, spinMs, sliceMs, onSlice);
  runner.waited(performance.now() - t0);
  return finishPart(control, runner);
}

/**
 * The part of a command before the reduction's barrier: the optimizer slice (APPLY), or the
 * shard's gradient (STEP), after which the replica counts itself in at the barrier. True when the
 * barrier and {@link finishPart} follow (a STEP with more than one replica).
 */
export function startPart(control: Int32Array, runner: ShardRunner, cmd: number, x?: Float64Array, y?: Float64Array): boolean {
  if (cmd === Cmd.APPLY) {
    runner.apply(Atomics.load(control, Ctl.KERNEL));
    return false;
  }
  runner.compute(Atomics.load(control, Ctl.ROWS), Atomics.load(control, Ctl.YCOLS), Atomics.load(control, Ctl.STEP), x, y);
  if (runner.workers === 1) return false;
  Atomics.store(control, Ctl.PROGRESS + 2 * runner.index + Progress.ARRIVED, Atomics.load(control, Ctl.SEQ));
  if (Atomics.add(control, Ctl.ARRIVE, 1) + 1 >= runner.workers) Atomics.notify(control, Ctl.ARRIVE);
  return true;
}

/** The part of a STEP after the barrier (every replica's slot written): its slice of the reduction. False when a failure was published meanwhile. */
export function finishPart(control: Int32Array, runner: ShardRunner): boolean {
  if (Atomics.load(control, Ctl.FAILED) !== 0) return false;
  runner.reduce(Atomics.load(control, Ctl.ROWS));
  return true;
}

/**
 * Passes a new thread makes of its first shard (at most, the real one included), and the time it
 * may add to the first step for them (see `ShardRunner.warmFirstStep`).
 */
const FIRST_STEP_PASSES = 8;
const FIRST_STEP_WARM_MS = 30;

/** Rounds of {@link warmWaits}: enough for V8 to optimize the waits (about 1 ms). */
const WAIT_WARM_ROUNDS = 64;

/**
 * Runs both ways out of the waits, a few dozen times — the value already there, and a sleep that times out —
 * on a control word of the thread's own, before the thread reports ready: else the compiler, having
 * optimized a wait on the ways seen so far, throws that code away (and compiles again) the first
 * time a step takes the other way, on a core the replicas need.
 */
export function warmWaits(): void {
  const own = new Int32Array(new SharedArrayBuffer(4));
  for (let i = 0; i < WAIT_WARM_ROUNDS; i++) {
    Atomics.store(own, 0, 0);
    waitAtLeast(own, 0, 1, 0, 0, () => Atomics.store(own, 0, 1)); // spins, sleeps, times out
    waitAtLeast(own, 0, 1, 0); // there already
    waitChange(own, 0, 1, 0, 0); // spins, sleeps, times out
    waitChange(own, 0, 0, 0); // changed already
  }
}

/** The replica's model must be the main thread's: same parameter count, inputs, outputs and precision. */
function checkReplica(init: ReplicaInit, model: Model): void {
  checkShardable(model, `workers[${init.index}].model`);
  const mine = `${model.layout.size} parameters, ${model.inputs} inputs, ${model.outputs} outputs${model.precision === 'float32' ? ', float32' : ''}`;
  const theirs = `${init.size} parameters, ${init.inputs} inputs, ${init.outputs} outputs${init.precision === 'float32' ? ', float32' : ''}`;
  if (mine !== theirs) {
    throw new GradstreamError({
      code: 'invalid_config',
      path: `workers[${init.index}].model`,
      expected: `the main thread's model (${theirs})`,
      received: mine,
    });
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
      throw new GradstreamError({
        code: 'invalid_config',
        path: `${path}.layers[${i}]`,
        expected: 'layers that treat rows independently (no dropout or batchNorm with workers)',
        received: kind,
      });
    }
  }
}
