/**
 * Waiting on a control word: first spinning (reading it) for a short while — the other side
 * usually answers within microseconds, and a sleeping thread takes tens of microseconds to wake —
 * then sleeping in `Atomics.wait`. Spinning only pays while every spinning thread has a core to
 * itself; the loop's thread computes a shard too, so a run of N shards has N threads.
 */

/**
 * How long a replica thread spins for its next command before it sleeps (milliseconds): between a
 * step's end and the next command the loop's thread emits the record, runs the sinks and reads the
 * next batch — tens of microseconds on a model worth threads.
 */
export const COMMAND_SPIN_MS = 0.25;
/**
 * How long a thread spins at the barrier or for the threads' end of a command (milliseconds): the
 * shards take the same time, so the others usually arrive within microseconds. Kept short — a
 * spinning thread on a machine with more runnable threads than cores takes a core from the one it
 * waits for.
 */
export const SPIN_MS = 0.1;

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

/** Returns `control[word]` once it differs from `value`: spins for up to `spinMs`, then sleeps. */
export function waitChange(control: Int32Array, word: number, value: number, spinMs: number): number {
  let v = Atomics.load(control, word);
  if (v !== value) return v;
  const until = performance.now() + spinMs;
  for (let i = 1; ; i++) {
    v = Atomics.load(control, word);
    if (v !== value) return v;
    if ((i & 255) === 0 && performance.now() >= until) break;
  }
  for (;;) {
    Atomics.wait(control, word, value);
    v = Atomics.load(control, word);
    if (v !== value) return v;
  }
}
