/**
 * The live dashboard in Chromium:
 * 1. during a command-line run (`gradstream train moons.json --serve 0`): points arrive, the
 *    smoothing slider and the log-scale toggle change the chart, the validation loss and checkpoint
 *    markers show, the stop reason appears, and a screenshot of the end is not blank;
 * 2. during a run scripted with `fit` + `serveLive` (tests/e2e/dashboardRun.ts): a drift marker,
 *    and the learning rate changed live through `training.set`.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRng, moons } from '../../src/index.js';
import { launchChromium } from './chromium.js';

const root = resolve(import.meta.dirname, '../..');
let browser: Browser;
const children: ChildProcessWithoutNullStreams[] = [];

beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  for (const c of children) if (c.exitCode === null) c.kill('SIGINT');
});

/** Starts a process and resolves with the dashboard address it prints, and its output so far. */
function startProcess(args: string[], cwd: string): { child: ChildProcessWithoutNullStreams; url: Promise<string>; output: () => string } {
  // tsx's loader by path: the command runs in a scratch folder, where 'tsx' does not resolve
  const child = spawn(process.execPath, ['--import', pathToFileURL(join(root, 'node_modules/tsx/dist/loader.mjs')).href, ...args], { cwd });
  children.push(child);
  let out = '';
  child.stderr.on('data', (c: Buffer) => process.stderr.write(c));
  const url = new Promise<string>((resolveUrl, reject) => {
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /dashboard: (\S+)/.exec(out);
      if (m) resolveUrl(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`the training run exited (${code}) before serving: ${out}`)));
  });
  return { child, url, output: () => out };
}

/** Evaluates an expression in the page (the project has no DOM types; the page exposes `gradstreamDashboard`). */
const ev = <T>(page: Page, expr: string): Promise<T> => page.evaluate(expr) as Promise<T>;

async function openDashboard(url: string): Promise<{ page: Page; external: string[] }> {
  // bypassCSP: the page forbids eval, which playwright's string evaluation uses
  const page = await browser.newPage({ viewport: { width: 1200, height: 800 }, bypassCSP: true });
  const external: string[] = [];
  page.on('request', (r) => {
    if (!r.url().startsWith(url)) external.push(r.url());
  });
  await page.goto(url);
  return { page, external };
}

const exited = (child: ChildProcessWithoutNullStreams): Promise<number | null> =>
  new Promise((r) => (child.exitCode === null ? child.once('exit', (code) => r(code)) : r(child.exitCode)));

