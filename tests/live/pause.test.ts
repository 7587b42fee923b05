import { describe, expect, it } from 'vitest';
import type { StepView, TrainingEvent } from '../../src/index.js';
import { lessonRun, sleep } from './helpers.js';

describe('Training pause / resume', () => {
  it('takes no step while paused and continues from the same step', async () => {
    const t = lessonRun({ sliceMs: 2 });
    const views: StepView[] = [];
    const events: TrainingEvent[] = [];
    t.steps$.subscribe((v) => views.push(v));
    t.events$.subscribe((e) => events.push(e));
    t.start();
    await sleep(15);
    t.pause();
    await sleep(5); // the current slice ends at a step boundary
    const at = t.getSnapshot().step;
    const n = views.length;
    expect(t.getSnapshot().status).toBe('paused');
    await sleep(30);
    expect(views.length).toBe(n);
    expect(t.getSnapshot().step).toBe(at);
    t.resume();
    await sleep(15);
    expect(views.length).toBeGreaterThan(n);
    expect(views[n]!.step).toBe(at + 1); // nothing skipped, nothing repeated
    for (let i = 1; i < views.length; i++) expect(views[i]!.step).toBe(views[i - 1]!.step + 1);
    const r = await t.stop();
    expect(r.stopReason).toBe('stopped');
    expect(events.map((e) => e.type).filter((x) => x !== 'epochEnd')).toEqual(['started', 'paused', 'resumed', 'stopped']);
  });

  it('stop() while paused ends the run', async () => {
    const t = lessonRun();
    t.start();
    await sleep(5);
    t.pause();
    await sleep(5);
    const at = t.getSnapshot().step;
    const r = await t.stop();
    expect(r.stopReason).toBe('stopped');
    expect(r.step).toBeGreaterThanOrEqual(at);
    expect(r.step).toBeLessThanOrEqual(at + 1);
  });

  it('a run paused before it starts waits for resume()', async () => {
    const t = lessonRun({ maxSteps: 10 });
    t.pause();
    t.start();
    await sleep(10);
    expect(t.getSnapshot()).toMatchObject({ status: 'paused', step: 0 });
    t.resume();
    expect((await t.done()).step).toBe(10);
  });

  it('an AbortSignal ends the run as aborted', async () => {
    const ac = new AbortController();
    const { fit, fullBatch, sgd } = await import('../../src/index.js');
    const { seedLoss, seedModel, seedParams, seedT, seedX } = await import('../helpers/seed.js');
    const t = fit({
      model: seedModel,
      loss: seedLoss,
      optimizer: sgd({ lr: 0.001 }),
      data: fullBatch(seedX, seedT),
      params: seedParams(),
      signal: ac.signal,
    }).start();
    await sleep(5);
    ac.abort();
    expect((await t.done()).stopReason).toBe('aborted');
  });
});
