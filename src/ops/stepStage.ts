import { Observable, type OperatorFunction } from 'rxjs';
import { StageSubscriber, type AnyStage } from '../streams/rxjsInternals.js';

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
