/**
 * `gradstream plot` on the logs of a real mini-batch run: the step lines of `train --json` and the
 * JSON Lines log file (log.path) carry the epoch means, and the plot draws them as the main curve
 * and reports the best epoch mean, not the luckiest mini-batch.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { lossPlotSvg } from '../../../src/cli/lossPlotSvg.js';
import { readLossLog } from '../../../src/cli/readLossLog.js';
import { cli, tempDir } from '../cliHarness.js';
import { allElements, parseXml, textOf } from '../xmlTree.js';

interface Line {
  type?: string;
  step: number;
  epoch: number;
  loss: number;
  epochLoss?: number | null;
}

/** 30 noisy rows (y = a − 2b + noise) read 8 at a time: 4 steps an epoch (8, 8, 8, 6 rows), 12 epochs, log.every 10. */
function run(): { dir: string; config: string } {
  const dir = tempDir();
  const rows = ['a,b,y'];
  for (let i = 0; i < 30; i++) rows.push(`${(i % 7) / 7},${(i % 5) / 5},${(i % 7) / 7 - (2 * (i % 5)) / 5 + 0.3 * Math.sin(i * 2.3)}`);
  writeFileSync(join(dir, 'data.csv'), `${rows.join('\n')}\n`);
  const config = {
    model: { layers: [{ type: 'dense', inputs: 2, units: 1 }] },
    loss: 'mse',
    optimizer: { type: 'sgd', lr: 0.1 },
    data: { csv: join(dir, 'data.csv'), targets: ['y'] },
    training: { batchSize: 8, epochs: 12, shuffle: false, mode: 'sync' },
    log: { every: 10, path: join(dir, 'log.jsonl') },
  };
  writeFileSync(join(dir, 'run.json'), JSON.stringify(config));
  return { dir, config: join(dir, 'run.json') };
}

const parse = (text: string): Line[] =>
  text
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Line)
    .filter((l) => l.type === undefined || l.type === 'step');

let dir = '';
let jsonOut: Line[] = [];
let fileLog: Line[] = [];
let jsonText = '';

beforeAll(async () => {
  const r = run();
  dir = r.dir;
  const t = await cli(['train', r.config, '--json']);
  expect(t.code).toBe(0);
  jsonText = t.out;
  writeFileSync(join(dir, 'stdout.jsonl'), t.out);
  jsonOut = parse(t.out);
  fileLog = parse(readFileSync(join(dir, 'log.jsonl'), 'utf8'));
});

const epochLines = (lines: Line[]): Line[] => lines.filter((l) => typeof l.epochLoss === 'number');

describe('the logs of a mini-batch run carry its epoch means', () => {
  it('writes every 10th step, the end of every 2nd epoch (10 ÷ 4 steps an epoch), and the last epoch end', () => {
    // epochs end on steps 3, 7, 11, …, 47; the data's end repeats the last batch as step 48
    const steps = [0, 3, 10, 11, 19, 20, 27, 30, 35, 40, 43, 47, 48];
    expect(jsonOut.map((l) => l.step)).toEqual(steps);
    expect(epochLines(jsonOut).map((l) => [l.step, l.epoch])).toEqual([
      [3, 0],
      [11, 2],
      [19, 4],
      [27, 6],
      [35, 8],
      [43, 10],
      [47, 11],
    ]);
    // the log file has the same lines (without the final record's repetition)
    expect(epochLines(fileLog).map((l) => [l.step, l.epochLoss])).toEqual(epochLines(jsonOut).map((l) => [l.step, l.epochLoss]));
    expect(fileLog.map((l) => l.step)).toEqual(steps);
  });
});

describe('gradstream plot with epoch means', () => {
  it('reports the best epoch mean, not the best mini-batch', async () => {
    const epochs = epochLines(jsonOut);
    let best = epochs[0]!;
    for (const l of epochs) if (l.epochLoss! < best.epochLoss!) best = l;
    const luckiest = Math.min(...jsonOut.map((l) => l.loss));
    expect(luckiest).toBeLessThan(best.epochLoss!); // one batch sits below every epoch mean
    for (const [name, file] of [
      ['stdout.jsonl', join(dir, 'stdout.jsonl')],
      ['log.jsonl', join(dir, 'log.jsonl')],
    ] as const) {
      const r = await cli(['plot', file, '--out', join(dir, `${name}.svg`)]);
      expect(r.code).toBe(0);
      expect(r.out).toContain(`; best epoch loss ${String(best.epochLoss)} at epoch ${best.epoch} (step ${best.step}))`);
      const svg = parseXml(readFileSync(join(dir, `${name}.svg`), 'utf8'));
      const texts = allElements(svg)
        .filter((e) => e.name === 'text')
        .map(textOf);
      expect(texts.find((t) => t.startsWith(name))).toContain(
        `final epoch loss ${epochs.at(-1)!.epochLoss!.toPrecision(4)}  ·  best epoch loss ${best.epochLoss!.toPrecision(4)} at epoch ${best.epoch} (step ${best.step})`,
      );
      expect(texts).toEqual(expect.arrayContaining(['epoch mean loss', 'mini-batch loss']));
    }
  });

  it('draws the epoch means as the main curve at each epoch end, the mini-batch losses faint behind', () => {
    const log = readLossLog(jsonText, 'run.jsonl');
    const svg = parseXml(lossPlotSvg(log));
    const plot = allElements(svg).find((e) => e.name === 'g' && e.attrs['clip-path'] === 'url(#plot)')!;
    const paths = plot.children.filter((e) => e.name === 'path');
    const loss = paths.filter((e) => e.attrs.stroke === '#0072B2');
    expect(loss.map((e) => e.attrs['stroke-opacity'] ?? '1')).toEqual(['0.28', '1']);
    const xy = (d: string): number[][] => d.match(/[ML][\d.]+,[\d.]+/g)!.map((p) => p.slice(1).split(',').map(Number));
    const batch = xy(loss[0]!.attrs.d!);
    const main = xy(loss[1]!.attrs.d!);
    expect(batch).toHaveLength(13); // the 13 logged steps
    expect(main).toHaveLength(7); // the 7 epoch means
    // each epoch mean sits at its epoch's last step: the x of that step's mini-batch point
    const epochs = epochLines(jsonOut);
    const steps = jsonOut.map((l) => l.step);
    for (let k = 0; k < 7; k++) expect(main[k]![0]).toBe(batch[steps.indexOf(epochs[k]!.step)]![0]);
    // the screen y follows the value: the lowest mean is the lowest point (screen y grows downwards)
    const lowest = epochs.reduce((a, l, k) => (l.epochLoss! < epochs[a]!.epochLoss! ? k : a), 0);
    expect(main.reduce((a, p, k) => (p[1]! > main[a]![1]! ? k : a), 0)).toBe(lowest);
    expect(plot.children.filter((e) => e.name === 'circle')).toHaveLength(7);
  });
});
