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

/**
 * Runs the stages on each value, passes it on, then runs the `after` hooks (last stage first).
 *
 * Up to four stages (`forward`, `loss`, `gradient`, `update`) and one `after` hook each have a
 * call site of their own (fields `n0`…`n3`, `a0`): every call site sees one function, which V8
 * can inline, where a loop over an array of stages would make one megamorphic call site.
 */
class StageSubscriber<Out> extends Subscriber<unknown> {
  private readonly n0: Next;
  private readonly n1: Next;
  private readonly n2: Next;
  private readonly n3: Next;
  /** Stages after the fourth (rare), run in a loop. */
  private readonly more: readonly Next[];
  private readonly a0: After | null;
  /** `after` hooks after the first (last stage first). */
  private readonly moreAfters: readonly After[];
  private readonly out: Subscriber<Out>;

  constructor(destination: Subscriber<Out>, stages: readonly AnyStage[]) {
    super(destination);
    this.out = destination;
    const nexts = stages.map((s) => s.next);
    this.n0 = nexts[0] ?? identity;
    this.n1 = nexts[1] ?? identity;
    this.n2 = nexts[2] ?? identity;
    this.n3 = nexts[3] ?? identity;
    this.more = nexts.slice(4);
    const afters: After[] = [];
    for (let i = stages.length - 1; i >= 0; i--) {
      const after = stages[i]!.after;
      if (after !== undefined) afters.push(after);
    }
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
      v = this.n3(this.n2(this.n1(this.n0(value))));
      if (this.more.length > 0) v = runAll(this.more, v);
    } catch (e: unknown) {
      this.error(e);
      return;
    }
    this.out.next(v as Out);
    const a0 = this.a0;
    if (a0 === null) return;
    try {
      a0(v, this.closed);
      if (this.moreAfters.length > 0) runAfters(this.moreAfters, v, this.closed);
    } catch (e: unknown) {
      this.error(e);
    }
  }
}

type Next = (record: unknown) => unknown;
type After = (record: unknown, closed: boolean) => void;

const identity: Next = (record) => record;

function runAll(nexts: readonly Next[], value: unknown): unknown {
  let v = value;
  for (let i = 0; i < nexts.length; i++) v = nexts[i]!(v);
  return v;
}

function runAfters(afters: readonly After[], value: unknown, closed: boolean): void {
  for (let i = 0; i < afters.length; i++) afters[i]!(value, closed);
}
