import { EventEmitter } from 'node:events';
import type { StepView, Training, TrainingEvent, TrainingResult } from './training.js';

/**
 * The EventEmitter view of a run: `'step'` (a {@link StepView}), `'event'` (a
 * {@link TrainingEvent}), `'end'` (the {@link TrainingResult}) and `'error'`. `pause()` holds the run
 * at the next step boundary (`by: 'backpressure'`) and `resume()` releases it, which is what
 * `events.on(emitter, 'step', { highWaterMark, lowWaterMark })` calls when its unread queue grows
 * past `highWaterMark` and falls under `lowWaterMark`: the run then never gets more than one step
 * ahead of that bound.
 */
export interface TrainingEmitter extends EventEmitter {
  pause(): void;
  resume(): void;
  /** True while this emitter holds the run paused. */
  readonly isPaused: boolean;
  /** Stops listening (the run continues unless nothing else watches it). */
  detach(): void;
}

/**
 * Adapts a {@link Training} to a Node `EventEmitter` with backpressure (see {@link TrainingEmitter}).
 * Subscribes at once, which starts the run in a microtask unless it has started already — attach
 * listeners in the same tick. `'error'` is emitted only when someone listens for it (else the error
 * surfaces through `training.done()`).
 *
 * @example
 * import { on } from 'node:events';
 * import { toEventEmitter } from 'gradstream/node';
 * // const emitter = toEventEmitter(training);
 * // for await (const [step] of on(emitter, 'step', { highWaterMark: 64, close: ['end'] })) await save(step);
 */
export function toEventEmitter(training: Training): TrainingEmitter {
  let release: (() => void) | undefined;
  const emitter = new EventEmitter() as TrainingEmitter;
  const steps = training.steps$.subscribe({
    next: (v: StepView) => emitter.emit('step', v),
    error: (e: unknown) => {
      release?.();
      if (emitter.listenerCount('error') > 0) emitter.emit('error', e);
    },
  });
  const events = training.events$.subscribe((e: TrainingEvent) => {
    emitter.emit('event', e);
  });
  void training.done().then(
    (r: TrainingResult) => emitter.emit('end', r),
    () => {},
  );
  Object.defineProperties(emitter, {
    isPaused: { get: () => release !== undefined },
  });
  emitter.pause = () => {
    if (release === undefined) release = training.holdPause('backpressure');
  };
  emitter.resume = () => {
    const r = release;
    release = undefined;
    // released after the caller's own bookkeeping (`events.on` marks itself resumed after calling
    // this), since a sliced run may continue synchronously inside the release
    if (r !== undefined) queueMicrotask(r);
  };
  emitter.detach = () => {
    release?.();
    release = undefined;
    steps.unsubscribe();
    events.unsubscribe();
  };
  return emitter;
}