describe('live dashboard (Chromium)', () => {
  it('follows a command-line run: points, smoothing, log scale, val loss, checkpoints, stop reason, screenshot', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gradstream-e2e-'));
    const { x, y } = moons(1000, { noise: 0.1, rng: createRng(1) });
    writeFileSync(
      join(dir, 'moons.json'),
      JSON.stringify({
        model: {
          layers: [
            { type: 'dense', inputs: 2, units: 128 },
            { type: 'relu' },
            { type: 'dense', units: 128 },
            { type: 'relu' },
            { type: 'dense', units: 2 },
          ],
        },
        loss: 'softmaxCrossEntropy',
        optimizer: { type: 'adam', lr: 0.003 },
        data: { inputs: x, targets: y.map((v) => [v]) },
        validation: { split: 0.2, every: 25 },
        training: { batchSize: 32, epochs: 1000, seed: 1, mode: 'sliced' },
        stop: { timeout: 8 },
        checkpoint: { dir: 'ckpt', everySteps: 200, keepLast: 2 },
      }),
    );
    const run = startProcess([join(root, 'src/cli/main.ts'), 'train', 'moons.json', '--serve', '0', '--quiet'], dir);
    const url = await run.url;
    const { page, external } = await openDashboard(url);

    // points arrive while training runs
    await page.waitForFunction('gradstreamDashboard.data().step.length > 50', undefined, { timeout: 20_000 });
    expect(await page.locator('#status').textContent()).toMatch(/running|done/);
    expect(Number(await page.locator('#step').textContent())).toBeGreaterThan(0);

    // the smoothing slider changes the smoothed line; at 0 it is the raw loss
    const smoothedAt = (): Promise<(number | null)[]> => ev(page, 'gradstreamDashboard.smoothed().slice(0, 50)');
    await page.locator('#smoothing').fill('0');
    const raw = await smoothedAt();
    expect(raw).toEqual(await ev<number[]>(page, 'gradstreamDashboard.data().loss.slice(0, 50)'));
    await page.locator('#smoothing').fill('0.95');
    expect(await smoothedAt()).not.toEqual(raw);
    expect(await page.locator('#smoothingValue').textContent()).toBe('0.95');

    // the log toggle changes the y scale; the x axis switches to wall-clock seconds and back
    const distr = (): Promise<number> => ev(page, 'gradstreamDashboard.lossPlot().scales.y.distr');
    expect(await distr()).toBe(1);
    await page.locator('#logScale').check();
    expect(await distr()).toBe(3);
    await page.locator('#xAxis').selectOption('time');
    expect(await ev<string>(page, 'gradstreamDashboard.state.x')).toBe('time');
    await page.locator('#xAxis').selectOption('step');

    // the end: the stop reason (the config's 8 s timeout), val loss points, checkpoint markers
    await page.locator('#stopReason').filter({ hasText: 'timeout' }).waitFor({ timeout: 60_000 });
    expect(await page.locator('#status').textContent()).toBe('done');
    const valPoints = await ev<number>(page, 'gradstreamDashboard.data().valLoss.filter((v) => v !== null).length');
    expect(valPoints).toBeGreaterThan(0);
    const kinds = await ev<string[]>(page, 'gradstreamDashboard.markers().map((m) => m.kind)');
    expect(kinds).toContain('checkpoint');

    // a screenshot of the end; the chart area is not blank
    await page.waitForTimeout(200);
    const shot = join(dir, 'dashboard.png');
    await page.screenshot({ path: shot, fullPage: true });
    console.log(`dashboard screenshot: ${shot}`);
    const ink = await ev<{ coloured: number; total: number }>(
      page,
      `(() => {
        const canvas = document.querySelector('#lossChart canvas');
        const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
        let coloured = 0;
        for (let i = 0; i < data.length; i += 4) if (data[i + 3] > 0 && !(data[i] > 240 && data[i + 1] > 240 && data[i + 2] > 240)) coloured++;
        return { coloured, total: data.length / 4 };
      })()`,
    );
    expect(ink.coloured / ink.total).toBeGreaterThan(0.005);
    expect(external).toEqual([]); // the page loaded nothing from elsewhere
    await page.close();
    expect(await exited(run.child)).toBe(0);
    expect(run.output()).toMatch(/timeout: step \d+/);
  });

  it('shows drift markers and a learning rate changed live (fit + serveLive)', async () => {
    const run = startProcess([join(root, 'tests/e2e/dashboardRun.ts'), '0.01'], root);
    const url = await run.url;
    const { page } = await openDashboard(url);
    await page.locator('#status').filter({ hasText: 'idle' }).waitFor({ timeout: 10_000 });
    run.child.stdin.write('go\n'); // the browser is connected: train
    await page
      .locator('#stopReason')
      .filter({ hasText: /threshold|maxSteps/ })
      .waitFor({ timeout: 60_000 });
    const kinds = await ev<string[]>(page, 'gradstreamDashboard.markers().map((m) => m.kind)');
    expect(kinds).toContain('drift');
    expect(kinds).toContain('checkpoint');
    expect(await ev<number>(page, 'gradstreamDashboard.data().step.length')).toBeGreaterThan(100);
    const lr = await ev<number[]>(page, 'gradstreamDashboard.data().lr');
    expect(lr[0]).toBeCloseTo(0.003, 12);
    expect(lr.at(-1)).toBeCloseTo(0.001, 12);
    await page.close();
    expect(await exited(run.child)).toBe(0);
    expect(run.output()).toMatch(/stopped: (threshold|maxSteps)/);
  });
});
