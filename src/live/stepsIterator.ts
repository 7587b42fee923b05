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
  const queue: StepView[] = [];
  let head = 0;
  let ended = false;
  let failure: { error: unknown } | undefined;
  let waiting: { resolve: (r: IteratorResult<StepView>) => void; reject: (e: unknown) => void } | undefined;
  let release: (() => void) | undefined;
  let subscribed = false;
  let unsubscribe: () => void = () => {};

  const size = (): number => queue.length - head;
  const flush = (): void => {
    if (waiting === undefined) return;
    const w = waiting;
    if (size() > 0) {
      waiting = undefined;
      w.resolve({ value: take(), done: false });
    } else if (failure !== undefined) {
      waiting = undefined;
      w.reject(failure.error);
    } else if (ended) {
      waiting = undefined;
      w.resolve({ value: undefined, done: true });
    }
  };
  const take = (): StepView => {
    const v = queue[head]!;
    head += 1;
    if (head > 1024 && head * 2 > queue.length) {
      queue.splice(0, head);
      head = 0;
    }
    if (release !== undefined && size() <= highWaterMark >> 1) {
      const r = release;
      release = undefined;
      r(); // a sliced run may continue synchronously, right here
    }
    return v;
  };
  const subscribe = (): void => {
    subscribed = true;
    const sub = training.steps$.subscribe({
      next(v) {
        if (strategy === 'latest') {
          queue.length = 0;
          head = 0;
          queue.push(v);
        } else {
          queue.push(v);
          if (release === undefined && size() >= highWaterMark) release = training.holdPause('backpressure');
        }
        flush();
      },
      error(e: unknown) {
        failure = { error: e };
        flush();
      },
      complete() {
        ended = true;
        flush();
      },
    });
    unsubscribe = () => sub.unsubscribe();
  };
  const stopIterating = (): void => {
    ended = true;
    unsubscribe();
    release?.();
    release = undefined;
    queue.length = 0;
    head = 0;
  };

  const iterator: AsyncIterableIterator<StepView> = {
    next() {
      if (!subscribed) subscribe();
      return new Promise<IteratorResult<StepView>>((resolve, reject) => {
        waiting = { resolve, reject };
        flush();
      });
    },
    return() {
      stopIterating();
      flush();
      return Promise.resolve({ value: undefined, done: true });
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator;
}
