/**
 * The live dashboard in Chromium, during a training run driven from the command line
 * (tests/e2e/dashboardRun.ts: `fit` + `serveLive`): points arrive, the smoothing slider and the
 * log-scale toggle change the chart, the stop reason appears, and a screenshot of the end is not blank.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './chromium.js';

const root = resolve(import.meta.dirname, '../..');
let browser: Browser;
let run: ChildProcessWithoutNullStreams;
let output = '';

beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  if (run !== undefined && run.exitCode === null) run.kill('SIGINT');
});

function startRun(): Promise<string> {
  run = spawn(process.execPath, ['--import', 'tsx', join(root, 'tests/e2e/dashboardRun.ts'), '0.01'], { cwd: root });
  run.stderr.on('data', (c: Buffer) => process.stderr.write(c));
  return new Promise((resolveUrl, reject) => {
    run.stdout.on('data', (c: Buffer) => {
      output += c.toString();
      const m = /dashboard: (\S+)/.exec(output);
      if (m) resolveUrl(m[1]!);
    });
    run.once('exit', (code) => reject(new Error(`the training run exited (${code}) before serving: ${output}`)));
  });
}

/** Evaluates an expression in the page (the project has no DOM types; the page exposes `gradstreamDashboard`). */
const ev = <T>(page: Page, expr: string): Promise<T> => page.evaluate(expr) as Promise<T>;
const points = (page: Page): Promise<number> => ev(page, 'gradstreamDashboard.data().step.length');

describe('live dashboard (Chromium)', () => {
  it('shows a run live: points, smoothing, log scale, markers, stop reason, screenshot', async () => {
    const url = await startRun();
    // bypassCSP: the page forbids eval, which playwright's string evaluation uses
    const page = await browser.newPage({ viewport: { width: 1200, height: 800 }, bypassCSP: true });
    const external: string[] = [];
    page.on('request', (r) => {
      if (!r.url().startsWith(url)) external.push(r.url());
    });
    await page.goto(url);
    await page.locator('#status').filter({ hasText: 'idle' }).waitFor({ timeout: 10_000 });
    run.stdin.write('go\n'); // the browser is connected: train
    // points arrive while training runs
    await page.waitForFunction('gradstreamDashboard.data().step.length > 50', undefined, { timeout: 20_000 });
    expect(await page.locator('#status').textContent()).toMatch(/running|paused|done/);
    expect(Number(await page.locator('#step').textContent())).toBeGreaterThan(0);

    // the smoothing slider changes the smoothed line
    const smoothedAt = (): Promise<(number | null)[]> => ev(page, 'gradstreamDashboard.smoothed().slice(0, 50)');
    await page.locator('#smoothing').fill('0');
    const raw = await smoothedAt();
    await page.locator('#smoothing').fill('0.95');
    const smooth = await smoothedAt();
    expect(smooth).not.toEqual(raw);
    expect(await page.locator('#smoothingValue').textContent()).toBe('0.95');
    const rawLoss = await ev<number[]>(page, 'gradstreamDashboard.data().loss.slice(0, 50)');
    expect(raw).toEqual(rawLoss); // smoothing 0 is the raw loss

    // the log toggle changes the y scale
    const distr = (): Promise<number> => ev(page, 'gradstreamDashboard.lossPlot().scales.y.distr');
    expect(await distr()).toBe(1);
    await page.locator('#logScale').check();
    expect(await distr()).toBe(3);
    await page.locator('#xAxis').selectOption('time');
    await page.locator('#xAxis').selectOption('step');

    // the end: the stop reason, the markers (checkpoints every 100 steps, a drift at 120)
    await page.locator('#stopReason').filter({ hasText: /threshold|maxSteps/ }).waitFor({ timeout: 60_000 });
    expect(await page.locator('#status').textContent()).toBe('done');
    const kinds = await ev<string[]>(page, 'gradstreamDashboard.markers().map((m) => m.kind)');
    expect(kinds).toContain('drift');
    expect(kinds).toContain('checkpoint');
    const n = await points(page);
    expect(n).toBeGreaterThan(100);
    const lr = await ev<number[]>(page, 'gradstreamDashboard.data().lr');
    expect(lr[0]).toBeCloseTo(0.003, 12);
    expect(lr.at(-1)).toBeCloseTo(0.001, 12);

    // a screenshot of the end; the chart area is not blank
    await page.waitForTimeout(200);
    const dir = mkdtempSync(join(tmpdir(), 'gradstream-e2e-'));
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
    await new Promise<void>((r) => (run.exitCode === null ? run.once('exit', () => r()) : r()));
    expect(output).toMatch(/stopped: (threshold|maxSteps)/);
  });
});
