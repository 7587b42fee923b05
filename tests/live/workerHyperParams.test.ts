import { afterEach, describe, expect, it } from 'vitest';
import {
  createRng,
  fit,
  fromArrays,
  GradstreamError,
  hyperParam,
  lossFromConfig,
  modelFromConfig,
  moons,
  runFitWorker,
  sgd,
  webWorker,
  type FromWorker,
  type StepView,
  type ToWorker,
  type Training,
  type TrainingEvent,
} from '../../src/index.js';
import { nodeWorker } from '../../src/node.js';
import { sleep } from './helpers.js';

const modelConfig = { layers: [{ type: 'dense', inputs: 2, units: 8 }, { type: 'relu' }, { type: 'dense', units: 2 }] };
const { x, y } = moons(64, { noise: 0.1, rng: createRng(1) });

/** A worker in this thread: runFitWorker behind a message channel (structured clone, async). */
class InProcessWorker {
  private readonly listeners: ((e: { data: FromWorker }) => void)[] = [];
  private readonly toWorker: ((m: ToWorker) => void)[] = [];
  readonly received: ToWorker[] = [];
  constructor() {
    runFitWorker({
      postMessage: (m) => queueMicrotask(() => this.listeners.forEach((f) => f({ data: structuredClone(m) }))),
      onMessage: (f) => this.toWorker.push(f),
    });
  }
  postMessage(m: ToWorker): void {
    this.received.push(m);
    queueMicrotask(() => this.toWorker.forEach((f) => f(structuredClone(m))));
  }
  addEventListener(type: string, f: (e: never) => void): void {
    if (type === 'message') this.listeners.push(f as never);
  }
  terminate(): void {}
}

const g = globalThis as { Worker?: unknown };
afterEach(() => {
  delete g.Worker;
});

/** Waits until a step reports `lr`. */
async function until(steps: StepView[], lr: number): Promise<void> {
  while (!steps.some((s) => s.lr === lr)) await sleep(2);
}

/**
 * Drives the live-lr scenario on a worker run (the worker runs ahead of the steps seen here, so a
 * change shows a few steps later): returns the refusals, the accepted values and the learning
 * rates of the steps in order, runs of equal values merged.
 */
async function liveLr(t: Training, lr: { value: number }): Promise<{ rejected: string[]; accepted: [string, number][]; lrs: number[] }> {
  const steps: StepView[] = [];
  const events: TrainingEvent[] = [];
  t.steps$.subscribe((s) => steps.push(s));
  t.events$.subscribe((e) => events.push(e));
  t.start();
  await until(steps, 0.01);
  // refused values: the cell keeps its last good value and the worker never hears of them
  for (const bad of ['abc', -1, Number.NaN, 2]) expect(t.set('lr', bad)).toBeInstanceOf(GradstreamError);
  expect(lr.value).toBe(0.01);
  expect(t.set('lr', '0.05')).toBeUndefined();
  expect(lr.value).toBe(0.05);
  expect(t.getSnapshot().hyperParams).toEqual({ lr: 0.05 });
  await until(steps, 0.05);
  // a direct write to the cell reaches the worker too (with the next batch of steps)
  lr.value = 0.002;
  await until(steps, 0.002);
  await t.stop();
  const rejected = events.filter((e) => e.type === 'hyperParamRejected').map((e) => (e as { error: GradstreamError }).error.message);
  const accepted = events
    .filter((e) => e.type === 'hyperParam')
    .map((e) => [(e as { name: string }).name, (e as { value: number }).value] as [string, number]);
  const lrs = steps.filter((s, i) => i === 0 || s.lr !== steps[i - 1]!.lr).map((s) => s.lr);
  expect(steps.map((s) => s.step)).toEqual(steps.map((_, i) => i));
  return { rejected, accepted, lrs };
}

const REFUSALS = [
  'hyperParams.lr: expected a finite number, received "abc"',
  'hyperParams.lr: expected a number in [0, 1], received -1',
  'hyperParams.lr: expected a finite number, received NaN',
  'hyperParams.lr: expected a number in [0, 1], received 2',
];

