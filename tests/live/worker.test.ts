import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  adam,
  createParams,
  createRng,
  fit,
  fromArrays,
  lossFromConfig,
  modelFromConfig,
  moons,
  nodeWorker,
  type StepView,
  type TrainingEvent,
} from '../../src/node.js';
import { sleep } from './helpers.js';

const modelConfig = { layers: [{ type: 'dense', inputs: 2, units: 8 }, { type: 'relu' }, { type: 'dense', units: 2 }] };
const { x, y } = moons(128, { noise: 0.1, rng: createRng(1) });

describe("fit({ scheduler: 'worker' }) in a Node worker thread", () => {
  it('trains exactly as the same run in this thread, streaming every step back', async () => {
    const { model } = modelFromConfig(modelConfig);
    const init = model.init(createRng(5));
    const local = await fit({
      model,
      loss: lossFromConfig('softmaxCrossEntropy'),
      optimizer: adam({ lr: 0.01 }),
      data: fromArrays(x, y, { batchSize: 32, epochs: 3 }),
      params: init,
      scheduler: 'sync',
    })
      .start()
      .done();
    const t = fit({
      scheduler: 'worker',
      worker: nodeWorker(),
      model: model, // a model with toConfig()
      loss: 'softmaxCrossEntropy',
      optimizer: { type: 'adam', lr: 0.01 },
      data: { x, y, batchSize: 32, epochs: 3 },
      params: init,
    });
    const steps: StepView[] = [];
    const events: TrainingEvent['type'][] = [];
    t.steps$.subscribe((s) => steps.push(s));
    t.events$.subscribe((e) => events.push(e.type));
    const r = await t.done();
    expect(r.stopReason).toBe('dataEnd');
    expect(r.step).toBe(local.step);
    expect(r.loss).toBe(local.loss);
    expect(Array.from(r.params.data)).toEqual(Array.from(local.params.data));
    expect(steps.map((s) => s.step)).toEqual(Array.from({ length: local.step + 1 }, (_, i) => i));
    expect(events.filter((e) => e === 'epochEnd')).toHaveLength(3);
    expect(events.at(-1)).toBe('stopped');
  }, 30_000);

  it('pauses, resumes, stops with a final checkpoint, and reports it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gradstream-worker-'));
    const path = join(dir, 'last.json');
    const t = fit({
      scheduler: 'worker',
      worker: nodeWorker(),
      model: modelConfig,
      loss: 'softmaxCrossEntropy',
      optimizer: { type: 'sgd', lr: 0.01 },
      data: { x, y, batchSize: 16 },
      seed: 3,
      sliceMs: 5,
      checkpoint: { path },
    });
    const views: StepView[] = [];
    t.steps$.subscribe((v) => views.push(v));
    const written: number[] = [];
    t.checkpoints$.subscribe((c) => written.push(c.step));
    t.start();
    while (views.length < 20) await sleep(10);
    t.pause();
    await sleep(100);
    const n = views.length;
    await sleep(100);
    expect(views.length).toBe(n);
    t.resume();
    while (views.length < n + 10) await sleep(10);
    expect(views[n]!.step).toBe(views[n - 1]!.step + 1);
    const r = await t.stop();
    expect(r.stopReason).toBe('stopped');
    expect(written).toEqual([r.step]); // resolved after the final checkpoint was written
    expect(JSON.parse(readFileSync(path, 'utf8'))).toMatchObject({ step: r.step, stopReason: 'stopped' });
    expect(createParams(modelFromConfig(modelConfig).model.layout, r.params.data).tensors).toHaveLength(4);
  }, 30_000);

  it('rejects bad configs at the call', () => {
    expect(() =>
      fit({ scheduler: 'worker', worker: nodeWorker(), model: modelConfig, loss: 'nope', optimizer: { type: 'sgd' }, data: { x, y } }),
    ).toThrow(/loss/);
    expect(() => fit({ scheduler: 'worker', model: modelConfig, loss: 'mse', optimizer: { type: 'sgd' }, data: { x, y } })).toThrow(
      'worker: expected a Web Worker (browsers), or nodeWorker() from gradstream/node, received no Worker in this environment',
    );
  });

  it('reports an error raised in the worker', async () => {
    const t = fit({
      scheduler: 'worker',
      worker: nodeWorker(),
      model: modelConfig,
      loss: 'softmaxCrossEntropy',
      optimizer: { type: 'sgd' },
      data: { x: [[1, 2, 3]], y: [0] },
    });
    await expect(t.start().done()).rejects.toThrow(/3/);
  }, 30_000);
});
