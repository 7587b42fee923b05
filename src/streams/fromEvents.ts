import { filter, fromEvent, map, merge, takeUntil, type Observable } from 'rxjs';
import { GradstreamError, describeValue } from '../core/errors.js';
import { checkOptions } from './checkOptions.js';
import { InvalidSample, type OnlineSource } from './deadLetters.js';
import { fromObservable, type FromObservableOptions } from './fromObservable.js';
import type { SampleOrBatch } from './sampleQueue.js';

/** A DOM `EventTarget`: a button, an `input`, a `WebSocket`, a `BroadcastChannel`, `window`… */
export interface EventTargetSource<E> {
  addEventListener(type: string, listener: (event: E) => void): void;
  removeEventListener(type: string, listener: (event: E) => void): void;
}

/** A Node `EventEmitter` (or anything with `addListener` / `removeListener`). */
export interface EventEmitterSource {
  addListener(eventName: string, listener: (...args: unknown[]) => void): unknown;
  removeListener(eventName: string, listener: (...args: unknown[]) => void): unknown;
}

/** Options of {@link fromEvents}: how an event becomes a sample, what ends the data, and {@link fromObservable}'s batching and buffer. */
export interface FromEventsOptions<E> extends FromObservableOptions {
  /**
   * Turns one event into a sample `{ x, y }` (or a batch); `null` or `undefined` skips the event.
   * Default: the event itself (an emitter that emits samples). A Node event emitted with several
   * arguments arrives as an array of them. A `map` that throws refuses the event like an invalid
   * sample: with `invalid: 'error'` (default) the run errors with what it threw; with `'skip'` the
   * event is left out. Either way the event and the reason appear on `rejected$`.
   */
  readonly map?: (event: E) => SampleOrBatch | null | undefined;
  /** An event of the same target that ends the data (`stopReason: 'dataEnd'` once the waiting samples have trained), e.g. `'end'` or `'close'`. */
  readonly endOn?: string;
  /** An event of the same target that errors the run with its payload, e.g. `'error'` (an emitter's `'error'` then no longer throws). */
  readonly errorOn?: string;
}

const isFunction = (v: unknown): boolean => typeof v === 'function';

/**
 * A data source fed by events — DOM events of an `EventTarget` or a Node `EventEmitter`'s events:
 * each event of type `eventName`, turned into a sample by `map`, enters {@link fromObservable}
 * (RxJS `fromEvent` underneath), so samples wait in the same bounded buffer with the same overflow
 * policy (`buffer: { size, overflow }`, drops counted on `record.dropped`) and train `batchSize`
 * at a time, or fewer after `maxWaitMs`. Browser-safe.
 *
 * Each run adds its listeners when it opens the source and removes them when it ends (completes,
 * errors, is stopped or unsubscribed). The run ends with `stopReason: 'dataEnd'` on the `endOn`
 * event, and errors on the `errorOn` event (with its payload), when `map` throws, or on a bad
 * sample or an overflow with policy `'error'` (a `GradstreamError`). With `invalid: 'skip'` a bad
 * sample or an event `map` throws on is left out instead, counted on `record.rejected`; the
 * source's `rejected$` reports each refused event with its reason, during the event's dispatch, so
 * a producer can answer it. Without `endOn` the run goes on until stopped. Bad arguments throw a `GradstreamError` naming the option.
 *
 * @example
 * import { EventEmitter } from 'node:events';
 * import { createRng, dense, fit, fromEvents, mse, sequential, sgd } from 'gradstream';
 * // a Node EventEmitter of sensor readings (in a page: an EventTarget, e.g. a WebSocket's 'message')
 * const sensor = new EventEmitter();
 * const data = fromEvents(sensor, 'reading', {
 *   map: (r: { t: number; v: number }) => ({ x: [r.t], y: [r.v] }),
 *   batchSize: 8,
 *   maxWaitMs: 100,
 *   buffer: { size: 1000, overflow: 'dropOldest' },
 *   invalid: 'skip',
 *   endOn: 'close',
 * });
 * data.rejected$.subscribe((r) => console.warn(`refused: ${r.reason}`));
 * const model = sequential([dense(1, 1)]);
 * const training = fit({ model, loss: mse(), optimizer: sgd({ lr: 0.05 }), params: model.init(createRng(1)), data });
 * training.start();
 * sensor.emit('reading', { t: 0.5, v: 2.5 });
 * sensor.emit('close');
 */
