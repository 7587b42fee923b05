import { lastValueFrom, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import {
  adam,
  createRng,
  dense,
  earlyStopping,
  epochMean,
  fit,
  fromArrays,
  moons,
  relu,
  sequential,
  softmaxCrossEntropy,
  type StepView,
  type TrainingEvent,
} from '../../src/index.js';
import { dashboardHtml, dashboardScript } from '../../src/live/dashboardPage.js';

describe('fit: epoch means on the Training handle', () => {
  it('carries epochLoss on epoch-end steps, epochs$ and epochEnd events, and earlyStopping can watch it', async () => {
    const { x, y } = moons(64, { noise: 0.1, rng: createRng(1) });
    const t = fit({
      model: sequential([dense(2, 8), relu(), dense(8, 2)]),
      loss: softmaxCrossEntropy(),
      optimizer: adam({ lr: 0.01 }),
      data: fromArrays(x, y, { batchSize: 16, epochs: 3 }),
      rng: createRng(2),
      scheduler: 'sync',
      sinks: [epochMean(), earlyStopping({ monitor: 'epochLoss', patience: 10 })],
    });
    const steps = lastValueFrom(t.steps$.pipe(toArray()));
    const epochs = lastValueFrom(t.epochs$.pipe(toArray()));
    const events = lastValueFrom(t.events$.pipe(toArray()));
    await t.done();
    const all: StepView[] = await steps;
    // the final record (all epochs done) evaluates the last batch again: no epoch of its own
    expect(all.at(-1)).toMatchObject({ stopReason: 'dataEnd', epochLoss: undefined });
    const s = all.slice(0, -1);
    // 4 equal batches an epoch: the mean of the 4 steps' losses
    for (const e of await epochs) {
      const part = s.filter((v) => v.epoch === e.epoch);
      expect(part).toHaveLength(4);
      expect(e.epochLoss).toBeCloseTo(part.reduce((a, v) => a + v.loss, 0) / 4, 14);
      expect(part.map((v) => v.epochLoss === undefined)).toEqual([true, true, true, false]);
    }
    const ends = (await events).filter((e): e is Extract<TrainingEvent, { type: 'epochEnd' }> => e.type === 'epochEnd');
    expect(ends.map((e) => e.epochLoss)).toEqual((await epochs).map((e) => e.epochLoss));
  });

  it('shows the latest epoch loss on the dashboard page', () => {
    expect(dashboardHtml('run')).toContain('<dt>epoch loss</dt><dd id="epochLoss">');
    expect(dashboardScript).toContain("el('epochLoss').textContent");
  });
});
