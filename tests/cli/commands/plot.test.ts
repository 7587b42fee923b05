import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lossPlotSvg, smoothSeries } from '../../../src/cli/lossPlotSvg.js';
import { readLossLog } from '../../../src/cli/readLossLog.js';
import { cli, tempDir } from '../cliHarness.js';
import { allElements, parseXml, textOf } from '../xmlTree.js';

const SEED = [
  16.740979677499997, 12.095357816993747, 8.738896022777983, 6.313852376457095, 4.56175834199025, 3.2958704020879557, 2.381266365508548,
];

function seedLog(): string {
  const lines = SEED.map((loss, step) => JSON.stringify({ type: 'step', step, epoch: step, loss, lr: 0.01 }));
  lines.push(JSON.stringify({ type: 'end', reason: 'threshold', step: 6, loss: SEED[6], params: {} }));
  return `${lines.join('\n')}\n`;
}

/** A longer log: noisy decaying loss, val loss every 10th line, cosine learning rate. */
function longLog(): string {
  const lines: string[] = [];
  for (let i = 0; i <= 3000; i += 5) {
    const o: Record<string, unknown> = {
      type: 'step',
      step: i,
      epoch: Math.floor(i / 100),
      loss: 2 * Math.exp(-i / 600) + 0.05 + 0.05 * Math.sin(i),
      lr: 0.0005 * (1 + Math.cos((Math.PI * i) / 3000)),
    };
    if (i % 50 === 0) o.valLoss = 2 * Math.exp(-i / 700) + 0.1;
    lines.push(JSON.stringify(o));
  }
  return lines.join('\n');
}

describe('readLossLog', () => {
  it('reads step lines (with or without type), sorts them and keeps the end reason', () => {
    const log = readLossLog(
      '{"step":2,"loss":1,"lr":0.1}\n\n{"type":"step","step":0,"loss":3,"valLoss":4}\n{"type":"end","reason":"maxSteps","step":2}\n{"step":1,"loss":null}',
      'x',
    );
    expect(Array.from(log.step)).toEqual([0, 1, 2]);
    expect(Array.from(log.loss)).toEqual([3, Number.NaN, 1]);
    expect(Array.from(log.valLoss)).toEqual([4, Number.NaN, Number.NaN]);
    expect(Array.from(log.lr)).toEqual([Number.NaN, Number.NaN, 0.1]);
    expect(log.reason).toBe('maxSteps');
    expect(readLossLog('{"step":0,"loss":"Infinity"}', 'x').loss[0]).toBe(Infinity);
  });

  it('names the file and line of a bad line', () => {
    expect(() => readLossLog('{"step":0,"loss":1}\nnot json', 'run.jsonl')).toThrow(
      'run.jsonl:2: expected a JSON object per line, received invalid JSON (unexpected character)',
    );
    expect(() => readLossLog('[1]', 'run.jsonl')).toThrow('run.jsonl:1: expected a JSON object per line, received an array');
    expect(() => readLossLog('{"step":-1,"loss":1}', 'run.jsonl')).toThrow('run.jsonl:1: step: expected an integer ≥ 0, received -1');
    expect(() => readLossLog('{"step":1}', 'run.jsonl')).toThrow('run.jsonl:1: loss: expected a number, received nothing');
    expect(() => readLossLog('{"type":"end","reason":"threshold"}', 'run.jsonl')).toThrow(
      'run.jsonl: expected at least one step line ({"step":S,"loss":L}), received none',
    );
  });
});

