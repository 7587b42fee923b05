import { on } from 'node:events';
import { describe, expect, it } from 'vitest';
import { toEventEmitter } from '../../src/node.js';
import type { StepView, TrainingResult } from '../../src/index.js';
import { lessonRun, sleep } from './helpers.js';

describe('toEventEmitter', () => {
  it('events.on with highWaterMark applies backpressure: the run stays within the bound', async () => {
    const t = lessonRun({ maxSteps: 200 });
    const emitter = toEventEmitter(t);
    let ended: TrainingResult | undefined;
    emitter.on('end', (r: TrainingResult) => (ended = r));
    const seen: number[] = [];
    let maxAhead = 0;
    let pausedSeen = false;
    for await (const [s] of on(emitter, 'step', { highWaterMark: 8, close: ['end'] }) as AsyncIterable<[StepView]>) {
      seen.push(s.step);
      maxAhead = Math.max(maxAhead, t.getSnapshot().step - s.step);
      pausedSeen ||= emitter.isPaused;
      if (s.step % 20 === 0) await sleep(3);
    }
    expect(seen).toEqual(Array.from({ length: 201 }, (_, i) => i));
    expect(pausedSeen).toBe(true);
    expect(maxAhead).toBeLessThanOrEqual(10); // highWaterMark + the step in flight (+1 for Node's queue check)
    expect(ended?.stopReason).toBe('maxSteps');
  });

  it('emits lifecycle events, and errors only to listeners', async () => {
    const t = lessonRun({ maxSteps: 3, scheduler: 'sync' });
    const emitter = toEventEmitter(t);
    const types: string[] = [];
    emitter.on('event', (e: { type: string }) => types.push(e.type));
    await t.done();
    expect(types.filter((x) => x !== 'epochEnd')).toEqual(['started', 'stopped']);
    emitter.detach();
  });
});
