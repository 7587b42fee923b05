/** A yield whose continuation ran later than this (ms) found the event loop busy. */
const BUSY_GAP_MS = 0.5;
/** How long (ms) after a busy yield the slices stay short. */
const BUSY_HOLD_MS = 100;

/**
 * Decides when a slice of steps has lasted long enough to yield.
 *
 * Reading the clock costs about as much as a small step (`performance.now()`: ~50 ns), so a slice
 * reads it every `stride` steps: about 1/16 of a slice at the pace measured so far in this slice,
 * or 1/16 of the steps the previous slice managed (a slice overshoots by at most ~1/16).
 *
 * Adaptive slices (`adaptive`, the `'sliced'` mode): a yield whose continuation came late found
 * other work on the event loop (I/O, timers); an HTTP request needs a few turns (accept, read,
 * respond), so for 100 ms after such a yield the slices last a quarter of `sliceMs`.
 */
export class SliceClock {
  private stride = 1;
  private start = 0;
  private count = 0;
  private check = 0;
  private limit: number;
  private yieldedAt = Number.NaN;
  private busyUntil = -Infinity;

  constructor(
    private readonly clock: () => number,
    private readonly sliceMs: number,
    private readonly sliceSteps: number,
    private readonly adaptive: boolean,
  ) {
    this.limit = sliceMs;
  }

  /** Enters a slice: a fresh one (after a yield), or the rest of the current one (after a wait). */
  enter(fresh: boolean): void {
    if (fresh) {
      this.start = this.clock();
      this.count = 0;
      if (this.adaptive) {
        if (this.start - this.yieldedAt > BUSY_GAP_MS) this.busyUntil = this.start + BUSY_HOLD_MS;
        this.limit = this.start < this.busyUntil ? this.sliceMs / 4 : this.sliceMs;
      }
    }
    this.check = this.count + this.stride;
  }

  /** Counts a step; true when the slice must yield now. */
  tick(): boolean {
    this.count += 1;
    if (this.count >= this.sliceSteps) return true;
    return this.count >= this.check && this.measure();
  }

  /** Whether the current slice has used its time (a woken loop then yields before stepping). */
  expired(): boolean {
    return this.clock() - this.start >= this.limit;
  }

  /** Notes the moment of a yield (adaptive slices compare it with the continuation's). */
  yielded(): void {
    this.yieldedAt = this.clock();
  }

  /** Reads the clock: true when the slice is over; otherwise sets the next reading's step. */
  private measure(): boolean {
    const elapsed = this.clock() - this.start;
    if (elapsed >= this.limit) {
      this.stride = Math.max(1, Math.floor(this.count / 16));
      return true;
    }
    this.stride = elapsed > 0 ? Math.max(1, Math.floor((this.count * this.limit) / (16 * elapsed))) : this.stride * 2;
    this.check = this.count + this.stride;
    return false;
  }
}
