import { Observable, takeUntil, type MonoTypeOperatorFunction, type Subscriber } from 'rxjs';

/**
 * Ends the source subscription as soon as `subscriber` is unsubscribed — even while the source
 * is still emitting synchronously inside `subscribe` (when the subscription handle does not exist
 * yet). For operators written as `new Observable(subscriber => source.subscribe(…))`: pipe the
 * source through this first so a synchronous source stops when downstream unsubscribes.
 */
export function untilUnsubscribed<T>(subscriber: Subscriber<unknown>): MonoTypeOperatorFunction<T> {
  return takeUntil(new Observable<void>((notifier) => subscriber.add(() => notifier.next())));
}
