import { Observable, Subscriber, type Observer, type Subscription } from 'rxjs';

// Every use of RxJS 7 implementation details in the library lives in this module: Subscriber's
// constructor and `isStopped`, Observable's `lift`/`source`/`operator`, and `Subscriber.create`.
// They buy two things the public API cannot give: a step passes through the fused stages and the
// run's subscriber as plain method calls (no wrapper chain per record), and a run stops when its
// subscriber's own `next` throws. tests/streams/rxjsInternals.test.ts pins the behaviour relied on.

/** A per-subscription stage of a training step (see `stepStage`). */
export interface AnyStage {
  readonly next: (record: unknown) => unknown;
  readonly after?: (record: unknown, closed: boolean) => void;
}

/** The stage of an empty slot: passes the record on. */
const IDENTITY: AnyStage = { next: (record) => record };

/**
 * Runs fused stages on each value, passes it on, then runs the `after` hooks (last stage first).
 *
 * Up to four stages (`forward`, `loss`, `gradient`, `update`) and one `after` hook each have a
 * call site of their own (fields `s0`…`s3`, `a0`): every call site sees one method, which V8
 * can inline, where a loop over an array of stages would make one megamorphic call site.
 */
export class StageSubscriber<Out> extends Subscriber<unknown> {
  private readonly s0: AnyStage;
  private readonly s1: AnyStage;
  private readonly s2: AnyStage;
  private readonly s3: AnyStage;
  /** Stages after the fourth (rare), run in a loop. */
  private readonly more: readonly AnyStage[];
  /** The last stage with an `after` hook, or null. */
  private readonly a0: AnyStage | null;
  /** The other stages with an `after` hook (last stage first). */
  private readonly moreAfters: readonly AnyStage[];

  constructor(
    private readonly out: Subscriber<Out>,
    stages: readonly AnyStage[],
  ) {
    super(out);
    this.s0 = stages[0] ?? IDENTITY;
    this.s1 = stages[1] ?? IDENTITY;
    this.s2 = stages[2] ?? IDENTITY;
    this.s3 = stages[3] ?? IDENTITY;
    this.more = stages.slice(4);
    const afters: AnyStage[] = [];
    for (let i = stages.length - 1; i >= 0; i--) if (stages[i]!.after !== undefined) afters.push(stages[i]!);
    this.a0 = afters[0] ?? null;
    this.moreAfters = afters.slice(1);
  }

  // `next` itself (not `_next`): one call less per record; a stopped subscriber behaves as RxJS's.
  override next(value: unknown): void {
    if (this.isStopped) {
      super.next(value);
      return;
    }
    let v: unknown;
    try {
      v = this.s3.next(this.s2.next(this.s1.next(this.s0.next(value))));
      if (this.more.length > 0) v = runAll(this.more, v);
    } catch (e: unknown) {
      this.error(e);
      return;
    }
    this.out.next(v as Out);
    const a0 = this.a0;
    if (a0 === null) return;
    try {
      a0.after!(v, this.closed);
      if (this.moreAfters.length > 0) runAfters(this.moreAfters, v, this.closed);
    } catch (e: unknown) {
      this.error(e);
    }
  }
}

function runAll(stages: readonly AnyStage[], value: unknown): unknown {
  let v = value;
  for (let i = 0; i < stages.length; i++) v = stages[i]!.next(v);
  return v;
}

function runAfters(stages: readonly AnyStage[], value: unknown, closed: boolean): void {
  for (let i = 0; i < stages.length; i++) stages[i]!.after!(value, closed);
}

/** How a pipeline ended: completed, or errored with `error`. */
export type PipelineEnding = { readonly error: unknown } | 'complete';

/** Passes the pipeline's records straight to the run's subscriber and reports the pipeline's end. */
export class PipelineEnd<R> extends Subscriber<R> {
  constructor(
    private readonly out: Subscriber<R>,
    private readonly onEnd: (end: PipelineEnding) => void,
  ) {
    super(out);
  }

  // `next` itself (not `_next`): one call less per record; a stopped subscriber behaves as RxJS's.
  override next(value: R): void {
    if (this.isStopped) this.nextWhenStopped(value);
    else this.out.next(value);
  }

  /** RxJS's `next` of a stopped subscriber (out of `next`, which stays small enough to inline into the step). */
  private nextWhenStopped(value: R): void {
    super.next(value);
  }

  protected override _error(error: unknown): void {
    this.unsubscribe();
    this.onEnd({ error });
  }

  protected override _complete(): void {
    this.unsubscribe();
    this.onEnd('complete');
  }
}

/**
 * An Observable whose subscriber's own `next` throwing stops it at once (the error is then reported
 * once by RxJS, as for any consumer), also through `pipe`.
 */
export class GuardedObservable<T> extends Observable<T> {
  // `lift` is how every RxJS operator builds its Observable: piping keeps the guard.
  override lift<U>(operator?: Parameters<Observable<T>['lift']>[0]): Observable<U> {
    const observable = new GuardedObservable<U>();
    observable.source = this;
    observable.operator = operator as never;
    return observable;
  }

  override subscribe(
    observerOrNext?: Partial<Observer<T>> | ((value: T) => void) | null,
    error?: ((e: unknown) => void) | null,
    complete?: (() => void) | null,
  ): Subscription {
    if (observerOrNext instanceof Subscriber) return super.subscribe(observerOrNext);
    const observer: Partial<Observer<T>> =
      typeof observerOrNext === 'function'
        ? { next: observerOrNext, ...(error == null ? {} : { error }), ...(complete == null ? {} : { complete }) }
        : (observerOrNext ?? {});
    const next = observer.next;
    if (next === undefined) return super.subscribe(observer);
    const ends: Subscriber<T> = Subscriber.create<T>(
      undefined,
      observer.error === undefined ? undefined : (e: unknown) => observer.error!.call(observer, e),
      observer.complete === undefined ? undefined : () => observer.complete!.call(observer),
    );
    return super.subscribe(new GuardedSubscriber<T>(observer, next, ends));
  }
}

/**
 * The subscriber for an observer with `next`: calls that `next` directly (no wrapper chain per
 * record); when it throws, unsubscribes (which stops the source) and reports the error as RxJS
 * reports an error thrown by a consumer. Errors and completion go to `ends` (RxJS's own subscriber).
 */
class GuardedSubscriber<T> extends Subscriber<T> {
  constructor(
    private readonly observer: Partial<Observer<T>>,
    private readonly onNext: (value: T) => void,
    ends: Subscriber<T>,
  ) {
    super(ends);
  }

  override next(value: T): void {
    if (this.isStopped) {
      this.nextWhenStopped(value);
      return;
    }
    try {
      this.onNext.call(this.observer, value);
    } catch (e: unknown) {
      this.consumerThrew(e);
    }
  }

  // The rare paths out of `next`, which stays small enough for V8 to inline into the step.
  private nextWhenStopped(value: T): void {
    super.next(value);
  }

  private consumerThrew(e: unknown): void {
    this.unsubscribe();
    reportConsumerError(e);
  }
}

/** Reports `e` the way RxJS reports an error thrown by a consumer's `next` (its own subscriber does it). */
function reportConsumerError(e: unknown): void {
  Subscriber.create<unknown>(() => {
    throw e;
  }).next(undefined);
}
