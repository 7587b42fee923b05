import { Subject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { stepsIterator } from '../../src/live/stepsIterator.js';
import type { StepView, Training } from '../../src/live/training.js';
import { lessonRun, sleep } from './helpers.js';

/** A stand-in run: its steps are pushed by the test; holds and releases of the pause are counted. */
function fakeRun(): { steps$: Subject<StepView>; holds: string[]; releases: number; training: Training } {
  const run = { steps$: new Subject<StepView>(), holds: [] as string[], releases: 0, training: undefined as unknown as Training };
  run.training = {
    steps$: run.steps$,
    holdPause: (reason: string) => {
      run.holds.push(reason);
      return () => {
        run.releases += 1;
      };
    },
  } as unknown as Training;
  return run;
}
const view = (step: number): StepView => ({ step }) as StepView;

describe('training.steps()', () => {
  it("'all' yields every step in order and pauses the run at the high-water mark", async () => {
    const t = lessonRun({ maxSteps: 300 });
    const steps: number[] = [];
    let maxAhead = 0;
    for await (const s of t.steps({ strategy: 'all', highWaterMark: 16 })) {
      maxAhead = Math.max(maxAhead, t.getSnapshot().step - s.step);
      steps.push(s.step);
      if (s.step % 50 === 0) await sleep(2);
    }
    expect(steps).toEqual(Array.from({ length: 301 }, (_, i) => i));
    expect(maxAhead).toBeLessThanOrEqual(17);
  });

  it("'latest' skips steps for a slow reader and keeps one", async () => {
    const t = lessonRun({ maxSteps: 20_000 });
    const steps: number[] = [];
    for await (const s of t.steps({ strategy: 'latest' })) {
      steps.push(s.step);
      await sleep(5);
    }
    expect(steps.length).toBeLessThan(20_000);
    expect(steps.at(-1)).toBe(20_000);
    for (let i = 1; i < steps.length; i++) expect(steps[i]!).toBeGreaterThan(steps[i - 1]!);
  });

  it('break stops a run started by the iterator', async () => {
    const t = lessonRun();
    for await (const s of t.steps()) if (s.step >= 10) break;
    const r = await t.done();
    expect(r.stopReason).toBe('stopped');
  });

  it('rejects bad options', () => {
    const t = lessonRun();
    expect(() => t.steps({ strategy: 'some' as 'all' })).toThrow('steps.strategy: expected "latest" or "all", received some');
    expect(() => t.steps({ highWaterMark: 0 })).toThrow('steps.highWaterMark: expected an integer ≥ 1, received 0');
  });

  it("'all' keeps a long queue in order, holds the run at the mark and releases it at half", async () => {
    const run = fakeRun();
    const it = stepsIterator(run.training, { strategy: 'all', highWaterMark: 3000 });
    const first = it.next(); // subscribes
    for (let i = 0; i < 5000; i++) run.steps$.next(view(i));
    run.steps$.complete();
    expect(run.holds).toEqual(['backpressure']);
    const steps = [(await first).value!.step];
    for (;;) {
      const r = await it.next();
      if (r.done === true) break;
      steps.push(r.value.step);
      if (steps.length === 3501) expect(run.releases).toBe(1); // at most 1500 left
    }
    expect(steps).toEqual(Array.from({ length: 5000 }, (_, i) => i));
    expect(run.releases).toBe(1);
  });

  it("throws the run's error after the steps before it; return() ends the iteration", async () => {
    const run = fakeRun();
    const it = stepsIterator(run.training, { strategy: 'all' });
    const first = it.next();
    run.steps$.next(view(0));
    run.steps$.error(new Error('boom'));
    expect((await first).value).toEqual(view(0));
    await expect(it.next()).rejects.toThrow('boom');
    const other = stepsIterator(fakeRun().training);
    const pending = other.next();
    expect(await other.return!()).toEqual({ value: undefined, done: true });
    expect(await pending).toEqual({ value: undefined, done: true });
    expect(other[Symbol.asyncIterator]()).toBe(other);
  });
});
