/**
 * A bounded record of (step, loss) for the summary curve: keeps at most `capacity` evenly spaced
 * points of any run, however long — when full it drops every other point and samples half as
 * often. Preallocated; recording allocates nothing.
 */
export class LossHistory {
  readonly steps: Float64Array;
  readonly losses: Float64Array;
  private count = 0;
  private seen = 0;
  private stride = 1;
  private lastStep = Number.NaN;
  private lastLoss = Number.NaN;

  constructor(readonly capacity = 1024) {
    this.steps = new Float64Array(capacity);
    this.losses = new Float64Array(capacity);
  }

  /** Records one step's loss (sampled: see the class comment). */
  add(step: number, loss: number): void {
    this.lastStep = step;
    this.lastLoss = loss;
    const k = this.seen++;
    if (k % this.stride !== 0) return;
    if (this.count === this.capacity) {
      const half = this.capacity >> 1;
      for (let i = 0; i < half; i++) {
        this.steps[i] = this.steps[2 * i]!;
        this.losses[i] = this.losses[2 * i]!;
      }
      this.count = half;
      this.stride *= 2;
      if (k % this.stride !== 0) return;
    }
    this.steps[this.count] = step;
    this.losses[this.count++] = loss;
  }

  /** The recorded points, the last step recorded always included. */
  points(): { steps: Float64Array; losses: Float64Array } {
    const n = this.count;
    const tail = n > 0 && this.steps[n - 1] === this.lastStep ? 0 : Number.isNaN(this.lastStep) ? 0 : 1;
    const steps = new Float64Array(n + tail);
    const losses = new Float64Array(n + tail);
    steps.set(this.steps.subarray(0, n));
    losses.set(this.losses.subarray(0, n));
    if (tail === 1) {
      steps[n] = this.lastStep;
      losses[n] = this.lastLoss;
    }
    return { steps, losses };
  }
}
