import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { warmWaits } from '../../src/workers/runReplica.js';
import { reachedWithin, waitAtLeast, waitAtLeastAsync, waitChange } from '../../src/workers/spinWait.js';

/** A thread that sets `control[word] = value` (and notifies) after `ms`. */
function setLater(control: Int32Array, word: number, value: number, ms: number): Worker {
  const code = `const { workerData: d } = require('node:worker_threads');
const c = new Int32Array(d.buffer);
setTimeout(() => { Atomics.store(c, d.word, d.value); Atomics.notify(c, d.word); }, d.ms);`;
  return new Worker(code, { eval: true, workerData: { buffer: control.buffer, word, value, ms } });
}

describe('spinWait', () => {
  it('returns at once when the word is already there', () => {
    const c = new Int32Array(new SharedArrayBuffer(8));
    c[0] = 5;
    expect(waitAtLeast(c, 0, 3, 1)).toBe(5);
    expect(waitChange(c, 0, 4, 1)).toBe(5);
  });

  it('spins, then sleeps until another thread changes the word', async () => {
    const c = new Int32Array(new SharedArrayBuffer(8));
    const a = setLater(c, 0, 7, 30);
    const t0 = performance.now();
    expect(waitChange(c, 0, 0, 0.05)).toBe(7);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(5);
    const b = setLater(c, 1, 2, 30);
    expect(waitAtLeast(c, 1, 2, 0.05)).toBe(2);
    await Promise.all([a.terminate(), b.terminate()]);
  });

  it('calls onSlice every slice while it sleeps, which may give up by throwing', () => {
    const c = new Int32Array(new SharedArrayBuffer(8));
    let slices = 0;
    expect(() =>
      waitAtLeast(c, 0, 1, 0.05, 5, () => {
        slices += 1;
        if (slices === 3) throw new Error('gave up');
      }),
    ).toThrow('gave up');
    expect(slices).toBe(3);
    // or make the word reach the target itself
    expect(waitAtLeast(c, 0, 1, 0, 5, () => void Atomics.store(c, 0, 4))).toBe(4);
  });
});

describe('waitChange with a timeout, and warmWaits', () => {
  it('returns the word unchanged once the timeout passes', () => {
    const c = new Int32Array(new SharedArrayBuffer(8));
    const t0 = performance.now();
    expect(waitChange(c, 0, 0, 0.05, 20)).toBe(0);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(15);
  });

  it('takes both ways out of each wait on a word of its own, at once', () => {
    const t0 = performance.now();
    warmWaits();
    expect(performance.now() - t0).toBeLessThan(500);
  });

  it('reachedWithin: at once when there, after a bounded wait when not, and when another thread gets it there', async () => {
    const c = new Int32Array(new SharedArrayBuffer(8));
    c[0] = 2;
    expect(reachedWithin(c, 0, 2, 1, 10)).toBe(true);
    expect(reachedWithin(c, 0, 3, 1, 10)).toBe(false); // returns: the caller waits on asynchronously
    const w = setLater(c, 1, 1, 20);
    try {
      let reached = false;
      for (let i = 0; i < 1000 && !reached; i++) reached = reachedWithin(c, 1, 1, 0, 10);
      expect(reached).toBe(true);
    } finally {
      await w.terminate();
    }
  });

  it('waitAtLeastAsync: resolves while the thread serves its event loop, and rejects with what onSlice throws', async () => {
    const c = new Int32Array(new SharedArrayBuffer(8));
    let slices = 0;
    // set by a timer of this very thread: only a wait that leaves the thread free sees it
    setTimeout(() => {
      Atomics.store(c, 0, 7);
      Atomics.notify(c, 0);
    }, 20);
    expect(await waitAtLeastAsync(c, 0, 5, 5, () => void (slices += 1))).toBe(7);
    expect(slices).toBeGreaterThan(0);
    await expect(
      waitAtLeastAsync(c, 1, 1, 5, () => {
        throw new Error('given up');
      }),
    ).rejects.toThrow('given up');
  });
});
