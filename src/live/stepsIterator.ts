import { GradstreamError } from '../core/errors.js';
import type { StepView, StepsIteratorOptions, Training } from './training.js';

/**
 * The async iterator behind `training.steps(options)`: subscribes to `steps$` on the first
 * `next()` and keeps `'latest'` (one pending view) or `'all'` (a queue that pauses the run at
 * `highWaterMark` and releases it at half). `return()` (a `break` out of `for await`) unsubscribes.
 * Ends when the run ends; throws the run's error.
 *
 * @example
 * // for await (const s of training.steps({ strategy: 'latest' })) console.log(s.step, s.loss);
 */
export function stepsIterator(training: Training, options: StepsIteratorOptions = {}): AsyncIterableIterator<StepView> {
  const strategy = options.strategy ?? 'latest';
  const highWaterMark = options.highWaterMark ?? 1024;
  if (strategy !== 'latest' && strategy !== 'all') {
    throw new GradstreamError({
      code: 'invalid_config',
      path: 'steps.strategy',
      expected: '"latest" or "all"',
      received: String(strategy),
    });
  }
  if (!Number.isInteger(highWaterMark) || highWaterMark < 1) {
    throw new GradstreamError({
      code: 'invalid_config',
      path: 'steps.highWaterMark',
      expected: 'an integer ≥ 1',
      received: String(highWaterMark),
    });
  }
  return new StepsIterator(training, strategy, highWaterMark);
}

/** The iterator of {@link stepsIterator}: a queue of views (from `head` on) and the one waiting `next()`. */
class StepsIterator implements AsyncIterableIterator<StepView> {
  private readonly queue: StepView[] = [];
  private head = 0;
  private ended = false;
  private failure: { error: unknown } | undefined;
  private waiting: { resolve: (r: IteratorResult<StepView>) => void; reject: (e: unknown) => void } | undefined;
  /** Releases the backpressure pause, while it is held. */
  private release: (() => void) | undefined;
  private subscribed = false;
  private unsubscribe: () => void = () => {};

  constructor(
    private readonly training: Training,
    private readonly strategy: 'latest' | 'all',
    private readonly highWaterMark: number,
  ) {}

  next(): Promise<IteratorResult<StepView>> {
    if (!this.subscribed) this.subscribe();
    return new Promise<IteratorResult<StepView>>((resolve, reject) => {
      this.waiting = { resolve, reject };
      this.flush();
    });
  }

  return(): Promise<IteratorResult<StepView>> {
    this.stopIterating();
    this.flush();
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<StepView> {
    return this;
  }

  private size(): number {
    return this.queue.length - this.head;
  }

  /** Settles the waiting `next()` when there is a view, the error, or the end. */
  private flush(): void {
    if (this.waiting === undefined) return;
    const w = this.waiting;
    if (this.size() > 0) {
      this.waiting = undefined;
      w.resolve({ value: this.take(), done: false });
    } else if (this.failure !== undefined) {
      this.waiting = undefined;
      w.reject(this.failure.error);
    } else if (this.ended) {
      this.waiting = undefined;
      w.resolve({ value: undefined, done: true });
    }
  }

  private take(): StepView {
    const queue = this.queue;
    const v = queue[this.head]!;
    this.head += 1;
    if (this.head > 1024 && this.head * 2 > queue.length) {
      queue.splice(0, this.head);
      this.head = 0;
    }
    if (this.release !== undefined && this.size() <= this.highWaterMark >> 1) {
      const r = this.release;
      this.release = undefined;
      r(); // a sliced run may continue synchronously, right here
    }
    return v;
  }

  private push(v: StepView): void {
    if (this.strategy === 'latest') {
      this.queue.length = 0;
      this.head = 0;
      this.queue.push(v);
    } else {
      this.queue.push(v);
      if (this.release === undefined && this.size() >= this.highWaterMark) this.release = this.training.holdPause('backpressure');
    }
    this.flush();
  }

  private subscribe(): void {
    this.subscribed = true;
    const sub = this.training.steps$.subscribe({
      next: (v) => this.push(v),
      error: (e: unknown) => {
        this.failure = { error: e };
        this.flush();
      },
      complete: () => {
        this.ended = true;
        this.flush();
      },
    });
    this.unsubscribe = () => sub.unsubscribe();
  }

  private stopIterating(): void {
    this.ended = true;
    this.unsubscribe();
    this.release?.();
    this.release = undefined;
    this.queue.length = 0;
    this.head = 0;
  }
}
