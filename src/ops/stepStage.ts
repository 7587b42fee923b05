import { Observable, Subscriber, type OperatorFunction } from 'rxjs';

/**
 * One stage of a training step, made per subscription: `next` works on the record (in place) and
 * returns what goes on; `after`, when given, runs once everything downstream has seen that record
 * (how `update` applies the step after the sinks), with `closed` true when downstream has gone.
 * Both are called as methods of the stage. The built-in stages are class instances: their methods
 * are the same functions in every run, which V8 inlines into the fused subscriber (closures made
 * per subscription each start cold and cannot be inlined into code shared by all runs).
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
 * call site of their own (fields `s0`…`s3`, `a0`): every call site sees one method, which V8
 * can inline, where a loop over an array of stages would make one megamorphic call site.
 */
class StageSubscriber<Out> extends Subscriber<unknown> {
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
  private readonly out: Subscriber<Out>;

  constructor(destination: Subscriber<Out>, stages: readonly AnyStage[]) {
    super(destination);
    this.out = destination;
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

/** The stage of an empty slot: passes the record on. */
const IDENTITY: AnyStage = { next: (record) => record };

function runAll(stages: readonly AnyStage[], value: unknown): unknown {
  let v = value;
  for (let i = 0; i < stages.length; i++) v = stages[i]!.next(v);
  return v;
}

function runAfters(stages: readonly AnyStage[], value: unknown, closed: boolean): void {
  for (let i = 0; i < stages.length; i++) stages[i]!.after!(value, closed);
}
