import { GradstreamError, describeTyped } from '../core/errors.js';

/**
 * The work a run waits for before its next step: promises handed to `record.hold` by sinks that
 * must not miss a step (a checkpoint write, a JSON Lines log) and by asynchronous operators.
 */
export class HoldSet {
  private readonly pending = new Set<PromiseLike<unknown>>();
  /** The first rejection of a hold, once one has rejected. */
  failure: { readonly error: unknown } | null = null;

  /** @param onChange - called when a hold is added and when one rejects. */
  constructor(private readonly onChange: () => void) {}

  /** Holds not yet settled. */
  get size(): number {
    return this.pending.size;
  }

  /** Adds `work` (a promise or thenable); throws a `GradstreamError` for anything else. */
  add(work: PromiseLike<unknown>): void {
    if (work === null || typeof work !== 'object' || typeof (work as { then?: unknown }).then !== 'function') {
      throw new GradstreamError({ code: 'invalid_value', path: 'record.hold', expected: 'a promise', received: describeTyped(work) });
    }
    this.pending.add(work);
    this.onChange();
    work.then(
      () => this.pending.delete(work),
      (e: unknown) => {
        this.pending.delete(work);
        this.failure ??= { error: e };
        this.onChange();
      },
    );
  }

  /** Calls `then` once every hold (including holds added meanwhile) has settled. */
  drain(then: () => void): void {
    if (this.pending.size === 0) {
      then();
      return;
    }
    Promise.allSettled([...this.pending]).then(() => this.drain(then));
  }
}
