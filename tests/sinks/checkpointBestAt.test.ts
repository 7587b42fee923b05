import { lastValueFrom, pipe, tap } from 'rxjs';
import { describe, expect, it } from 'vitest';
import {
  checkpointTo,
  createRng,
  dense,
  epochMean,
  forward,
  fromArrays,
  gradient,
  loss,
  memoryStorage,
  mse,
  sequential,
  sgd,
  train,
  update,
  type StepRecord,
  type WithEpochMean,
} from '../../src/index.js';

/** 10 rows read 4 at a time (3 steps an epoch), 5 epochs, with a checkpoint sink. */
async function run(bestAt: 'written' | 'epochEnd' | undefined, seen: (StepRecord & WithEpochMean)[]) {
  const model = sequential([dense(1, 1)]);
  const l = mse();
  const store = memoryStorage();
  const save = checkpointTo(store, { monitor: 'epochLoss', every: 100, ...(bestAt === undefined ? {} : { bestAt }) });
  const written: string[] = [];
  save.written$.subscribe((w) => written.push(`${w.path}@${w.step}`));
  const x = Array.from({ length: 10 }, (_, i) => [i / 10]);
  await lastValueFrom(
    train({
      params: model.init(createRng(1)),
      data: fromArrays(
        x,
        x.map(([v]) => [3 * v! - 1]),
        { batchSize: 4, epochs: 5 },
      ),
      pipeline: pipe(
        forward(model),
        loss(l),
        gradient(model, l),
        update(sgd({ lr: 0.2 })),
        epochMean(),
        tap((r) => void seen.push({ ...r })),
        save,
      ),
      scheduler: 'sync',
    }),
  ).catch(() => undefined);
  return { store, written };
}

describe('checkpointTo bestAt', () => {
  it("'epochEnd' writes best.json alone at the epoch end with the best epoch mean; 'written' only looks at written records", async () => {
    const seen: (StepRecord & WithEpochMean)[] = [];
    const { store, written } = await run('epochEnd', seen);
    const ends = seen.filter((r) => r.epochLoss !== undefined);
    expect(ends.map((r) => r.step)).toEqual([2, 5, 8, 11, 14]);
    const bestEnd = ends.reduce((a, b) => (b.epochLoss! < a.epochLoss! ? b : a));
    const best = JSON.parse(store.get('best.json')!) as { step: number; best: { monitor: string; step: number; value: number } };
    expect(best.best).toMatchObject({ monitor: 'epochLoss', step: bestEnd.step, value: bestEnd.epochLoss });
    expect(best.step).toBe(bestEnd.step);
    // best.json each time the mean improved on the best so far; last.json at step 0 and the final record
    let low = Infinity;
    const improving = ends.filter((r) => (r.epochLoss! < low ? ((low = r.epochLoss!), true) : false));
    expect(improving.length).toBeGreaterThan(1);
    expect(improving.length).toBeLessThan(ends.length);
    expect(written).toEqual(['memory:last.json@0', ...improving.map((r) => `memory:best.json@${r.step}`), 'memory:last.json@15']);
    const plain = await run(undefined, []);
    expect(plain.store.get('best.json')).toBeUndefined(); // steps 0 and 15 carry no epoch mean
  });
});
