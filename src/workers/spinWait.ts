/**
 * Waiting on a control word: first spinning (reading it) for a while, then sleeping in
 * `Atomics.wait`. The other side usually answers within microseconds, and a thread that sleeps
 * takes tens of microseconds to wake — and may be woken onto the core of the thread that woke it,
 * where the two then share one core until the scheduler moves one away: measured here, runs of
 * W3 whose steps took twice as long as with threads that never slept between steps.
 *
 * Spinning pays only while every spinning thread has a core to itself: the pool spins only when it
 * has no more replicas than the machine has cores (on a machine busy with other work, lockstep
 * training loses either way).
 *
 * The loop's thread never waits without bound: its blocking waits wake at least every few hundred
 * milliseconds to check that the replicas still make progress, and a wait that lasts beyond a
 * short one continues asynchronously ({@link waitAtLeastAsync}), leaving the thread to its event loop.
 */

/**
 * How long a replica thread spins for its next command before it sleeps (milliseconds): longer
 * than the loop's thread's work between two commands (emitting the record, the sinks, reading the
 * next batch) on a model worth threads.
 */
export const COMMAND_SPIN_MS = 2;
/**
 * How long a thread spins at the barrier or for the threads' end of a command (milliseconds):
 * longer than the usual difference between two shards' times.
 */
export const SPIN_MS = 2;

/**
 * Returns `control[word]` once it is at least `target`: spins for up to `spinMs`, then sleeps, waking
 * at least every `sliceMs` to call `onSlice` (which may throw to give up: the loop's thread bounds
 * every wait this way).
 */
export function waitAtLeast(
  control: Int32Array,
  word: number,
  target: number,
  spinMs: number,
  sliceMs = Number.POSITIVE_INFINITY,
  onSlice?: () => void,
): number {
  let v = Atomics.load(control, word);
  if (v >= target) return v;
  const until = performance.now() + spinMs;
  for (let i = 1; ; i++) {
    v = Atomics.load(control, word);
    if (v >= target) return v;
    if ((i & 255) === 0 && performance.now() >= until) break;
  }
  for (;;) {
    Atomics.wait(control, word, v, sliceMs);
    v = Atomics.load(control, word);
    if (v >= target) return v;
    onSlice?.();
  }
}

/**
 * Whether `control[word]` reaches `target` within a short wait: spinning for up to `spinMs`, then
 * sleeping until `blockMs` have passed in all. Bounded: the caller then waits asynchronously
 * ({@link waitAtLeastAsync}).
 */
export function reachedWithin(control: Int32Array, word: number, target: number, spinMs: number, blockMs: number): boolean {
  const t0 = performance.now();
  let v = Atomics.load(control, word);
  if (v >= target) return true;
  for (let i = 1; ; i++) {
    v = Atomics.load(control, word);
    if (v >= target) return true;
    if ((i & 255) === 0 && performance.now() - t0 >= spinMs) break;
  }
  for (let left = blockMs - (performance.now() - t0); left > 0; left = blockMs - (performance.now() - t0)) {
    Atomics.wait(control, word, v, left);
    v = Atomics.load(control, word);
    if (v >= target) return true;
  }
  return false;
}

/**
 * Resolves with `control[word]` once it is at least `target`, without blocking the thread: it
 * sleeps in `Atomics.waitAsync` where the platform has it (Node ≥ 16, Chromium), else polls with
 * timers, and calls `onSlice` at least every `sliceMs` (a throw rejects: how the loop's thread
 * gives up on a replica that stalls). A timer keeps Node's event loop alive meanwhile (a pending
 * `Atomics.waitAsync` does not).
 */
export function waitAtLeastAsync(control: Int32Array, word: number, target: number, sliceMs: number, onSlice: () => void): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const alive = setInterval(() => undefined, 1000);
    const poll = (): void => {
      try {
        const v = Atomics.load(control, word);
        if (v >= target) {
          clearInterval(alive);
          resolve(v);
          return;
        }
        onSlice();
        const wait = waitAsync?.(control, word, v, sliceMs);
        if (wait !== undefined && typeof wait.value !== 'string') void wait.value.then(poll);
        else setTimeout(poll, wait === undefined ? POLL_MS : 0);
      } catch (e: unknown) {
        clearInterval(alive);
        reject(e);
      }
    };
    poll();
  });
}

/** How often {@link waitAtLeastAsync} polls where the platform has no `Atomics.waitAsync` (milliseconds). */
const POLL_MS = 1;

/** `Atomics.waitAsync` where the platform has it: a wait that does not block the thread. */
export const waitAsync = (
  Atomics as unknown as {
    waitAsync?: (a: Int32Array, index: number, value: number, timeoutMs: number) => { value: Promise<string> | string };
  }
).waitAsync;

/**
 * Returns `control[word]` once it differs from `value`: spins for up to `spinMs`, then sleeps —
 * for at most `timeoutMs` (then it returns the value as it is, possibly unchanged).
 */
export function waitChange(control: Int32Array, word: number, value: number, spinMs: number, timeoutMs = Number.POSITIVE_INFINITY): number {
  let v = Atomics.load(control, word);
  if (v !== value) return v;
  const until = performance.now() + spinMs;
  for (let i = 1; ; i++) {
    v = Atomics.load(control, word);
    if (v !== value) return v;
    if ((i & 255) === 0 && performance.now() >= until) break;
  }
  for (;;) {
    const woke = Atomics.wait(control, word, value, timeoutMs);
    v = Atomics.load(control, word);
    if (v !== value || woke === 'timed-out') return v;
  }
}