describe("live hyperparameters with scheduler: 'worker'", () => {
  it('set() checks values as in a local run; accepted values and direct cell writes reach the worker loop', async () => {
    const made: InProcessWorker[] = [];
    g.Worker = class extends InProcessWorker {
      constructor() {
        super();
        made.push(this);
      }
    };
    const lr = hyperParam(0.01, { min: 0, max: 1 });
    const t = fit({
      scheduler: 'worker',
      worker: webWorker(),
      model: modelConfig,
      loss: 'softmaxCrossEntropy',
      optimizer: { type: 'sgd' },
      hyperParams: { lr },
      data: { x, y, batchSize: 16, epochs: 1e6 },
      seed: 1,
      sliceMs: 1,
      flushMs: 1,
    });
    const got = await liveLr(t, lr);
    expect(got.lrs).toEqual([0.01, 0.05, 0.002]);
    expect(got.accepted).toEqual([['lr', 0.05]]);
    // the same refusals, word for word, as a local run's handle gives
    const local = fit({
      model: modelFromConfig(modelConfig).model,
      loss: lossFromConfig('softmaxCrossEntropy'),
      optimizer: sgd({ lr: hyperParam(0.01, { min: 0, max: 1 }) }),
      hyperParams: { lr: hyperParam(0.01, { min: 0, max: 1 }) },
      data: fromArrays(x, y),
      rng: createRng(1),
    });
    expect(['abc', -1, Number.NaN, 2].map((v) => local.set('lr', v)?.message)).toEqual(REFUSALS);
    expect(got.rejected).toEqual(REFUSALS);
    // only good values crossed to the worker: the start config, then 0.05 and 0.002
    const sent = made[0]!.received;
    expect((sent[0] as Extract<ToWorker, { type: 'start' }>).config.hyperParams).toEqual({ lr: { value: 0.01, min: 0, max: 1 } });
    expect(sent.filter((m) => m.type === 'hyperParam')).toEqual([
      { type: 'hyperParam', name: 'lr', value: 0.05 },
      { type: 'hyperParam', name: 'lr', value: 0.002 },
    ]);
  });

  it("a value set before the start is the worker's initial value", async () => {
    g.Worker = InProcessWorker;
    const lr = hyperParam(0.01, { min: 0 });
    const t = fit({
      scheduler: 'worker',
      worker: webWorker(),
      model: modelConfig,
      loss: 'mse',
      optimizer: { type: 'adamw', lr: 0.5 },
      hyperParams: { lr },
      data: { x, y: x, batchSize: 16 },
      maxSteps: 3,
      flushMs: 1,
    });
    expect(t.set('lr', 0.02)).toBeUndefined();
    const lrs: number[] = [];
    t.steps$.subscribe((s) => lrs.push(s.lr));
    await t.done();
    expect(lrs.slice(0, 3)).toEqual([0.02, 0.02, 0.02]);
  });

  it('a cell written while paused is sent before the run resumes', async () => {
    const made: InProcessWorker[] = [];
    g.Worker = class extends InProcessWorker {
      constructor() {
        super();
        made.push(this);
      }
    };
    const lr = hyperParam(0.01, { min: 0 });
    const t = fit({
      scheduler: 'worker',
      worker: webWorker(),
      model: modelConfig,
      loss: 'mse',
      optimizer: { type: 'sgd' },
      hyperParams: { lr },
      data: { x, y: x, batchSize: 16, epochs: 1e6 },
      sliceMs: 1,
      flushMs: 1,
    });
    const lrs: number[] = [];
    t.steps$.subscribe((s) => lrs.push(s.lr));
    t.start();
    while (lrs.length < 3) await sleep(2);
    t.pause();
    await sleep(10);
    lr.value = 0.03;
    t.resume();
    const types = made[0]!.received.map((m) =>
      m.type === 'pause' ? `pause ${m.paused}` : m.type === 'hyperParam' ? `lr ${m.value}` : m.type,
    );
    expect(types).toEqual(['start', 'pause true', 'lr 0.03', 'pause false']);
    while (!lrs.includes(0.03)) await sleep(2);
    await t.stop();
    expect([...new Set(lrs)]).toEqual([0.01, 0.03]);
  });

  it('refuses, at fit, a cell that drives no live option and a schedule next to live cells', () => {
    g.Worker = InProcessWorker;
    const base = { scheduler: 'worker' as const, worker: webWorker(), model: modelConfig, loss: 'mse', data: { x, y: x } };
    const err = (f: () => unknown): GradstreamError => {
      try {
        f();
      } catch (e: unknown) {
        return e as GradstreamError;
      }
      throw new Error('no error');
    };
    expect(err(() => fit({ ...base, optimizer: { type: 'adam' }, hyperParams: { beta1: hyperParam(0.9) } })).path).toBe(
      'hyperParams.beta1',
    );
    expect(
      err(() => fit({ ...base, optimizer: { type: 'adam' }, hyperParams: { lr: 0.1 as unknown as ReturnType<typeof hyperParam> } })).path,
    ).toBe('hyperParams.lr');
    expect(
      err(() => fit({ ...base, optimizer: { type: 'adam', lr: { type: 'constant', lr: 0.1 } }, hyperParams: { lr: hyperParam(0.1) } }))
        .path,
    ).toBe('optimizer.lr');
    // adam has no weightDecay: the factory names it
    expect(err(() => fit({ ...base, optimizer: { type: 'adam' }, hyperParams: { weightDecay: hyperParam(0.1) } }))).toBeInstanceOf(
      GradstreamError,
    );
    expect(err(() => fit({ ...base, optimizer: { type: 'sgd' }, hyperParams: { lr: hyperParam(-1) } })).path).toBe('optimizer.lr');
  });

  it('reaches a Node worker thread', async () => {
    const lr = hyperParam(0.01, { min: 0, max: 1 });
    const t = fit({
      scheduler: 'worker',
      worker: nodeWorker(),
      model: modelConfig,
      loss: 'softmaxCrossEntropy',
      optimizer: { type: 'sgd' },
      hyperParams: { lr },
      data: { x, y, batchSize: 16, epochs: 1e6 },
      seed: 1,
      sliceMs: 1,
      flushMs: 1,
    });
    const got = await liveLr(t, lr);
    expect(got.lrs).toEqual([0.01, 0.05, 0.002]);
    expect(got.rejected).toEqual(REFUSALS);
  }, 30_000);
});
