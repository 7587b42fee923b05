import { describe, expect, it } from 'vitest';
import { GradstreamError } from '../../src/index.js';
import { Cmd, CONTROL_WORDS, Ctl, Progress } from '../../src/workers/protocol.js';
import { StallWatch } from '../../src/workers/stallWatch.js';

/** Control words of a pool of `workers` in the middle of command `seq`. */
function control(workers: number, seq: number, cmd: number, arrived: number[], done: number[]): Int32Array {
  const c = new Int32Array(new SharedArrayBuffer(CONTROL_WORDS * 4));
  Atomics.store(c, Ctl.SEQ, seq);
  Atomics.store(c, Ctl.CMD, cmd);
  Atomics.store(c, Ctl.STEP, 7);
  for (let i = 0; i < workers; i++) {
    Atomics.store(c, Ctl.PROGRESS + 2 * i + Progress.ARRIVED, arrived[i]!);
    Atomics.store(c, Ctl.PROGRESS + 2 * i + Progress.DONE, done[i]!);
  }
  return c;
}

/** The error of a watch that sees no progress over two checks (timeout 0). */
function stalled(c: Int32Array, workers: number): GradstreamError & { worker?: number } {
  const watch = new StallWatch(c, workers, 0);
  watch.begin();
  watch.check(); // the first check only marks the counters
  try {
    watch.check();
  } catch (e: unknown) {
    return e as GradstreamError;
  }
  throw new Error('no stall reported');
}

describe('StallWatch', () => {
  it('names the replica that has not reached the barrier (the others wait there for it)', () => {
    // replica 1 waits at the barrier of command 5, replica 2 is still on its shard
    const e = stalled(control(3, 5, Cmd.STEP, [5, 5, 4], [4, 4, 4]), 3);
    expect(e).toBeInstanceOf(GradstreamError);
    expect(e.path).toBe('workers[2]');
    expect(e.worker).toBe(2);
    expect(e.message).toMatch(
      /^workers\[2\]: expected every replica to make progress within 0 ms \(stallTimeoutMs\), received none for \d+ ms: replica 2 of 3 has not finished its shard of step 7$/,
    );
  });

  it('else the replica that has not finished its slice of the reduction, or of an optimizer update', () => {
    expect(stalled(control(3, 5, Cmd.STEP, [5, 5, 5], [4, 5, 4]), 3).received).toMatch(
      /: replica 2 of 3 has not finished its slice of the reduction of step 7$/,
    );
    expect(stalled(control(2, 9, Cmd.APPLY, [8, 8], [8, 8]), 2).received).toMatch(
      /: replica 1 of 2 has not finished its slice of the optimizer update$/,
    );
    // every thread done (the loop's own replica is never named): a replica
    expect(stalled(control(2, 9, Cmd.APPLY, [9, 9], [9, 9]), 2).message).toMatch(/^workers: .*: a replica has not finished its part$/);
  });

  it('counts time without progress only: moving counters restart it', () => {
    const c = control(2, 3, Cmd.STEP, [3, 2], [2, 2]);
    const watch = new StallWatch(c, 2, 50);
    watch.begin();
    watch.check();
    const until = performance.now() + 120;
    // the counters move on every check: never a stall
    while (performance.now() < until) {
      Atomics.add(c, Ctl.ARRIVE, 1);
      watch.check();
    }
    const t0 = performance.now();
    let error: unknown = null;
    while (error === null && performance.now() - t0 < 5000) {
      try {
        watch.check();
      } catch (e: unknown) {
        error = e;
      }
    }
    expect((error as Error).message).toMatch(/replica 1 of 2 has not finished its shard of step 7$/);
    // a new command starts the count again
    watch.begin();
    expect(() => watch.check()).not.toThrow();
  });
});
