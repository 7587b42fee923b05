import { lastValueFrom, pipe, tap } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { sgd, train } from '../../src/index.js';
import { seedData, seedParams, seedStep } from '../helpers/seed.js';

/**
 * Time-sliced mode with an injected clock: each step costs 1 ms of fake time, and a chain of
 * `setImmediate` turns (one per event-loop iteration, like the loop's own yields) stands for the
 * app: while `busy`, each turn "handles I/O" for 3 ms of fake time. The steps of one slice share a
 * turn number, so the slices' lengths are counted exactly.
 */
async function slices(busyTurns: (turn: number) => boolean, maxSteps: number, sliceMs = 8): Promise<number[]> {
  let now = 0;
  let turn = 0;
  let running = true;
  const tick = (): void => {
    turn += 1;
    if (busyTurns(turn)) now += 3;
    if (running) setImmediate(tick);
  };
  setImmediate(tick);
  const turnOfStep: number[] = [];
  await lastValueFrom(
    train({
      params: seedParams(),
      data: seedData(),
      pipeline: pipe(
        seedStep(sgd({ lr: 1e-6 })),
        tap(() => {
          now += 1;
          turnOfStep.push(turn);
        }),
      ),
      maxSteps,
      sliceMs,
      clock: () => now,
    }),
  );
  running = false;
  const lengths: number[] = [];
  for (let i = 0; i < turnOfStep.length; i++) {
    if (i > 0 && turnOfStep[i] === turnOfStep[i - 1]) lengths[lengths.length - 1]! += 1;
    else lengths.push(1);
  }
  return lengths;
}

describe('train: adaptive time slices', () => {
  it('runs full slices while the event loop is idle', async () => {
    const lengths = await slices(() => false, 79);
    // 80 records, 1 ms each: ten slices of 8 steps
    expect(lengths).toEqual(Array(10).fill(8));
  });

  it('runs quarter slices while yields find other work, and full ones 100 ms after the last', async () => {
    // the app is busy during turns 3..5 only
    const lengths = await slices((t) => t >= 3 && t <= 5, 219);
    expect(lengths.slice(0, 2)).toEqual([8, 8]);
    // from the slice after the first busy turn: 2-step slices (sliceMs / 4) …
    const short = lengths.slice(2).findIndex((n) => n !== 2);
    // … for 100 ms of (fake) time after the last busy yield: about 50 slices of 2 ms
    expect(short).toBeGreaterThanOrEqual(48);
    expect(short).toBeLessThanOrEqual(54);
    // then full slices again
    const rest = lengths.slice(2 + short);
    expect(rest.slice(0, -1).every((n) => n === 8)).toBe(true);
    expect(lengths.reduce((a, b) => a + b, 0)).toBe(220);
  });

  it('scales the short slice with sliceMs', async () => {
    const lengths = await slices((t) => t === 2, 40, 16);
    expect(lengths[0]).toBe(16);
    expect(lengths.slice(1, 5)).toEqual([4, 4, 4, 4]);
  });
});
