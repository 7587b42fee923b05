import { Subject, pipe, take } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { stepStage, type StepStage } from '../../src/ops/stepStage.js';

/** A stage as a class: `next` and `after` are called as its methods (`this` is the stage). */
class Tag implements StepStage<string[], string[]> {
  constructor(
    private readonly name: string,
    private readonly log: string[],
    private readonly withAfter: boolean,
  ) {
    if (!withAfter) (this as { after?: unknown }).after = undefined;
  }

  next(r: string[]): string[] {
    r.push(this.name);
    return r;
  }

  after(r: string[], closed: boolean): void {
    if (this.withAfter) this.log.push(`${this.name}.after(${r.length}, ${closed})`);
  }
}

const tag = (name: string, log: string[], withAfter = false) => stepStage<string[], string[]>(() => new Tag(name, log, withAfter));

describe('stepStage: fused stages', () => {
  it('runs more than four stages in order and every after hook, last stage first, once the record has been passed on', () => {
    const log: string[] = [];
    const src = new Subject<string[]>();
    const seen: string[][] = [];
    pipe(
      tag('a', log, true),
      tag('b', log),
      tag('c', log),
      tag('d', log),
      tag('e', log, true),
      tag('f', log, true),
    )(src).subscribe((r) => {
      seen.push([...r]);
      log.push('sink');
    });
    src.next([]);
    expect(seen).toEqual([['a', 'b', 'c', 'd', 'e', 'f']]);
    expect(log).toEqual(['sink', 'f.after(6, false)', 'e.after(6, false)', 'a.after(6, false)']);
  });

  it('tells the after hooks that downstream has gone (take), and errors thrown by a stage go to the subscriber', () => {
    const log: string[] = [];
    const src = new Subject<string[]>();
    let completed = 0;
    pipe(tag('a', log, true), tag('b', log), take(1))(src).subscribe({ complete: () => (completed += 1) });
    src.next([]);
    expect(completed).toBe(1);
    expect(log).toEqual(['a.after(2, true)']);

    const failing = stepStage<string[], string[]>(() => ({
      next: () => {
        throw new Error('stage failed');
      },
    }));
    const errors: unknown[] = [];
    const src2 = new Subject<string[]>();
    pipe(tag('x', log), failing, tag('y', log))(src2).subscribe({ error: (e: unknown) => errors.push(e) });
    src2.next([]);
    src2.next([]);
    expect(errors).toHaveLength(1);
    expect((errors[0] as Error).message).toBe('stage failed');
  });
});