export function fromEvents<E = unknown>(
  target: EventTargetSource<E> | EventEmitterSource,
  eventName: string,
  opts?: FromEventsOptions<E>,
): OnlineSource {
  checkTarget(target, eventName);
  const { map: toSample, endOn, errorOn, ...rest } = checkOptions('fromEvents', opts);
  if (toSample !== undefined && typeof toSample !== 'function') {
    throw new GradstreamError({
      code: 'invalid_config',
      path: 'fromEvents.map',
      expected: 'a function from an event to a sample',
      received: describeValue(toSample),
    });
  }
  for (const [name, value] of [
    ['endOn', endOn],
    ['errorOn', errorOn],
  ] as const) {
    if (value !== undefined && (typeof value !== 'string' || value === '')) {
      throw new GradstreamError({
        code: 'invalid_config',
        path: `fromEvents.${name}`,
        expected: 'an event name',
        received: describeValue(value),
      });
    }
  }
  const samples$ = eventSamples(target, eventName, toSample, endOn, errorOn);
  try {
    // (an InvalidSample travels as a sample: fromObservable's queue refuses it under its policy)
    return fromObservable(samples$ as Observable<SampleOrBatch>, rest);
  } catch (e: unknown) {
    // the batching options are fromObservable's: name them as the caller wrote them
    if (e instanceof GradstreamError && e.path.startsWith('fromObservable')) {
      throw new GradstreamError({
        code: e.code,
        path: `fromEvents${e.path.slice('fromObservable'.length)}`,
        expected: e.expected,
        received: e.received,
      });
    }
    throw e;
  }
}

function checkTarget(target: unknown, eventName: unknown): void {
  const t = target as Partial<EventTargetSource<unknown> & EventEmitterSource> | null;
  const isTarget = typeof t === 'object' && t !== null && isFunction(t.addEventListener) && isFunction(t.removeEventListener);
  const isEmitter = typeof t === 'object' && t !== null && isFunction(t.addListener) && isFunction(t.removeListener);
  if (!isTarget && !isEmitter) {
    throw new GradstreamError({
      code: 'invalid_config',
      path: 'fromEvents.target',
      expected: 'an EventTarget (addEventListener) or an EventEmitter (addListener)',
      received: describeValue(target),
    });
  }
  if (typeof eventName !== 'string' || eventName === '') {
    throw new GradstreamError({
      code: 'invalid_config',
      path: 'fromEvents.eventName',
      expected: 'an event name',
      received: describeValue(eventName),
    });
  }
}

/**
 * The events as samples: mapped (a throwing `map` makes an {@link InvalidSample}), an `errorOn`
 * event erroring the stream, an `endOn` event completing it. RxJS `fromEvent` picks
 * addEventListener or addListener itself; each subscription (each run) adds its listeners and
 * removes them when it ends.
 */
function eventSamples<E>(
  target: EventTargetSource<E> | EventEmitterSource,
  eventName: string,
  toSample: ((event: E) => SampleOrBatch | null | undefined) | undefined,
  endOn: string | undefined,
  errorOn: string | undefined,
): Observable<SampleOrBatch | InvalidSample> {
  const on = <T>(name: string): Observable<T> => fromEvent(target as unknown as EventTargetSource<T>, name);
  const toItem = (e: E): SampleOrBatch | InvalidSample | null | undefined => {
    if (toSample === undefined) return e as unknown as SampleOrBatch;
    try {
      return toSample(e);
    } catch (error: unknown) {
      return new InvalidSample(e, error); // refused by the source, under its `invalid` policy
    }
  };
  const events$ = on<E>(eventName).pipe(
    map(toItem),
    filter((s): s is SampleOrBatch | InvalidSample => s !== null && s !== undefined),
  );
  const withErrors$ =
    errorOn === undefined
      ? events$
      : merge(
          events$,
          on<unknown>(errorOn).pipe(
            map((e): InvalidSample => {
              throw e;
            }),
          ),
        );
  return endOn === undefined ? withErrors$ : withErrors$.pipe(takeUntil(on<unknown>(endOn)));
}
