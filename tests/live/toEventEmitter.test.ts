import { on } from 'node:events';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Observable } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { toEventEmitter } from '../../src/node.js';
import type { StepView, Training, TrainingResult } from '../../src/index.js';
import { lessonRun, sleep } from './helpers.js';

/** The run, with its steps$ / events$ counting their live subscriptions and done() its callers. */
function counted(t: Training): { training: Training; subs: { steps: number; events: number; done: number } } {
  const subs = { steps: 0, events: 0, done: 0 };
  const wrap = <T>(src: Observable<T>, key: 'steps' | 'events'): Observable<T> =>
    new Observable<T>((sub) => {
      subs[key] += 1;
      const inner = src.subscribe(sub);
      return () => {
        subs[key] -= 1;
        inner.unsubscribe();
      };
    });
  const training = Object.create(t, {
    steps$: { value: wrap(t.steps$, 'steps') },
    events$: { value: wrap(t.events$, 'events') },
    done: { value: () => ((subs.done += 1), t.done()) },
  }) as Training;
  return { training, subs };
}

function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

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

  it('subscribes only while someone listens, and lets go on removeListener, removeAllListeners and detach', async () => {
    const { training, subs } = counted(lessonRun({ maxSteps: 10_000_000 }));
    training.start(); // runs whether or not these emitters watch it
    const idle = Array.from({ length: 1000 }, () => toEventEmitter(training));
    expect(subs).toEqual({ steps: 0, events: 0, done: 0 });
    const stepFn = (): void => {};
    idle[0]!.on('step', stepFn);
    idle[1]!.on('end', () => {});
    idle[2]!.on('event', () => {}).on('error', () => {});
    expect(subs).toEqual({ steps: 1, events: 2, done: 0 });
    idle[0]!.off('step', stepFn);
    idle[1]!.removeAllListeners();
    idle[2]!.removeAllListeners('event');
    expect(subs).toEqual({ steps: 0, events: 1, done: 0 });
    idle[2]!.detach();
    expect(subs).toEqual({ steps: 0, events: 0, done: 0 });
    idle[2]!.on('step', () => {}); // detached for good
    expect(subs.steps).toBe(0);
    // a removeAllListeners() emitter still follows listeners added later
    idle[1]!.on('step', stepFn);
    expect(subs.steps).toBe(1);
    // a `for await … of on(…)` that breaks leaves nothing subscribed
    const loops = idle.slice(3, 53); // each waits for the next time slice
    for (const e of loops) {
      for await (const _ of on(e, 'step') as AsyncIterable<[StepView]>) break;
    }
    expect(subs).toEqual({ steps: 1, events: 0, done: 0 });
    idle[1]!.detach();
    expect(subs.steps).toBe(0);
    await training.stop();
  });

  it('keeps nothing of a detached emitter while the run goes on', async () => {
    const t = lessonRun({ maxSteps: 1_000_000 });
    let steps = 0;
    // made in a plain function: an async function's frame would keep its last local alive
    const attachAndDetach = (): WeakRef<object>[] =>
      Array.from({ length: 200 }, () => {
        const e = toEventEmitter(t);
        e.on('step', () => (steps += 1))
          .on('event', () => {})
          .on('end', () => {});
        e.pause();
        e.resume();
        e.detach();
        return new WeakRef(e);
      });
    const refs = attachAndDetach();
    const keep = toEventEmitter(t);
    let seen = 0;
    keep.on('step', () => (seen += 1));
    while (seen < 5) await sleep(5);
    collectGarbage();
    await sleep(0);
    collectGarbage();
    expect(refs.flatMap((r, i) => (r.deref() === undefined ? [] : [i]))).toEqual([]);
    expect(t.getSnapshot().status).toBe('running');
    expect(steps).toBe(0);
    keep.detach();
    await t.stop();
  });

  it('an end listener added after the run ended still receives the result', async () => {
    const t = lessonRun({ maxSteps: 3, scheduler: 'sync' });
    const first = toEventEmitter(t);
    first.on('step', () => {});
    const r = await t.done();
    const late = toEventEmitter(t);
    const got = await new Promise<TrainingResult>((resolve) => late.on('end', resolve));
    expect(got.step).toBe(r.step);
    first.detach();
  });
});
