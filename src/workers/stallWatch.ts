import { GradstreamError } from '../core/errors.js';
import { Cmd, Ctl, Progress } from './protocol.js';

/**
 * The loop thread's watch over the replicas during a pool's commands: when the command's counters
 * (`ARRIVE`, `DONE`) have not moved for `timeoutMs`, a replica has stalled (hung in a model's
 * code, a thread descheduled for good), and {@link StallWatch.check} throws a `GradstreamError`
 * naming it, read from the replicas' progress words. Checked only when a wait wakes without its
 * answer: nothing is read or timed per step.
 */
export class StallWatch {
  /** The counters' sum at the last check (-1: none yet in this command) and when it last moved. */
  private mark = -1;
  private since = 0;

  constructor(
    private readonly control: Int32Array,
    private readonly workers: number,
    readonly timeoutMs: number,
  ) {}

  /** A new command starts: its progress is measured from the first check. */
  begin(): void {
    this.mark = -1;
  }

  /** Throws the stall error when the counters have not moved for `timeoutMs`. */
  check(): void {
    const c = this.control;
    const mark = Atomics.load(c, Ctl.ARRIVE) + Atomics.load(c, Ctl.DONE);
    const now = performance.now();
    if (mark !== this.mark) {
      this.mark = mark;
      this.since = now;
    } else if (now - this.since >= this.timeoutMs) {
      throw this.stalled(now - this.since);
    }
  }

  /** The error naming the first replica that has not reached its next point of the command. */
  private stalled(ms: number): GradstreamError {
    const c = this.control;
    const seq = Atomics.load(c, Ctl.SEQ);
    const step = Atomics.load(c, Ctl.CMD) === Cmd.STEP;
    let index = -1;
    let what = '';
    for (let i = 1; i < this.workers && index < 0; i++) {
      const at = Ctl.PROGRESS + 2 * i;
      if (step && Atomics.load(c, at + Progress.ARRIVED) !== seq) [index, what] = [i, `its shard of step ${Atomics.load(c, Ctl.STEP)}`];
      else if (Atomics.load(c, at + Progress.DONE) !== seq) [index, what] = [i, step ? `its slice of the reduction of step ${Atomics.load(c, Ctl.STEP)}` : 'its slice of the optimizer update'];
    }
    const who = index < 0 ? 'a replica' : `replica ${index} of ${this.workers}`;
    const e = new GradstreamError({
      code: 'invalid_state',
      path: index < 0 ? 'workers' : `workers[${index}]`,
      expected: `every replica to make progress within ${this.timeoutMs} ms (stallTimeoutMs)`,
      received: `none for ${Math.round(ms)} ms: ${who} has not finished ${what || 'its part'}`,
    });
    if (index >= 0) (e as GradstreamError & { worker?: number }).worker = index;
    return e;
  }
}
