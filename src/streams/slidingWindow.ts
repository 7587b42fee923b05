import { defer, filter, map, type OperatorFunction } from 'rxjs';
import { GradstreamError, describeValue } from '../core/errors.js';
import { checkOptions } from './checkOptions.js';
import { checkPositiveInteger } from './sampleQueue.js';

/** Options of {@link slidingWindow}. */
export interface SlidingWindowOptions {
  /** Events per window: the sample's inputs are the last `size` events, oldest first. */
  readonly size: number;
  /** Events between the ends of consecutive windows (default 1: a sample per event). */
  readonly step?: number;
  /** How many events after a window's last event its target is (default 1: the next event). */
  readonly horizon?: number;
}

/** A forecasting sample of {@link slidingWindow}: `size × features` inputs and the `features` values `horizon` events later. */
export interface WindowSample {
  readonly x: Float64Array;
  readonly y: Float64Array;
}

/**
 * Turns a stream of events — numbers, or vectors of `features` numbers each — into forecasting
 * samples: when event `k + horizon` arrives, it emits `{ x, y }` with `x` the events
 * `k − size + 1 … k` (oldest first, `size × features` numbers, event after event: the input of a
 * recurrent layer with `timesteps: size`) and `y` event `k + horizon`. Windows end every `step`
 * events, the first at event `size − 1`. Memory is bounded: a ring of `size + horizon` events.
 * Each sample's arrays are fresh (samples may be kept).
 *
 * Feed the samples to `fromObservable` — events of an `EventEmitter` or `EventTarget` through RxJS
 * `fromEvent(target, name).pipe(slidingWindow(…))` — and train with `prequential` to score each
 * window before the model learns from it. Completes when the source
 * completes (the last `horizon` events have no target yet and make no sample); passes the
 * source's error on; errors with a `GradstreamError` naming the event when an event is not a
 * finite number or a list of them, or its width differs from the first event's.
 *
 * @example
 * import { Subject } from 'rxjs';
 * import { fromObservable, slidingWindow } from 'gradstream';
 * const readings$ = new Subject<number>();
 * // the last 12 readings → the next one
 * const data = fromObservable(readings$.pipe(slidingWindow({ size: 12 })), { batchSize: 1 });
 * readings$.next(20.5); // from a sensor, a socket, a queue…
 */
export function slidingWindow(opts: SlidingWindowOptions): OperatorFunction<number | ArrayLike<number>, WindowSample> {
  const options = checkOptions('slidingWindow', opts);
  for (const key of Object.keys(options)) {
    if (key !== 'size' && key !== 'step' && key !== 'horizon') {
      throw new GradstreamError({
        code: 'invalid_config',
        path: `slidingWindow.${key}`,
        expected: 'a known option (size, step, horizon)',
        received: 'an unknown option',
      });
    }
  }
  const size = options.size;
  const step = options.step ?? 1;
  const horizon = options.horizon ?? 1;
  checkPositiveInteger('slidingWindow.size', size);
  checkPositiveInteger('slidingWindow.step', step);
  checkPositiveInteger('slidingWindow.horizon', horizon);
  const capacity = size + horizon;

  // Built-in operators underneath: a synchronous source stops as soon as downstream unsubscribes.
  return (source) =>
    defer(() => {
      let width = 0; // numbers per event, from the first event
      let ring = new Float64Array(0); // `capacity` events
      let seen = 0; // events so far
      const push = (event: number | ArrayLike<number>): WindowSample | null => {
        const n = widthOf(event);
        if (n < 0 || (seen > 0 && n !== width)) throw badEvent(event, seen, width);
        if (seen === 0) {
          width = n;
          ring = new Float64Array(capacity * width);
        }
        const slot = (seen % capacity) * width;
        if (typeof event === 'number') ring[slot] = event;
        else for (let j = 0; j < width; j++) ring[slot + j] = event[j]!;
        const end = seen - horizon; // the last event of the window this event is the target of
        seen += 1;
        if (end < size - 1 || (end - size + 1) % step !== 0) return null;
        const x = new Float64Array(size * width);
        for (let e = 0; e < size; e++) {
          const from = ((end - size + 1 + e) % capacity) * width;
          for (let j = 0; j < width; j++) x[e * width + j] = ring[from + j]!;
        }
        return { x, y: ring.slice(slot, slot + width) };
      };
      return source.pipe(
        map(push),
        filter((sample): sample is WindowSample => sample !== null),
      );
    });
}

/** The number of values of an event (1 for a number), or −1 when it is not a finite number or a non-empty list of them. */
function widthOf(event: unknown): number {
  if (typeof event === 'number') return Number.isFinite(event) ? 1 : -1;
  const list = event as ArrayLike<unknown> | null;
  if (typeof list !== 'object' || list === null || typeof list.length !== 'number' || list.length === 0) return -1;
  for (let j = 0; j < list.length; j++) {
    const v = list[j];
    if (typeof v !== 'number' || !Number.isFinite(v)) return -1;
  }
  return list.length;
}

function badEvent(event: unknown, index: number, width: number): GradstreamError {
  const expected =
    index === 0 || width === 0
      ? 'a finite number or a non-empty list of finite numbers'
      : width === 1
        ? 'a finite number (as the first event)'
        : `a list of ${width} finite numbers (as the first event)`;
  return new GradstreamError({ code: 'invalid_value', path: `slidingWindow event ${index}`, expected, received: describeValue(event) });
}
