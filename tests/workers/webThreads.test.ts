import { afterEach, describe, expect, it } from 'vitest';
import { readFailure } from '../../src/workers/failure.js';
import { CONTROL_WORDS, ERROR_BYTES } from '../../src/workers/protocol.js';
import { startWebThreads } from '../../src/workers/webThreads.js';

/** A stand-in for the browser's `Worker`: records what the library does with it (the real one runs in tests/e2e). */
class FakeWorker {
  static made: FakeWorker[] = [];
  readonly messages: unknown[] = [];
  terminated = false;
  onerror: ((event: { message?: string }) => void) | null = null;
  constructor(
    readonly url: URL,
    readonly options: { type: string; name?: string },
  ) {
    FakeWorker.made.push(this);
  }
  postMessage(m: unknown): void {
    this.messages.push(m);
  }
  terminate(): void {
    this.terminated = true;
  }
}

const g = globalThis as { Worker?: unknown };
afterEach(() => {
  delete g.Worker;
  FakeWorker.made = [];
});

describe('startWebThreads', () => {
  const init = () => ({
    workers: 3,
    spec: { kind: 'module' as const, module: 'x.js', export: 'default' },
    control: new SharedArrayBuffer(CONTROL_WORDS * 4),
    errors: new SharedArrayBuffer(ERROR_BYTES),
    fixed: new SharedArrayBuffer(8),
    size: 1,
    inputs: 1,
    outputs: 1,
  });

  it('starts one module worker per replica but the first (the training thread computes it), sends each its init, relays batch buffers and ends them all', () => {
    g.Worker = FakeWorker;
    const i = init();
    const t = startWebThreads(i);
    expect(FakeWorker.made.map((w) => [w.url.pathname.endsWith('/webReplica.js'), w.options.type, w.options.name])).toEqual([
      [true, 'module', 'gradstream replica 1'],
      [true, 'module', 'gradstream replica 2'],
    ]);
    expect(FakeWorker.made.map((w) => (w.messages[0] as { init: { index: number } }).init.index)).toEqual([1, 2]);
    const m = { type: 'batch' as const, gen: 1, buffer: new SharedArrayBuffer(8), capacity: 1, ycols: 1 };
    t.post(m);
    expect(FakeWorker.made.every((w) => w.messages[1] === m)).toBe(true);
    t.terminate();
    expect(FakeWorker.made.every((w) => w.terminated)).toBe(true);
  });

  it('turns a worker error or a kill into the run failure', () => {
    g.Worker = FakeWorker;
    const i = init();
    const t = startWebThreads(i);
    FakeWorker.made[0]!.onerror!({ message: 'SyntaxError: bad module' });
    expect(readFailure(new Int32Array(i.control), new Uint8Array(i.errors))?.message).toBe(
      'gradstream: worker 1 failed: SyntaxError: bad module',
    );
    const j = init();
    const u = startWebThreads(j);
    u.kill(2);
    expect(FakeWorker.made[3]!.terminated).toBe(true);
    expect(readFailure(new Int32Array(j.control), new Uint8Array(j.errors))?.message).toBe(
      'gradstream: worker 2 of 3 was terminated during training',
    );
    t.terminate();
    u.terminate();
  });

  it('says so where there is no Worker', () => {
    expect(() => startWebThreads(init())).toThrow('gradstream: Web Workers are not available here');
  });
});