describe('lossPlotSvg', () => {
  it('is a well-formed SVG with a title, labelled axes, ticks and a legend', () => {
    const svg = parseXml(lossPlotSvg(readLossLog(seedLog(), 'seed.jsonl'), { source: 'seed.jsonl' }));
    expect(svg.name).toBe('svg');
    expect(svg.attrs).toMatchObject({ xmlns: 'http://www.w3.org/2000/svg', width: '880', height: '500', viewBox: '0 0 880 500' });
    const texts = allElements(svg)
      .filter((e) => e.name === 'text')
      .map(textOf);
    expect(texts).toContain('Training loss');
    expect(texts).toContain('seed.jsonl  ·  7 logged steps (0–6)  ·  final loss 2.381  ·  best 2.381 at step 6  ·  stopped: threshold');
    expect(texts).toEqual(
      expect.arrayContaining(['step', 'loss', 'learning rate', '0', '5', '10', '15', '20', '1', '6', 'loss', 'learning rate (right axis)']),
    );
    expect(texts).toEqual(expect.arrayContaining(['0.0025', '0.01', '0.0125']));
    // the loss path goes through every point, inside the plot area
    const paths = allElements(svg).filter((e) => e.name === 'path' && e.attrs.stroke === '#0072B2');
    expect(paths).toHaveLength(1);
    const points = paths[0]!.attrs.d!.match(/[ML][\d.]+,[\d.]+/g)!;
    expect(points).toHaveLength(7);
    for (const p of points) {
      const [x, y] = p.slice(1).split(',').map(Number);
      expect(x).toBeGreaterThanOrEqual(72);
      expect(x).toBeLessThanOrEqual(880 - 78);
      expect(y).toBeGreaterThanOrEqual(70);
      expect(y).toBeLessThanOrEqual(500 - 58);
    }
    expect(allElements(svg).filter((e) => e.name === 'circle')).toHaveLength(7);
  });

  it('draws val loss and lr, smooths, downsamples and uses a log axis', () => {
    const log = readLossLog(longLog(), 'long.jsonl');
    const text = lossPlotSvg(log, { logY: true, smooth: 0.9, title: 'A & B' });
    const svg = parseXml(text);
    const texts = allElements(svg)
      .filter((e) => e.name === 'text')
      .map(textOf);
    expect(texts).toEqual(
      expect.arrayContaining([
        'A & B',
        'loss (log scale)',
        'loss (smoothed 0.9)',
        'validation loss (smoothed 0.9)',
        '0.01',
        '0.1',
        '1',
        '10',
        '3000',
        '0.001',
      ]),
    );
    const plot = allElements(svg).find((e) => e.name === 'g' && e.attrs['clip-path'] === 'url(#plot)')!;
    const strokes = plot.children.filter((e) => e.name === 'path').map((e) => [e.attrs.stroke, e.attrs['stroke-opacity'] ?? '1']);
    expect(strokes).toEqual([
      ['#009E73', '1'],
      ['#0072B2', '0.28'],
      ['#0072B2', '1'],
      ['#D55E00', '0.28'],
      ['#D55E00', '1'],
    ]);
    expect(text.length).toBeLessThan(150_000);
  });

  it('smooths with bias correction (TensorBoard)', () => {
    expect(Array.from(smoothSeries(new Float64Array([1, 1, 1]), 0.9))).toEqual([1, 1, 1]);
    const s = smoothSeries(new Float64Array([0, 10, Number.NaN]), 0.5);
    expect(s[1]).toBeCloseTo(20 / 3, 12);
    expect(s[2]).toBeNaN();
  });
});

describe('gradstream plot', () => {
  it('writes an SVG of a log', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'run.jsonl'), seedLog());
    const r = await cli(['plot', join(dir, 'run.jsonl'), '--out', join(dir, 'loss.svg'), '--log-y', '--smooth', '0.5']);
    expect(r).toEqual({ code: 0, out: `wrote ${join(dir, 'loss.svg')} (7 logged steps, 0–6; best 2.381266365508548 at step 6)`, err: '' });
    const svg = parseXml(readFileSync(join(dir, 'loss.svg'), 'utf8'));
    expect(allElements(svg).some((e) => e.name === 'text' && textOf(e) === 'loss (log scale)')).toBe(true);
  });

  it('fails with exit code 2 on bad usage or a bad log', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'bad.jsonl'), '{"step":0,"loss":1}\n{oops}\n');
    expect(await cli(['plot', join(dir, 'bad.jsonl')])).toEqual({
      code: 2,
      out: '',
      err: 'gradstream plot: --out: expected the SVG file to write, received nothing\nrun "gradstream plot --help" for usage',
    });
    expect(await cli(['plot', join(dir, 'bad.jsonl'), '--out', join(dir, 'x.svg')])).toEqual({
      code: 2,
      out: '',
      err: `gradstream plot: ${join(dir, 'bad.jsonl')}:2: expected a JSON object per line, received invalid JSON (column 2: Expected property name or '}')`,
    });
    expect((await cli(['plot', join(dir, 'none.jsonl'), '--out', join(dir, 'x.svg')])).err).toBe(
      `gradstream plot: ${join(dir, 'none.jsonl')}: no such file`,
    );
    expect((await cli(['plot', join(dir, 'bad.jsonl'), '--out', 'x.svg', '--smooth', '1'])).err).toBe(
      'gradstream plot: --smooth: expected a number in [0, 1), received "1"\nrun "gradstream plot --help" for usage',
    );
  });

  it('fails with exit code 1 when the SVG cannot be written', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'run.jsonl'), seedLog());
    const r = await cli(['plot', join(dir, 'run.jsonl'), '--out', join(dir, 'run.jsonl/x.svg')]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^gradstream plot: .*x\.svg: cannot write/);
  });
});
