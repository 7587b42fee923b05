import { describe, expect, it } from 'vitest';
import { lessonRun, sleep } from './helpers.js';

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
});
