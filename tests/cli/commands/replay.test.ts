import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, EXAMPLES, tempDir } from '../cliHarness.js';

describe('gradstream train --record LOG, gradstream replay LOG', () => {
  it('records the lesson and replays it bit for bit; --until; a changed log names its first differing step', async () => {
    const log = join(tempDir(), 'logs', 'lesson.jsonl'); // a folder made for it
    const t = await cli(['train', join(EXAMPLES, 'seed.json'), '--json', '--record', log]);
    expect(t.code).toBe(0);
    const endLine = JSON.parse(t.out.split('\n').at(-1)!) as { step: number; params: Record<string, { values: number[] }> };
    expect(endLine.step).toBe(6);
    const r = await cli(['replay', log, '--json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.out) as {
      type: string;
      identical: boolean;
      step: number;
      stopReason: string;
      checksum: string;
      recordedChecksum: string;
    };
    expect(out).toMatchObject({ type: 'replay', identical: true, step: 6, stepsCompared: 7, stopReason: 'threshold' });
    expect(out.checksum).toBe(out.recordedChecksum);
    const text = await cli(['replay', log]);
    expect(text.out).toBe(
      `identical: 7 steps compared, up to step 6 (recorded stop: threshold); weights ${out.checksum} (recorded ${out.checksum})`,
    );
    const until = JSON.parse((await cli(['replay', log, '--json', '--until', '3'])).out) as { step: number; identical: boolean };
    expect(until).toMatchObject({ step: 3, identical: true });

    const lines = readFileSync(log, 'utf8').split('\n');
    const i = lines.findIndex((l) => l.startsWith('{"type":"step","step":4,'));
    lines[i] = lines[i]!.replace(/"lr":0\.01/, '"lr":0.02');
    writeFileSync(log, lines.join('\n'));
    const changed = await cli(['replay', log]);
    expect(changed.code).toBe(1);
    expect(changed.out).toBe('differs at step 4: lr recorded 0.02, replayed 0.01');
  });

  it('records xor (adam, shuffled batches) and replays it; refuses --record with data.scale', async () => {
    const dir = tempDir();
    const config = JSON.parse(readFileSync(join(EXAMPLES, 'xor.json'), 'utf8')) as {
      data: Record<string, unknown>;
      training: Record<string, unknown>;
    };
    config.training.epochs = 40;
    writeFileSync(join(dir, 'xor.json'), JSON.stringify(config));
    expect((await cli(['train', join(dir, 'xor.json'), '--quiet', '--record', join(dir, 'xor.jsonl')])).code).toBe(0);
    const r = JSON.parse((await cli(['replay', join(dir, 'xor.jsonl'), '--json'])).out) as { identical: boolean; step: number };
    expect(r).toMatchObject({ identical: true, step: 40 });
    config.data.scale = 'standardize';
    writeFileSync(join(dir, 'scaled.json'), JSON.stringify(config));
    const refused = await cli(['train', join(dir, 'scaled.json'), '--record', join(dir, 's.jsonl')]);
    expect(refused.code).toBe(2);
    expect(refused.err).toMatch(/data\.scale: expected none with --record/);
  });

  it('records batches by reference to a CSV file and replays them from the config the log names', async () => {
    const dir = tempDir();
    const rows = ['a,b,t', ...Array.from({ length: 40 }, (_, i) => `${i / 40},${(i % 7) / 7},${(2 * i) / 40 - (i % 7) / 7}`)];
    writeFileSync(join(dir, 'd.csv'), rows.join('\n') + '\n');
    const config = {
      model: { layers: [{ type: 'dense', inputs: 2, units: 1 }] },
      loss: 'mse',
      optimizer: { type: 'sgd', lr: 0.1 },
      data: { csv: 'd.csv', features: ['a', 'b'], targets: ['t'] },
      training: { batchSize: 8, epochs: 3, seed: 1 },
    };
    writeFileSync(join(dir, 'csv.json'), JSON.stringify(config));
    const log = join(dir, 'csv.jsonl');
    const t = await cli(['train', join(dir, 'csv.json'), '--quiet', '--record', log, '--record-batches', 'reference']);
    expect(t.code).toBe(0);
    const text = readFileSync(log, 'utf8');
    expect(text).not.toContain('"x":');
    expect(text).toContain('"batches":"reference"');
    const r = JSON.parse((await cli(['replay', log, '--json'])).out) as { identical: boolean; step: number };
    expect(r).toMatchObject({ identical: true, step: 15 });
    // the same config over changed data: the replay names the first step whose loss moved
    writeFileSync(join(dir, 'd.csv'), rows.map((l, i) => (i === 3 ? '0.5,0.5,9' : l)).join('\n') + '\n');
    const changed = await cli(['replay', log]);
    expect(changed.code).toBe(1);
    expect(changed.out).toMatch(/^differs at step \d+: loss recorded/);
    expect((await cli(['train', join(dir, 'csv.json'), '--record', log, '--record-batches', 'pointer'])).code).toBe(2);
  });

  it('refuses a missing log or a file that is not a run log (exit 2)', async () => {
    const dir = tempDir();
    expect((await cli(['replay', join(dir, 'none.jsonl')])).code).toBe(2);
    writeFileSync(join(dir, 'x.jsonl'), '{"type":"step","step":0}\n');
    const r = await cli(['replay', join(dir, 'x.jsonl')]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/start event/);
  });
});
