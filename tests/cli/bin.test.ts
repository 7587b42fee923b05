/**
 * The built command as a user runs it: `node bin/gradstream.js …` in a child process (dist/ is
 * built by `npm ci` through `prepare`, or here when missing). Real exit codes, real SIGINT.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { bin, EXAMPLES, ensureBuilt, ROOT, startBin, tempDir } from './cliHarness.js';

beforeAll(() => ensureBuilt(), 120_000);

const seedConfig = (): Record<string, unknown> => JSON.parse(readFileSync(join(EXAMPLES, 'seed.json'), 'utf8')) as Record<string, unknown>;

describe('node bin/gradstream.js', () => {
  it('prints its version and help', async () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(await bin(['--version'])).toEqual({ code: 0, out: `${pkg.version}\n`, err: '' });
    const help = await bin(['train', '--help']);
    expect(help.code).toBe(0);
    expect(help.out).toMatch(/^usage: gradstream train CONFIG/);
  });

  it('trains the lesson: JSON Lines only on stdout, ending on step 6, loss 2.381266365508548, threshold', async () => {
    const r = await bin(['train', 'examples/seed.json', '--json']);
    expect(r.code).toBe(0);
    expect(r.err).toBe('');
    const lines = r.out.trimEnd().split('\n');
    expect(lines).toHaveLength(8);
    for (const l of lines) expect(() => JSON.parse(l) as unknown).not.toThrow();
    const last = lines[7]!;
    expect(last).toContain('"step":6');
    expect(last).toContain('"loss":2.381266365508548');
    expect(last).toContain('"reason":"threshold"');
  });

  it('exits with 2 and one line naming file, field and expectation on bad input — no stack trace', async () => {
    const dir = tempDir();
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ ...seedConfig(), optimizer: { type: 'sgd', lr: 'fast' } }));
    const r = await bin(['train', file, '--json']);
    expect(r).toEqual({ code: 2, out: '', err: `gradstream train: ${file}: optimizer.lr: expected number, received "fast"\n` });
    const usage = await bin(['train']);
    expect(usage.code).toBe(2);
    expect(usage.err).toBe(
      'gradstream train: expected CONFIG (a JSON or YAML training config), received nothing\nrun "gradstream train --help" for usage\n',
    );
    const missing = await bin(['plot', join(dir, 'none.jsonl'), '--out', join(dir, 'x.svg')]);
    expect(missing.code).toBe(2);
    expect(missing.err).not.toMatch(/^\s+at /m);
  });

  it('stops cleanly on SIGINT (exit 130, checkpoint written) and --resume ends bit-identical to an uninterrupted run', async () => {
    const dir = tempDir();
    const file = join(dir, 'reg.json');
    writeFileSync(
      file,
      JSON.stringify({
        model: { layers: [{ type: 'dense', inputs: 3, units: 8, init: 'heUniform' }, { type: 'tanh' }, { type: 'dense', units: 2 }] },
        loss: { type: 'huber', delta: 1 },
        optimizer: { type: 'adam', lr: { type: 'cosineDecay', lr: 0.01, decaySteps: 200_000, warmupSteps: 100 } },
        data: {
          inputs: [
            [0, 0, 1],
            [0, 1, 0],
            [1, 0, 0],
            [1, 1, 0],
            [0, 1, 1],
            [1, 0, 1],
            [1, 1, 1],
            [0, 0, 0],
            [0.5, 0.5, 0.5],
            [0.2, 0.8, 0.1],
          ],
          targets: [
            [1, 0],
            [0, 1],
            [1, 1],
            [0, 0],
            [1, 2],
            [2, 1],
            [3, 3],
            [0, 1],
            [1, 1],
            [0.5, 0.3],
          ],
        },
        training: { batchSize: 3, shuffle: true, seed: 7, maxSteps: 200_000 },
        log: { every: 1000 },
      }),
    );
    const whole = await bin(['train', file, '--json']);
    expect(whole.code).toBe(0);

    // The interrupted run logs every step (the same numbers; only the output differs): its writes
    // to the pipe block once ~64 KB are unread, so it cannot run far past the step that triggers
    // the SIGINT, however loaded the machine.
    const everyStep = join(dir, 'every-step.json');
    writeFileSync(everyStep, JSON.stringify({ ...(JSON.parse(readFileSync(file, 'utf8')) as object), log: { every: 1 } }));
    const run = startBin(['train', everyStep, '--json', '--checkpoint-dir', join(dir, 'ck')]);
    await run.waitFor('"step":1000,');
    run.child.kill('SIGINT');
    const interrupted = await run.done;
    expect(interrupted.code).toBe(130);
    const stop = JSON.parse(interrupted.out.trimEnd().split('\n').at(-1)!) as { reason: string; step: number };
    expect(stop.reason).toBe('aborted');
    expect(stop.step).toBeGreaterThanOrEqual(1000);
    expect(stop.step).toBeLessThan(200_000);
    const ckpt = JSON.parse(readFileSync(join(dir, 'ck/last.json'), 'utf8')) as { step: number; stopReason: string };
    expect(ckpt).toMatchObject({ step: stop.step, stopReason: 'aborted' });

    const resumed = await bin(['train', file, '--json', '--resume', join(dir, 'ck/last.json')]);
    expect(resumed.code).toBe(0);
    const a = whole.out.trimEnd().split('\n');
    const b = resumed.out.trimEnd().split('\n');
    expect(b.at(-1)).toBe(a.at(-1)); // the final weights, to the last bit
    expect(a.slice(-b.length)).toEqual(b); // and every logged step after the interruption
  });

  it('completes a 3,000,000-step synchronous run of the lesson (lr 1e-9)', async () => {
    const dir = tempDir();
    const file = join(dir, 'long.json');
    writeFileSync(
      file,
      JSON.stringify({
        ...seedConfig(),
        optimizer: { type: 'sgd', lr: 1e-9 },
        stop: {},
        training: { mode: 'sync', maxSteps: 3_000_000 },
        log: { every: 1_000_000 },
      }),
    );
    const started = performance.now();
    const r = await bin(['train', file, '--json']);
    const seconds = (performance.now() - started) / 1000;
    expect(r.code).toBe(0);
    const lines = r.out
      .trimEnd()
      .split('\n')
      .map(
        (l) =>
          JSON.parse(l) as { type: string; step: number; loss: number; reason?: string; params?: Record<string, { values: number[] }> },
      );
    expect(lines.map((l) => l.step)).toEqual([0, 1_000_000, 2_000_000, 3_000_000, 3_000_000]);
    const e = lines.at(-1)!;
    expect(e).toMatchObject({ type: 'end', reason: 'maxSteps', step: 3_000_000 });
    // the same descent as a plain loop: W ← W − lr · (2/n) xᵀ(xW − t)
    const x = [1, 2, 3, 4];
    const t = [2, 3, 4, 5];
    const W = Float64Array.from((seedConfig().model as { layers: { weights: number[][] }[] }).layers[0]!.weights.flat());
    const p = new Float64Array(4);
    const lossOf = (): number => {
      for (let j = 0; j < 4; j++) p[j] = x[0]! * W[j]! + x[1]! * W[4 + j]! + x[2]! * W[8 + j]! + x[3]! * W[12 + j]!;
      return ((p[0]! - t[0]!) ** 2 + (p[1]! - t[1]!) ** 2 + (p[2]! - t[2]!) ** 2 + (p[3]! - t[3]!) ** 2) / 4;
    };
    for (let s = 0; s < 3_000_000; s++) {
      lossOf();
      for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) W[i * 4 + j] -= 1e-9 * 0.5 * x[i]! * (p[j]! - t[j]!);
    }
    expect(Math.abs(e.loss - lossOf()) / lossOf()).toBeLessThan(1e-9);
    expect(e.loss).toBeLessThan(16.740979677499997);
    e.params!['0.W']!.values.forEach((v, i) => expect(Math.abs(v - W[i]!)).toBeLessThan(1e-9));
    console.log(`3,000,000-step sync run through the command: ${seconds.toFixed(2)} s`);
  }, 120_000);

  it('trains data-parallel on worker threads (training.workers) to float64 round-off of one thread', async () => {
    const dir = tempDir();
    const config = (workers: number) => ({
      model: { layers: [{ type: 'dense', inputs: 3, units: 16, init: 'heUniform' }, { type: 'relu' }, { type: 'dense', units: 2 }] },
      loss: 'mse',
      optimizer: { type: 'adam', lr: 0.01 },
      data: {
        inputs: [
          [0, 0, 1],
          [0, 1, 0],
          [1, 0, 0],
          [1, 1, 0],
          [0, 1, 1],
          [1, 0, 1],
          [1, 1, 1],
          [0, 0, 0],
          [0.5, 0.5, 0.5],
          [0.2, 0.8, 0.1],
          [0.3, 0.3, 0.9],
          [0.9, 0.1, 0.4],
        ],
        targets: [
          [1, 0],
          [0, 1],
          [1, 1],
          [0, 0],
          [1, 2],
          [2, 1],
          [3, 3],
          [0, 1],
          [1, 1],
          [0.5, 0.3],
          [1, 0.2],
          [0.1, 0.7],
        ],
      },
      training: { batchSize: 6, seed: 3, maxSteps: 100, workers, mode: 'sync' },
    });
    const ends: { loss: number; params: Record<string, { values: number[] }> }[] = [];
    for (const workers of [1, 2]) {
      writeFileSync(join(dir, `w${workers}.json`), JSON.stringify(config(workers)));
      const r = await bin(['train', join(dir, `w${workers}.json`), '--json']);
      expect(r.code).toBe(0);
      ends.push(JSON.parse(r.out.trimEnd().split('\n').at(-1)!) as (typeof ends)[number]);
    }
    expect(Math.abs(ends[1]!.loss - ends[0]!.loss)).toBeLessThan(1e-12);
    ends[1]!.params['0.W']!.values.forEach((v, i) => expect(Math.abs(v - ends[0]!.params['0.W']!.values[i]!)).toBeLessThan(1e-9));
  });

  it('npm start (examples/seed.ts) states the threshold it stops at', async () => {
    const { spawnSync } = await import('node:child_process');
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'examples/seed.ts', join(tempDir(), 'seed.json')], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect(r.status).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe('gradient descent (lr 0.01) until the loss is below 2.96');
    expect(lines).toContain('stopped after 6 updates (threshold: loss below 2.96), loss 2.381266365508548');
  });

  it('prints the schema and plots a log', async () => {
    const s = await bin(['schema']);
    expect(s.code).toBe(0);
    expect((JSON.parse(s.out) as { title: string }).title).toBe('gradstream training config');
    const dir = tempDir();
    const log = await bin(['train', 'examples/seed.json', '--json']);
    writeFileSync(join(dir, 'seed.jsonl'), log.out);
    const plot = await bin(['plot', join(dir, 'seed.jsonl'), '--out', join(dir, 'seed.svg')]);
    expect(plot).toEqual({
      code: 0,
      out: `wrote ${join(dir, 'seed.svg')} (7 logged steps, 0–6; best 2.381266365508548 at step 6)\n`,
      err: '',
    });
    expect(readFileSync(join(dir, 'seed.svg'), 'utf8')).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  });
});
