import { afterEach, describe, expect, it, vi } from 'vitest';
import { yieldToEventLoop } from '../../src/streams/yieldToEventLoop.js';

const tick = () => new Promise((r) => setTimeout(r, 10));

describe('yieldToEventLoop', () => {
  afterEach(() => vi.unstubAllGlobals());

  it.each([
    ['setImmediate (Node)', []],
    ['MessageChannel (browsers, no setImmediate)', ['setImmediate']],
    ['setTimeout (neither)', ['setImmediate', 'MessageChannel']],
  ] as const)('runs the task in a later macrotask with %s, and can cancel it', async (_, missing) => {
    for (const name of missing) vi.stubGlobal(name, undefined);
    let ran = 0;
    yieldToEventLoop(() => (ran += 1));
    expect(ran).toBe(0);
    await tick();
    expect(ran).toBe(1);
    yieldToEventLoop(() => (ran += 1))();
    await tick();
    expect(ran).toBe(1);
  });
});
