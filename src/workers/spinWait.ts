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
 * every `sliceMs` to call `onSlice` (which may throw to give up).
 */
export function waitAtLeast(control: Int32Array, word: number, target: number, spinMs: number, sliceMs = Number.POSITIVE_INFINITY, onSlice?: () => void): number {
  let v = Atomics.load(control, word);
  if (v >= target) return v;
  const until = performance.now() + spinMs;
  for (let i = 1; ; i++) {
    v = Atomics.load(control, word);
    if (v >= target) return v;
    if ((i & 255) === 0 && performance.now() >= until) break;
  }
  for (;;) {
    if (Atomics.wait(control, word, v, sliceMs) === 'timed-out' && onSlice !== undefined) onSlice();
    v = Atomics.load(control, word);
    if (v >= target) return v;
  }
}

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
