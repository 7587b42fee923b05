import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, startBin, tempDir } from './cliHarness.js';

beforeAll(ensureBuilt, 120_000);

/** A run far longer than the test (xor, 10M epochs) in `training`'s mode, logging every 500 steps. */
function longRun(training: object): { dir: string; file: string } {
  const dir = tempDir();
  const file = join(dir, 'xor.json');
  writeFileSync(
    file,
    JSON.stringify({
      model: { layers: [{ type: 'dense', inputs: 2, units: 4 }, { type: 'tanh' }, { type: 'dense', units: 1 }] },
      loss: { type: 'binaryCrossEntropy', fromLogits: true },
      optimizer: { type: 'adam', lr: 0.01 },
      data: {
        inputs: [
          [0, 0],
          [0, 1],
          [1, 0],
          [1, 1],
        ],
        targets: [[0], [1], [1], [0]],
      },
      training: { epochs: 10_000_000, batchSize: 2, seed: 1, ...training },
      log: { every: 500 },
    }),
  );
  return { dir, file };
}

const MODES: [string, object][] = [
  ['sync', { mode: 'sync' }],
  ['sliced', { mode: 'sliced' }],
  ['sync, 2 workers', { mode: 'sync', workers: 2 }],
];

describe.each(MODES)('gradstream train (%s) stops on a signal', (_name, training) => {
  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)(
    '%s: stops at the next step, writes the final checkpoint and the summary, exits %i',
    async (signal, code) => {
      const { dir, file } = longRun(training);
      const ck = join(dir, 'ck');
      const run = startBin(['train', file, '--checkpoint-dir', ck]);
      await run.waitFor('step 500 ');
      run.child.kill(signal);
      const r = await run.done;
      expect(r.code, r.err).toBe(code);
      const m = /interrupted: stopped cleanly at step (\d+) \(checkpoint (.*last\.json)\)/.exec(r.err);
      expect(m, r.err).not.toBeNull();
      expect(r.out).toMatch(/stopped +aborted/);
      expect(existsSync(m![2]!)).toBe(true);
      const saved = JSON.parse(readFileSync(join(ck, 'last.json'), 'utf8')) as { step: number; stopReason: string };
      expect(saved).toMatchObject({ step: Number(m![1]), stopReason: 'aborted' });
    },
    60_000,
  );
});
