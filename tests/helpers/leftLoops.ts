/**
 * Setup file of `npm test` (vitest.config.ts). Its files share two long-lived processes, so a file
 * must not leave a loop of `setImmediate` callbacks running (a training run nobody unsubscribed, a
 * stand-in worker never ended): it would run on through the next files, and under their fake
 * timers keep them from ever finishing. After a file's tests, an Immediate still pending after
 * 2 s fails the file.
 */
import { afterAll } from 'vitest';

// taken before a test file can install fake timers
const wait = globalThis.setTimeout;
const now = performance.now.bind(performance);
const pending = () => process.getActiveResourcesInfo().filter((r) => r === 'Immediate').length;

afterAll(async () => {
  const deadline = now() + 2000;
  while (pending() > 0) {
    if (now() > deadline)
      throw new Error('this file left setImmediate callbacks running after its tests (an unended run or loop): end it in the test');
    await new Promise((r) => wait(r, 10));
  }
});
