import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, tempDir } from './cliHarness.js';

/** A trained regression model on x1,x2 → y (CSV), with its checkpoint folder. */
async function trainedOnFile(): Promise<{ dir: string; ck: string; run: string }> {
  const dir = tempDir();
  writeFileSync(join(dir, 'train.csv'), `x1,x2,y\n${Array.from({ length: 8 }, (_, i) => `${i},${i % 3},${2 * i}`).join('\n')}\n`);
  const config = {
    model: { layers: [{ type: 'dense', inputs: 2, units: 1 }] },
    loss: 'mse',
    optimizer: { type: 'sgd', lr: 0.01 },
    data: { csv: 'train.csv', features: ['x1', 'x2'], targets: ['y'] },
    training: { maxSteps: 3 },
    checkpoint: { dir: 'ck' },
  };
  writeFileSync(join(dir, 'run.json'), JSON.stringify(config));
  expect((await cli(['train', join(dir, 'run.json'), '--quiet'])).code).toBe(0);
  return { dir, ck: join(dir, 'ck'), run: join(dir, 'run.json') };
}

describe('every command reads data files with the rules of train', () => {
  it('predict and eval refuse CSV 0x10, Infinity and an empty field as train does (exit 2, file, row, column)', async () => {
    const { dir, ck } = await trainedOnFile();
    for (const bad of ['0x10', 'Infinity', '']) {
      const f = join(dir, `bad${bad}.csv`);
      writeFileSync(f, `x1,x2,y\n1,2,3\n${bad},1,2\n`);
      const message = `${f} row 3, column "x1": expected a finite number, received ${JSON.stringify(bad)}`;
      const p = await cli(['predict', ck, f]);
      expect([p.code, p.err]).toEqual([2, `gradstream predict: ${message}`]);
      const e = await cli(['eval', ck, f]);
      expect([e.code, e.err]).toEqual([2, `gradstream eval: ${message}`]);
      writeFileSync(
        join(dir, 'run2.json'),
        JSON.stringify({
          model: { layers: [{ type: 'dense', inputs: 2, units: 1 }] },
          loss: 'mse',
          optimizer: { type: 'sgd', lr: 0.01 },
          data: { csv: f, features: ['x1', 'x2'], targets: ['y'] },
          training: { maxSteps: 3 },
        }),
      );
      const t = await cli(['train', join(dir, 'run2.json'), '--quiet']);
      expect(t.code).toBe(2);
      expect(t.err).toContain(message);
    }
  });

  it('predict and eval refuse JSON Lines "0" strings and 1e999 as train does', async () => {
    const { dir, ck } = await trainedOnFile();
    for (const [bad, shown] of [
      ['"0"', '"0"'],
      ['1e999', 'Infinity'],
      ['null', 'null'],
    ] as const) {
      const f = join(dir, `bad${n++}.jsonl`);
      writeFileSync(f, `{"x1": 1, "x2": 2, "y": 3}\n{"x1": 1, "x2": ${bad}, "y": 3}\n`);
      const message = `${f} row 2, column "x2": expected a finite number, received ${shown}`;
      const p = await cli(['predict', ck, f]);
      expect([p.code, p.err]).toEqual([2, `gradstream predict: ${message}`]);
      const e = await cli(['eval', ck, f]);
      expect([e.code, e.err]).toEqual([2, `gradstream eval: ${message}`]);
      writeFileSync(
        join(dir, 'run3.json'),
        JSON.stringify({
          model: { layers: [{ type: 'dense', inputs: 2, units: 1 }] },
          loss: 'mse',
          optimizer: { type: 'sgd', lr: 0.01 },
          data: { jsonl: f, features: ['x1', 'x2'], targets: ['y'] },
          training: { maxSteps: 3 },
        }),
      );
      const t = await cli(['train', join(dir, 'run3.json'), '--quiet']);
      expect(t.code).toBe(2);
      expect(t.err).toContain(message);
    }
  });

  it("predict refuses a CSV row whose field count differs from the header's, as train does", async () => {
    const { dir, ck } = await trainedOnFile();
    const f = join(dir, 'short.csv');
    writeFileSync(f, 'x1,x2,y\n1,2,3\n\n4,5\n');
    const p = await cli(['predict', ck, f]);
    expect([p.code, p.err]).toEqual([2, `gradstream predict: ${f} row 4: expected 3 fields (as the header), received 2`]);
  });

  it('predict refuses a data path that is a FIFO, at once', async () => {
    const { dir, ck } = await trainedOnFile();
    const fifo = join(dir, 'fifo.csv');
    execFileSync('mkfifo', [fifo]);
    const p = await cli(['predict', ck, fifo]);
    expect([p.code, p.err]).toEqual([
      2,
      `gradstream predict: ${fifo}: expected a data file (a regular file), received a FIFO (named pipe)`,
    ]);
    const e = await cli(['eval', ck, fifo]);
    expect(e.code).toBe(2);
  });

  it("predict reads the training config's file data with the same rules, and a BOM", async () => {
    const { dir, ck, run } = await trainedOnFile();
    const ok = await cli(['predict', ck, run]);
    expect(ok.code).toBe(0);
    expect(ok.out.split('\n')).toHaveLength(9);
    const f = join(dir, 'bom.jsonl');
    writeFileSync(f, '\uFEFF{"x1": 1, "x2": 2}\n');
    const b = await cli(['predict', ck, f]);
    expect([b.code, b.out.split('\n').length]).toEqual([0, 2]);
  });
});
let n = 0;
