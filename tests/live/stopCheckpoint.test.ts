import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkpoint, fit, fullBatch, sgd, type CheckpointInfo, type FitSink, type StepRecord } from '../../src/node.js';
import { seedLoss, seedModel, seedParams, seedT, seedX } from '../helpers/seed.js';
import { sleep } from './helpers.js';

describe('stop() with a checkpoint sink', () => {
  it('resolves after the final checkpoint (the stopped record) has been written', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'gradstream-stop-')), 'last.json');
    const t = fit({
      model: seedModel,
      loss: seedLoss,
      optimizer: sgd({ lr: 0.001 }),
      data: fullBatch(seedX, seedT),
      params: seedParams(),
      sinks: [checkpoint<StepRecord>({ path, every: 1000 }) as FitSink],
    });
    const written: CheckpointInfo[] = [];
    t.checkpoints$.subscribe((c) => written.push(c));
    t.start();
    await sleep(20);
    const r = await t.stop();
    expect(r.stopReason).toBe('stopped');
    expect(written.at(-1)).toMatchObject({ path, step: r.step });
    const file = JSON.parse(readFileSync(path, 'utf8')) as { step: number; stopReason: string };
    expect(file).toMatchObject({ step: r.step, stopReason: 'stopped' });
  });
});
