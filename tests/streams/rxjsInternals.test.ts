// Pins the RxJS 7 behaviour that src/streams/rxjsInternals.ts relies on (deprecated members:
// Subscriber's constructor and `isStopped`, Observable's `lift`/`source`/`operator`,
// `Subscriber.create`), so that an RxJS upgrade that changes it fails here first.
import { config, map, Observable, of, Subject, Subscriber, type Observer } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { GuardedObservable, PipelineEnd, StageSubscriber } from '../../src/streams/rxjsInternals.js';

afterEach(() => {
  config.onUnhandledError = null;
});

/** A complete observer from a partial one (Subscriber's constructor takes whole observers). */
function observer<T>(o: Partial<Observer<T>>): Observer<T> {
  return { next: () => undefined, error: () => undefined, complete: () => undefined, ...o };
}

/** A subscriber subclass that overrides `next` and reads `isStopped`, as the module's classes do. */
class Probe<T> extends Subscriber<T> {
  readonly seen: T[] = [];
  stoppedAtNext: boolean[] = [];
  override next(value: T): void {
    this.stoppedAtNext.push(this.isStopped);
    if (!this.isStopped) this.seen.push(value);
  }
}

describe('RxJS behaviour relied on', () => {
  it('a Subscriber made with a destination forwards complete and error to it, then is stopped and closed', () => {
    const got: string[] = [];
    const s = new Probe<number>(observer({ error: (e: unknown) => got.push(`error ${String(e)}`), complete: () => got.push('complete') }));
    s.next(1);
    s.complete();
    s.next(2);
    expect(got).toEqual(['complete']);
    expect(s.seen).toEqual([1]);
    expect(s.stoppedAtNext).toEqual([false, true]);
    expect(s.closed).toBe(true);
    const t = new Probe<number>(observer({ error: (e: unknown) => got.push(`error ${String(e)}`) }));
    t.error('x');
    expect(got).toEqual(['complete', 'error x']);
    expect(t.closed).toBe(true);
  });

  it('a Subscriber passed to subscribe is used as it is (no wrapper): its own next is called', () => {
    const s = new Probe<number>(observer({}));
    of(1, 2, 3).subscribe(s);
    expect(s.seen).toEqual([1, 2, 3]);
  });

  it('pipe builds each operator through lift on the source, whose subclass can carry itself on', () => {
    const lifted: unknown[] = [];
    class Carry<T> extends Observable<T> {
      override lift<U>(operator?: Parameters<Observable<T>['lift']>[0]): Observable<U> {
        lifted.push(operator);
        const o = new Carry<U>();
        o.source = this;
        o.operator = operator as never;
        return o;
      }
    }
    const c = new Carry<number>((s) => {
      s.next(2);
      s.complete();
    });
    const piped = c.pipe(map((x) => x * 3));
    expect(piped).toBeInstanceOf(Carry);
    expect(lifted).toHaveLength(1);
    const out: number[] = [];
    piped.subscribe((v) => out.push(v));
    expect(out).toEqual([6]);
  });

  it('Subscriber.create(next) reports an error thrown by next to config.onUnhandledError', async () => {
    const reported: unknown[] = [];
    config.onUnhandledError = (e) => reported.push(e);
    Subscriber.create<unknown>(() => {
      throw new Error('boom');
    }).next(undefined);
    await new Promise((r) => setTimeout(r, 0));
    expect(reported.map((e) => (e as Error).message)).toEqual(['boom']);
  });
});

describe('rxjsInternals', () => {
  it('GuardedObservable: a consumer whose next throws stops the source at once, also through pipe; the error is reported once', async () => {
    const reported: unknown[] = [];
    config.onUnhandledError = (e) => reported.push(e);
    let emitted = 0;
    let tornDown = false;
    const source = new GuardedObservable<number>((s) => {
      for (let i = 0; i < 100 && !s.closed; i++) {
        emitted += 1;
        s.next(i);
      }
      return () => {
        tornDown = true;
      };
    });
    source.pipe(map((x) => x + 1)).subscribe((v) => {
      if (v === 3) throw new Error('consumer');
    });
    await new Promise((r) => setTimeout(r, 0));
    expect(emitted).toBe(3);
    expect(tornDown).toBe(true);
    expect(reported.map((e) => (e as Error).message)).toEqual(['consumer']);
  });

  it('StageSubscriber: runs the stages, passes the value on, then the after hooks with closed; a throwing stage errors', () => {
    const calls: string[] = [];
    const out = new Subject<number>();
    const seen: number[] = [];
    const errors: unknown[] = [];
    out.subscribe({ next: (v) => seen.push(v), error: (e) => errors.push(e) });
    const dest = new Subscriber<number>(out);
    const stages = [
      { next: (v: unknown) => (v as number) + 1 },
      {
        next: (v: unknown) => {
          if (v === 10) throw new Error('stage');
          return (v as number) * 2;
        },
        after: (v: unknown, closed: boolean) => calls.push(`after ${String(v)} ${closed}`),
      },
    ];
    const s = new StageSubscriber<number>(dest, stages);
    s.next(1);
    s.next(9);
    expect(seen).toEqual([4]);
    expect(calls).toEqual(['after 4 false']);
    expect((errors[0] as Error).message).toBe('stage');
  });

  it('PipelineEnd: passes values to the run and reports completion and errors once, unsubscribed', () => {
    const ends: unknown[] = [];
    const seen: number[] = [];
    const run = new Subscriber<number>(observer<number>({ next: (v) => seen.push(v) }));
    const end = new PipelineEnd<number>(run, (e) => ends.push(e));
    end.next(5);
    end.complete();
    end.next(6);
    expect(seen).toEqual([5]);
    expect(ends).toEqual(['complete']);
    const end2 = new PipelineEnd<number>(new Subscriber<number>(observer({})), (e) => ends.push(e));
    end2.error('bad');
    expect(ends).toEqual(['complete', { error: 'bad' }]);
    expect(end2.closed).toBe(true);
  });
});
