import { afterEach, describe, expect, it, vi } from 'vitest';
import { yieldToEventLoop } from '../../src/streams/yieldToEventLoop.js';

const tick = () => new Promise((r) => setTimeout(r, 10));

describe('yieldToEventLoop', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('runs the task in a later macrotask (setImmediate in Node), and can cancel it', async () => {
    let ran = 0;
    yieldToEventLoop(() => (ran += 1));
    expect(ran).toBe(0);
    await tick();
    expect(ran).toBe(1);
    yieldToEventLoop(() => (ran += 1))();
    await tick();
    expect(ran).toBe(1);
  });

  it('uses MessageChannel where there is no setImmediate (browsers)', async () => {
    vi.stubGlobal('setImmediate', undefined);
    let ran = 0;
    yieldToEventLoop(() => (ran += 1));
    await tick();
    expect(ran).toBe(1);
    yieldToEventLoop(() => (ran += 1))();
    await tick();
    expect(ran).toBe(1);
  });

  it('falls back to setTimeout', async () => {
    vi.stubGlobal('setImmediate', undefined);
    vi.stubGlobal('MessageChannel', undefined);
    let ran = 0;
    yieldToEventLoop(() => (ran += 1));
    await tick();
    expect(ran).toBe(1);
    yieldToEventLoop(() => (ran += 1))();
    await tick();
    expect(ran).toBe(1);
  });
});
