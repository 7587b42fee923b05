import { Observable, Subscriber, type OperatorFunction } from 'rxjs';

/**
 * One stage of a training step, made per subscription: `next` works on the record (in place) and
 * returns what goes on; `after`, when given, runs once everything downstream has seen that record
 * (how `update` applies the step after the sinks), with `closed` true when downstream has gone.
 */
export interface StepStage<In, Out> {
  readonly next: (record: In) => Out;
  readonly after?: (record: Out, closed: boolean) => void;
}

type AnyStage = StepStage<unknown, unknown>;
type StageInit = () => AnyStage;

/**
 * Makes an operator from a per-subscription {@link StepStage}. Consecutive stage operators in a
 * `pipe` fuse into one subscriber: `pipe(forward(m), loss(l), gradient(m, l), update(opt))`
 * passes each record through four function calls instead of four operator hops, while each
 * operator keeps the RxJS contract on its own (per-subscription state, errors thrown by a stage go
 * to `subscriber.error`, teardown on unsubscribe, a synchronous source stops when unsubscribed).
 */
export function stepStage<In, Out>(init: () => StepStage<In, Out>): OperatorFunction<In, Out> {
  return (source) => {
    if (source instanceof StageChain) return new StageChain<Out>(source.upstream, [...source.inits, init as unknown as StageInit]);
    return new StageChain<Out>(source, [init as unknown as StageInit]);
  };
}

/** The Observable of a run of fused stages over one upstream. */
class StageChain<Out> extends Observable<Out> {
  constructor(
    readonly upstream: Observable<unknown>,
    readonly inits: readonly StageInit[],
  ) {
    super((subscriber) => {
      const stages = inits.map((make) => make());
      return upstream.subscribe(new StageSubscriber(subscriber, stages));
    });
  }
}

/** Runs the stages on each value, passes it on, then runs the `after` hooks (last stage first). */
class StageSubscriber<Out> extends Subscriber<unknown> {
  private readonly nexts: ((record: unknown) => unknown)[];
  private readonly afters: ((record: unknown, closed: boolean) => void)[];
  private readonly out: Subscriber<Out>;

  constructor(destination: Subscriber<Out>, stages: readonly AnyStage[]) {
    super(destination);
    this.out = destination;
    this.nexts = stages.map((s) => s.next);
    this.afters = [];
    for (let i = stages.length - 1; i >= 0; i--) {
      const after = stages[i]!.after;
      if (after !== undefined) this.afters.push(after);
    }
  }

  protected override _next(value: unknown): void {
    const nexts = this.nexts;
    let v = value;
    try {
      for (let i = 0; i < nexts.length; i++) v = nexts[i]!(v);
    } catch (e: unknown) {
      this.error(e);
      return;
    }
    this.out.next(v as Out);
    const afters = this.afters;
    if (afters.length === 0) return;
    try {
      for (let i = 0; i < afters.length; i++) afters[i]!(v, this.closed);
    } catch (e: unknown) {
      this.error(e);
    }
  }
}
