import { concat, lastValueFrom, of, pipe, throwError } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { earlyStopping, progress, train, type StepRecord, type WritableLike } from '../../src/index.js';
import { formatDuration } from '../../src/sinks/progress.js';
import { seedRecord } from '../helpers/records.js';
import { seedData, seedParams, seedStep } from '../helpers/seed.js';

/** A fake stream: a terminal (isTTY) or a pipe, recording what is written. */
function fakeStream(isTTY: boolean): WritableLike & { out: string[] } {
  const out: string[] = [];
  return { isTTY, out, write: (chunk: string) => (out.push(chunk), true) };
}

const recs = (n: number) => Array.from({ length: n }, (_, i) => Object.assign(seedRecord(i), { loss: 1 / (i + 1) }));

describe('progress', () => {
  it('redraws one line in place on a terminal: bar, count, percent, loss, rate, ETA', async () => {
    const tty = fakeStream(true);
    let t = 0;
    const all = recs(11);
    all[10]!.stopReason = 'maxSteps';
    await lastValueFrom(of(...all).pipe(progress({ total: 10, stream: tty, width: 10, everyMs: 100, clock: () => (t += 50) })));
    // drawn at the first record, then every 100 ms (every other record here), and at the end
    expect(tty.out).toHaveLength(6);
    expect(tty.out.every((c) => c.startsWith('\r\x1b[2K'))).toBe(true);
    expect(tty.out[0]).toBe('\r\x1b[2K[░░░░░░░░░░] 0/10 steps (0%)  loss 1.0000');
    expect(tty.out[1]).toBe('\r\x1b[2K[██░░░░░░░░] 2/10 steps (20%)  loss 0.33333  20.0 steps/s  ETA 0:00');
    expect(tty.out.at(-1)).toBe('\r\x1b[2K[██████████] 10/10 steps (100%)  loss 0.090909  20.0 steps/s  stop: maxSteps after 0:01\n');
    expect(tty.out.slice(0, -1).some((c) => c.endsWith('\n'))).toBe(false);
  });

  it('writes plain periodic lines when the stream is not a terminal', async () => {
    const pipeOut = fakeStream(false);
    let t = 0;
    const all = recs(30);
    all[29]!.stopReason = 'threshold';
    await lastValueFrom(of(...all).pipe(progress({ stream: pipeOut, clock: () => (t += 1000) })));
    expect(pipeOut.out.some((c) => c.includes('\x1b'))).toBe(false);
    expect(pipeOut.out).toEqual([
      'step 0  loss 1.0000\n',
      'step 10  loss 0.090909  1.00 steps/s\n',
      'step 20  loss 0.047619  1.00 steps/s\n',
      'step 29  loss 0.033333  1.00 steps/s  stop: threshold after 0:29\n',
    ]);
  });

  it('counts epochs, and finishes the line when it sits before earlyStopping', async () => {
    const tty = fakeStream(true);
    await lastValueFrom(
      train({
        params: seedParams(),
        data: seedData(),
        pipeline: pipe(seedStep(), progress({ total: 20, unit: 'epochs', stream: tty, everyMs: 1e9 }), earlyStopping({ lossBelow: 2.96 })),
        scheduler: 'sync',
      }),
    );
    expect(tty.out.at(-1)).toMatch(/^\r\x1b\[2K\[█+░+\] 7\/20 epochs \(35%\) {2}loss 2\.3813 .*stop: threshold after 0:00\n$/);
  });

  it('ends the terminal line when the source errors or is unsubscribed', () => {
    const tty = fakeStream(true);
    const sub = of(...recs(2))
      .pipe(progress({ stream: tty }))
      .subscribe();
    sub.unsubscribe();
    expect(tty.out.at(-1)).toBe('\n');
    const failing = fakeStream(true);
    const errors: unknown[] = [];
    const two = recs(2);
    two[1]!.stopReason = 'maxSteps';
    of(...two)
      .pipe(
        progress({
          stream: {
            isTTY: true,
            write: (c: string) => {
              if (c.includes('step 1')) throw new Error('closed');
              return failing.write(c);
            },
          },
        }),
      )
      .subscribe({ error: (e) => errors.push(e) });
    expect(String(errors[0])).toContain('closed');
  });

  it('formats durations, falls back to console lines, rejects bad options', async () => {
    expect([formatDuration(65), formatDuration(7387), formatDuration(Number.NaN), formatDuration(-1)]).toEqual([
      '1:05',
      '2:03:07',
      '?',
      '?',
    ]);
    expect(() => progress({ total: 0 })).toThrow('progress.total: expected number to be >=1, received 0');
    expect(() => progress({ unit: 'batches' as never })).toThrow('progress.unit');
    const lines: unknown[] = [];
    const original = console.log;
    const proc = (globalThis as { process?: unknown }).process;
    console.log = (...a: unknown[]) => lines.push(...a);
    try {
      (globalThis as { process?: unknown }).process = undefined;
      await lastValueFrom(of(...recs(1)).pipe(progress()));
    } finally {
      (globalThis as { process?: unknown }).process = proc;
      console.log = original;
    }
    expect(lines).toEqual(['step 0  loss 1.0000']);
    const seen: StepRecord[] = [];
    await lastValueFrom(of(...recs(3)).pipe(progress({ stream: fakeStream(false) })), { defaultValue: undefined }).then(
      (r) => r && seen.push(r),
    );
    expect(seen[0]!.step).toBe(2);
  });

  it('passes a source error through, ending a terminal line left open (again at teardown); a pipe gets no extra line', async () => {
    for (const isTTY of [true, false]) {
      const stream = fakeStream(isTTY);
      let t = 0;
      const run = concat(
        of(seedRecord(0), seedRecord(1)),
        throwError(() => new Error('gone')),
      ).pipe(progress({ total: 10, stream, everyMs: 1e9, clock: () => (t += 1000) }));
      await expect(lastValueFrom(run)).rejects.toThrow('gone');
      expect(stream.out.slice(isTTY ? 1 : 0)).toEqual(isTTY ? ['\n', '\n'] : ['0/10 steps (0%)\n']);
    }
  });
});
