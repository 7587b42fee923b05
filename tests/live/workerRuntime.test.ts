import { afterEach, describe, expect, it } from 'vitest';
import {
  createRng,
  fit,
  GradstreamError,
  moons,
  runFitWorker,
  webWorker,
  type FromWorker,
  type ToWorker,
  type WorkerSpawner,
} from '../../src/index.js';
import { sleep } from './helpers.js';

const modelConfig = { layers: [{ type: 'dense', inputs: 2, units: 8 }, { type: 'relu' }, { type: 'dense', units: 2 }] };
const { x, y } = moons(64, { noise: 0.1, rng: createRng(1) });

/** A worker in this thread: runFitWorker behind a message channel (structured clone, async). */
class InProcessWorker {
  private readonly listeners: { message: ((e: { data: FromWorker }) => void)[]; error: ((e: { message?: string }) => void)[] } = {
    message: [],
    error: [],
  };
  private readonly toWorker: ((m: ToWorker) => void)[] = [];
  terminated = false;
  constructor() {
    runFitWorker({
      postMessage: (m) => queueMicrotask(() => !this.terminated && this.listeners.message.forEach((f) => f({ data: structuredClone(m) }))),
      onMessage: (f) => this.toWorker.push(f),
    });
  }
  postMessage(m: ToWorker): void {
    queueMicrotask(() => this.toWorker.forEach((f) => f(structuredClone(m))));
  }
  addEventListener(type: 'message' | 'error', f: (e: never) => void): void {
    this.listeners[type].push(f as never);
  }
  /** As a terminated Web Worker's, the run ends (it would go on training in this thread otherwise). */
  terminate(): void {
    this.terminated = true;
    this.postMessage({ type: 'abort' });
  }
  fail(message: string): void {
    this.listeners.error.forEach((f) => f({ message }));
  }
}

const g = globalThis as { Worker?: unknown };
afterEach(() => {
  delete g.Worker;
});

describe('runFitWorker and webWorker (in-process stand-in for a Web Worker)', () => {
  it('runs a worker fit with the same handle: steps, pause, stop', async () => {
    const made: InProcessWorker[] = [];
    g.Worker = class extends InProcessWorker {
      constructor() {
        super();
        made.push(this);
      }
    };
    const t = fit({
      scheduler: 'worker',
      worker: webWorker(),
      model: modelConfig,
      loss: 'softmaxCrossEntropy',
      optimizer: { type: 'adam', lr: 0.01 },
      data: { x, y, batchSize: 16 },
      seed: 1,
      sliceMs: 2,
      flushMs: 1,
    });
    const steps: number[] = [];
    t.steps$.subscribe((s) => steps.push(s.step));
    t.pause(); // before the start: the worker starts paused
    t.start();
    await sleep(30);
    expect(steps).toEqual([]);
    t.resume();
    while (steps.length < 10) await sleep(5);
    expect(t.set('lr', 1)?.message).toBe('hyperParams: expected one of (no live hyperparameters), received "lr"');
    const r = await t.stop();
    expect(r.stopReason).toBe('stopped');
    expect(steps.at(-1)).toBe(r.step);
    for (let i = 1; i < steps.length; i++) expect(steps[i]).toBe(steps[i - 1]! + 1);
    expect(made[0]!.terminated).toBe(true);
  });

  it('stops before the start, aborts, and reports worker failures', async () => {
    g.Worker = InProcessWorker;
    const base = {
      scheduler: 'worker' as const,
      worker: webWorker(),
      model: modelConfig,
      loss: 'mse',
      optimizer: { type: 'sgd' },
      data: { x, y: x, batchSize: 8 },
      flushMs: 1,
    };
    expect((await fit(base).stop()).stopReason).toBe('stopped');
    const ac = new AbortController();
    const t = fit({ ...base, signal: ac.signal }).start();
    await sleep(10);
    ac.abort();
    expect((await t.done()).stopReason).toBe('aborted');
    const aborted = new AbortController();
    aborted.abort();
    expect(
      (
        await fit({ ...base, signal: aborted.signal })
          .start()
          .done()
      ).stopReason,
    ).toBe('aborted');
    // an error raised in the worker comes back as the same GradstreamError
    const bad = fit({ ...base, data: { x: [[1, 2, 3]], y: [[1, 2]] } }).start();
    const e = await bad.done().catch((err: unknown) => err);
    expect(e).toBeInstanceOf(GradstreamError);
    // the worker itself failing
    let worker: InProcessWorker | undefined;
    const spawn: WorkerSpawner = () => {
      const w = webWorker()();
      return w;
    };
    g.Worker = class extends InProcessWorker {
      constructor() {
        super();
        worker = this;
      }
    };
    const crashed = fit({ ...base, worker: spawn }).start();
    worker!.fail('boom');
    await expect(crashed.done()).rejects.toThrow('boom');
    const unspawnable = fit({
      ...base,
      worker: () => {
        throw new Error('no workers today');
      },
    }).start();
    await expect(unspawnable.done()).rejects.toThrow('no workers today');
  });
});
