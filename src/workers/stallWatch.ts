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

  /**
   * The error naming the replica that holds the others up: the first that has not reached the
   * barrier of a step (the others wait there for it), else the first that has not finished.
   */
  private stalled(ms: number): GradstreamError {
    const c = this.control;
    const seq = Atomics.load(c, Ctl.SEQ);
    const step = Atomics.load(c, Ctl.CMD) === Cmd.STEP;
    const of = `step ${Atomics.load(c, Ctl.STEP)}`;
    let index = step ? this.first(Progress.ARRIVED, seq) : -1;
    let what = `its shard of ${of}`;
    if (index < 0) {
      index = this.first(Progress.DONE, seq);
      what = step ? `its slice of the reduction of ${of}` : 'its slice of the optimizer update';
    }
    const who = index < 0 ? 'a replica' : `replica ${index} of ${this.workers}`;
    if (index < 0) what = 'its part';
    const e = new GradstreamError({
      code: 'invalid_state',
      path: index < 0 ? 'workers' : `workers[${index}]`,
      expected: `every replica to make progress within ${this.timeoutMs} ms (stallTimeoutMs)`,
      received: `none for ${Math.round(ms)} ms: ${who} has not finished ${what}`,
    });
    if (index >= 0) (e as GradstreamError & { worker?: number }).worker = index;
    return e;
  }

  /** The first replica thread (index ≥ 1) whose progress word `word` is not at `seq`, or -1. */
  private first(word: number, seq: number): number {
    for (let i = 1; i < this.workers; i++) if (Atomics.load(this.control, Ctl.PROGRESS + 2 * i + word) !== seq) return i;
    return -1;
  }
}
