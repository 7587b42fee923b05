/** A recording process killed mid-run (SIGKILL) leaves a log that replays up to its last whole event. */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import { fsStorage } from '../../src/node.js';
import { readRunLog, replay } from '../../src/index.js';

const root = resolve(import.meta.dirname, '../..');

const child = (dir: string): string => `
import { adam, createRng, dense, fit, fromArrays, moons, recordTo, relu, sequential, softmaxCrossEntropy } from ${JSON.stringify(pathToFileURL(join(root, 'src/index.ts')).href)};
import { fsStorage } from ${JSON.stringify(pathToFileURL(join(root, 'src/node.ts')).href)};
const { x, y } = moons(256, { noise: 0.1, rng: createRng(1) });
const model = sequential([dense(2, 16), relu(), dense(16, 2)]);
fit({ model, loss: softmaxCrossEntropy(), optimizer: adam({ lr: 0.01 }), data: fromArrays(x, y, { batchSize: 8, epochs: 1e6, shuffle: true, seed: 2 }), rng: createRng(3), maxSteps: 100_000, record: recordTo(fsStorage(${JSON.stringify(dir)}), { optimizer: { type: 'adam', lr: 0.01 } }) }).start();
`;

describe('recording: crash safety', () => {
  it('a process killed while recording leaves a log that replays to its last whole event', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gradstream-crash-'));
    try {
      writeFileSync(join(dir, 'child.ts'), child(dir));
      // node itself with tsx's loader (not the tsx wrapper, whose child would survive the kill)
      const p = spawn(
        process.execPath,
        ['--import', pathToFileURL(join(root, 'node_modules/tsx/dist/loader.mjs')).href, join(dir, 'child.ts')],
        { stdio: 'ignore' },
      );
      const exited = new Promise((r) => p.once('exit', r));
      try {
        // wait until the log holds a few hundred steps, then kill the process mid-run
        await vi.waitFor(
          () => {
            let text = '';
            try {
              text = readFileSync(join(dir, 'run.jsonl'), 'utf8');
            } catch {
              // not yet
            }
            expect(text.split('\n').length).toBeGreaterThan(400);
          },
          { timeout: 30_000, interval: 20 },
        );
      } finally {
        p.kill('SIGKILL'); // also when the wait failed: the child never outlives the test
        await exited;
      }
      const text = readFileSync(join(dir, 'run.jsonl'), 'utf8');
      const { events } = readRunLog(text);
      expect(events.some((e) => e.type === 'end')).toBe(false);
      const lastStep = Math.max(...events.filter((e) => e.type === 'step').map((e) => e.step!));
      const r = await replay({ storage: fsStorage(dir), name: 'run.jsonl' });
      expect(r.identical).toBe(true);
      expect(r.step).toBe(lastStep);
      expect(r.stepsCompared).toBe(lastStep + 1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
