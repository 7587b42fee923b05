/**
 * lossPlotSvg's output for fixed logs, pinned by SHA-256 of the SVG text: a refactoring of the
 * drawing code must not change one byte for inputs without epoch means. (To see a difference,
 * write `lossPlotSvg(…)` of the case to a file before and after the change and diff them.)
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { lossPlotSvg, type LossPlotOptions } from '../../../src/cli/lossPlotSvg.js';
import { readLossLog } from '../../../src/cli/readLossLog.js';

const SEED = [
  16.740979677499997, 12.095357816993747, 8.738896022777983, 6.313852376457095, 4.56175834199025, 3.2958704020879557, 2.381266365508548,
];

function seedLog(): string {
  const lines = SEED.map((loss, step) => JSON.stringify({ type: 'step', step, epoch: step, loss, lr: 0.01 }));
  lines.push(JSON.stringify({ type: 'end', reason: 'threshold', step: 6, loss: SEED[6], params: {} }));
  return `${lines.join('\n')}\n`;
}

/** Noisy decaying loss over 3001 steps (more points than pixels), val loss every 50, cosine learning rate. */
function longLog(withLr: boolean): string {
  const lines: string[] = [];
  for (let i = 0; i <= 3000; i++) {
    const o: Record<string, unknown> = { step: i, loss: 2 * Math.exp(-i / 600) + 0.05 + 0.05 * Math.sin(i * 1.7) };
    if (withLr) o.lr = 0.0005 * (1 + Math.cos((Math.PI * i) / 3000));
    if (i % 50 === 0) o.valLoss = 2 * Math.exp(-i / 700) + 0.1;
    lines.push(JSON.stringify(o));
  }
  return lines.join('\n');
}

/** A single step, a constant loss: degenerate ranges. */
const oneStep = '{"step":40,"loss":0.5}';

const sha = (text: string): string => createHash('sha256').update(text).digest('hex');

const cases: [string, string, LossPlotOptions, string][] = [
  ['seed', seedLog(), { source: 'seed.jsonl' }, '8a5dffdaafe954a985062a8aac8926d8073a7947c6cf0a701647200283d86a59'],
  ['seed, log axis, smoothed', seedLog(), { logY: true, smooth: 0.5 }, '18c00cc02611f2cf6bcc61b76d8d01d70cc2992687cc2658e2b2fb3b347c35eb'],
  ['long', longLog(true), { source: 'long.jsonl' }, '2148329f45ab7fd21a1a705f7a10d1585075f7c6fe863bd4fee09ade86a5b79f'],
  [
    'long, log axis, smoothed, title',
    longLog(true),
    { logY: true, smooth: 0.9, title: 'A & B <run>' },
    'f68208c246839fbb72f01f5740b33c2e27c803423daca105297eae796f3c3de2',
  ],
  [
    'long without lr, 640×360',
    longLog(false),
    { width: 640, height: 360, smooth: 0.6 },
    '468e7e45648bcf8d04ef0ca8c21b64bcaedb4e95ac4179ad5594dc1be29ee5d7',
  ],
  ['one step', oneStep, {}, '50d4c739611d5df502a8a830fc59ef9703d31d0d01dd7d9f1d69a2f24ec0609d'],
];

describe('lossPlotSvg output for logs without epoch means', () => {
  it.each(cases)('%s', (_name, text, options, hash) => {
    expect(sha(lossPlotSvg(readLossLog(text, 'x.jsonl'), options))).toBe(hash);
  });
});
