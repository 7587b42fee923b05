import { EventEmitter } from 'node:events';
import type { Subscription } from 'rxjs';
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
  /**
   * Stops listening for good: releases its pause hold and its subscriptions, so the run keeps no
   * reference to this emitter (the run continues unless nothing else watches it). Listeners added
   * afterwards receive nothing.
   */
  detach(): void;
}

/** Which run streams an emitter follows: those its listeners need, and no more. */
class RunEmitter extends EventEmitter {
  private steps: Subscription | undefined;
  private events: Subscription | undefined;
  private release: (() => void) | undefined;
  private detached = false;
  private ended = false;
  private clearing = false;

  constructor(private readonly training: Training) {
    super();
    this.hook();
  }

  get isPaused(): boolean {
    return this.release !== undefined;
  }

  pause(): void {
    if (this.release === undefined && !this.detached) this.release = this.training.holdPause('backpressure');
  }

  resume(): void {
    const r = this.release;
    this.release = undefined;
    // released after the caller's own bookkeeping (`events.on` marks itself resumed after calling
    // this), since a sliced run may continue synchronously inside the release
    if (r !== undefined) queueMicrotask(r);
  }

  detach(): void {
    this.detached = true;
    this.unhold();
    this.follow(0, 0);
  }

  override removeAllListeners(eventName?: string | symbol): this {
    // Node's removeAllListeners() calls removeAllListeners(name) for each name
    // (and tells "all" from "undefined" by its argument count)
    if (this.clearing) return eventName === undefined ? super.removeAllListeners() : super.removeAllListeners(eventName);
    this.clearing = true;
    try {
      if (eventName === undefined) super.removeAllListeners();
      else super.removeAllListeners(eventName);
    } finally {
      this.clearing = false;
    }
    this.hook(); // the hooks below may have gone with the rest
    this.follow(this.count('step'), this.count('event') + this.count('end') + this.count('error'));
    return this;
  }

  private hook(): void {
    if (this.listenerCount('newListener') === 0) this.on('newListener', this.onAdd);
    if (this.listenerCount('removeListener') === 0) this.on('removeListener', this.onRemove);
  }

  private count(name: string, adding?: string | symbol): number {
    return this.listenerCount(name) + (adding === name ? 1 : 0);
  }

  // 'newListener' comes before the listener is added, 'removeListener' after it is removed
  private readonly onAdd = (name: string | symbol): void => {
    this.follow(this.count('step', name), this.count('event', name) + this.count('end', name) + this.count('error', name));
  };

  private readonly onRemove = (): void => {
    this.follow(this.count('step'), this.count('event') + this.count('end') + this.count('error'));
  };

  /** Subscribes to the steps / events while someone listens for them, unsubscribes otherwise. */
  private follow(stepListeners: number, eventListeners: number): void {
    const wantSteps = stepListeners > 0 && !this.detached;
    const wantEvents = eventListeners > 0 && !this.detached;
    if (wantSteps && this.steps === undefined) {
      this.steps = this.training.steps$.subscribe({ next: (v: StepView) => this.emit('step', v), error: () => this.unhold() });
    } else if (!wantSteps && this.steps !== undefined) {
      this.steps.unsubscribe();
      this.steps = undefined;
    }
    if (wantEvents && this.events === undefined) {
      this.events = this.training.events$.subscribe({ next: (e: TrainingEvent) => this.onEvent(e), complete: () => this.onEnd() });
    } else if (!wantEvents && this.events !== undefined) {
      this.events.unsubscribe();
      this.events = undefined;
    }
  }

  private onEvent(e: TrainingEvent): void {
    this.emit('event', e);
    if (e.type === 'error') {
      this.unhold();
      if (this.listenerCount('error') > 0) this.emit('error', e.error);
    }
  }

  private onEnd(): void {
    this.unhold();
    // the run has settled here, so done() keeps no waiter
    void this.training.done().then(
      (r: TrainingResult) => {
        if (this.ended || this.detached) return;
        this.ended = true;
        this.emit('end', r);
      },
      () => {},
    );
  }

  private unhold(): void {
    this.release?.();
    this.release = undefined;
  }
}

/**
 * Adapts a {@link Training} to a Node `EventEmitter` with backpressure (see {@link TrainingEmitter}).
 * The emitter subscribes to the run only while it has listeners for `'step'` (the steps) or for
 * `'event'`, `'end'`, `'error'` (the lifecycle), and unsubscribes when they are removed
 * (`removeListener`, `removeAllListeners`, the end of a `for await … of on(emitter, 'step')` loop) or
 * on `detach()`: an emitter nobody listens to costs the run nothing and can be collected. The first
 * listener starts the run in a microtask unless it has started already. `'error'` is emitted only
 * when someone listens for it (else the error surfaces through `training.done()`).
 *
 * @example
 * import { on } from 'node:events';
 * import { fit, fullBatch, sequential, dense, mse, sgd, type StepView } from 'gradstream';
 * import { toEventEmitter } from 'gradstream/node';
 *
 * const training = fit({
 *   model: sequential([dense(1, 1)]),
 *   loss: mse(),
 *   optimizer: sgd({ lr: 0.1 }),
 *   data: fullBatch([[0], [1], [2]], [[1], [3], [5]]),
 *   maxSteps: 100,
 * });
 * const emitter = toEventEmitter(training);
 * for await (const [step] of on(emitter, 'step', { highWaterMark: 64, close: ['end'] }) as AsyncIterable<[StepView]>) {
 *   if (step.step % 10 === 0) console.log(step.step, step.loss);
 * }
 * emitter.detach(); // done with it: the run keeps nothing of this emitter
 */
export function toEventEmitter(training: Training): TrainingEmitter {
  return new RunEmitter(training);
}
