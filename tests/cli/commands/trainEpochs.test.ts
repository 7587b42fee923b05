import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, EXAMPLES, tempDir } from '../cliHarness.js';

interface Line {
  type: string;
  step: number;
  epoch: number;
  loss: number;
  epochLoss?: number;
  reason?: string;
}

/** A 10-row CSV (y = a + 2b + noise) and a config reading it 4 rows at a time. */
function csvRun(extra: Record<string, unknown>): string {
  const dir = tempDir();
  const rows = ['a,b,y'];
  for (let i = 0; i < 10; i++) rows.push(`${i / 10},${(i % 3) / 3},${i / 10 + (2 * (i % 3)) / 3 + (i % 2) * 0.05}`);
  writeFileSync(join(dir, 'data.csv'), rows.join('\n') + '\n');
  const config = {
    model: { layers: [{ type: 'dense', inputs: 2, units: 1 }] },
    loss: 'mse',
    optimizer: { type: 'sgd', lr: 0.1 },
    data: { csv: 'data.csv', features: ['a', 'b'], targets: ['y'] },
    training: { batchSize: 4, epochs: 3, shuffle: false, mode: 'sync' },
    ...extra,
  };
  const file = join(dir, 'run.json');
  writeFileSync(file, JSON.stringify(config));
  return file;
}

const parse = (out: string): Line[] => out.split('\n').map((l) => JSON.parse(l) as Line);

describe('gradstream train: epoch means', () => {
  it('reports the row-weighted epoch mean loss on each epoch end of a mini-batch run', async () => {
    const r = await cli(['train', csvRun({}), '--json']);
    expect(r.code).toBe(0);
    const steps = parse(r.out).filter((l) => l.type === 'step');
    // 3 batches per epoch (4, 4, 2 rows); the final record (all epochs done) repeats the last batch
    expect(steps.map((l) => l.epochLoss !== undefined)).toEqual([false, false, true, false, false, true, false, false, true, false]);
    for (let e = 0; e < 3; e++) {
      const [a, b, c] = steps.slice(3 * e, 3 * e + 3);
      expect(c!.epochLoss).toBeCloseTo((4 * a!.loss + 4 * b!.loss + 2 * c!.loss) / 10, 14);
    }
    // the end line, the summary and --quiet report the last whole epoch's mean
    const last = steps[8]!.epochLoss!;
    expect(parse(r.out).at(-1)).toMatchObject({ type: 'end', reason: 'dataEnd', epochLoss: last });
    expect((await cli(['train', csvRun({})])).out).toContain(`epoch     mean loss ${String(last)} (the last whole epoch)`);
    expect((await cli(['train', csvRun({}), '--quiet'])).out).toBe(
      `dataEnd: step 9, loss ${String(steps[9]!.loss)}, epoch loss ${String(last)}`,
    );
  });

  it('stops and keeps best.json on the epoch mean by default, and says so', async () => {
    const dir = tempDir();
    const file = csvRun({ stop: { lossBelow: 1e9 } });
    const r = await cli(['train', file, '--json', '--checkpoint-dir', dir]);
    const lines = parse(r.out);
    // the batch loss is below 1e9 on step 0 already: only the epoch mean waits for the epoch's end
    expect(lines.at(-1)).toMatchObject({ type: 'end', reason: 'threshold', step: 2 });
    const best = JSON.parse(readFileSync(join(dir, 'best.json'), 'utf8')) as { best: { monitor: string; step: number } };
    expect(best.best).toMatchObject({ monitor: 'epochLoss', step: 2 });
    const text = await cli(['train', file]);
    expect(text.out).toContain('stopped   threshold (epoch mean loss below 1000000000)');
    // the batch loss on request
    const perStep = parse((await cli(['train', csvRun({ stop: { lossBelow: 1e9, monitor: 'loss' } }), '--json'])).out);
    expect(perStep.at(-1)).toMatchObject({ reason: 'threshold', step: 0 });
  });

  it('leaves a full-batch run (the lesson) as it is: no epoch means, stops on the loss', async () => {
    const r = await cli(['train', join(EXAMPLES, 'seed.json'), '--json']);
    expect(r.out.split('\n')[6]).toBe('{"type":"step","step":6,"epoch":6,"loss":2.381266365508548,"lr":0.01}');
  });
});
