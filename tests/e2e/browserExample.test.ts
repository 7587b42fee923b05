/**
 * The browser example (examples/browser/) in Chromium: the lesson and the two-moons classifier train
 * in the page with the library's browser entry (and in a Web Worker); clicks are handled within
 * 100 ms while it trains;
 * pause stops the step counter and resume continues from the same step; stop ends the run.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveBrowserExample, type ExampleServer } from '../../examples/browser/serve.js';
import { launchChromium } from './chromium.js';

let browser: Browser;
let server: ExampleServer;
beforeAll(async () => {
  [browser, server] = await Promise.all([launchChromium(), serveBrowserExample()]);
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

const ev = <T>(page: Page, expr: string): Promise<T> => page.evaluate(expr) as Promise<T>;
const stepText = async (page: Page): Promise<number> => Number(await page.locator('#moons-step').textContent());

async function open(query = ''): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  await page.goto(`${server.url}${query}`);
  return { page, errors };
}

describe('browser example (Chromium)', () => {
  it('trains the lesson to the threshold in the page', async () => {
    const { page, errors } = await open();
    await page.locator('#lesson-start').click();
    await page.locator('#lesson-status').filter({ hasText: 'threshold' }).waitFor({ timeout: 10_000 });
    expect(await page.locator('#lesson-step').textContent()).toBe('6');
    expect(await page.locator('#lesson-loss').textContent()).toBe('2.381266365508548');
    expect(await page.locator('#lesson-result').textContent()).toContain('stopped after 6 updates (threshold)');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('trains the moons classifier to the threshold while clicks are handled within 100 ms', async () => {
    // a heavier network and a lower threshold: a few seconds of training at full speed
    const { page, errors } = await open('?hidden=256&lossBelow=0.0001');
    await page.locator('#moons-speed').selectOption('sliced'); // full speed, 4 ms slices
    await page.locator('#moons-start').click();
    const delays: number[] = [];
    while ((await page.locator('#moons-stop-reason').textContent()) === '–') {
      const t0 = Date.now();
      await page.locator('#ping').click();
      delays.push(Date.now() - t0);
      await page.waitForTimeout(20);
      if (delays.length > 2000) throw new Error('the run did not end');
    }
    expect(await page.locator('#moons-stop-reason').textContent()).toBe('threshold');
    const inPage = await ev<number[]>(page, 'example.pingDelays');
    expect(inPage.length).toBe(delays.length);
    console.log(`in-page click delays (ms): ${inPage.map((d) => d.toFixed(0)).join(' ')}`);
    expect(Math.max(...inPage)).toBeLessThan(100); // waited for the main thread (event → handler)
    expect(Math.max(...delays)).toBeLessThan(2000); // the whole round trip through playwright (its own overhead included, on a busy machine)
    expect(delays.length).toBeGreaterThanOrEqual(3); // clicked all along the run
    console.log(
      `moons at full speed: ${await page.locator('#moons-step').textContent()} steps; ${delays.length} clicks, in-page delay max ${Math.max(...inPage).toFixed(1)} ms, round trip max ${Math.max(...delays)} ms`,
    );
    expect(errors).toEqual([]);
    await page.close();
  });

  it('trains the moons classifier in a Web Worker with the same handle', async () => {
    const { page, errors } = await open('?hidden=256&lossBelow=0.0001');
    await page.locator('#moons-speed').selectOption('worker');
    await page.locator('#moons-start').click();
    const delays: number[] = [];
    while ((await page.locator('#moons-stop-reason').textContent()) === '–') {
      await page.locator('#ping').click();
      await page.waitForTimeout(20);
      if (++delays.length > 2000) throw new Error('the run did not end');
    }
    expect(await page.locator('#moons-stop-reason').textContent()).toBe('threshold');
    const steps = await ev<number[]>(page, 'example.moonsSteps');
    expect(steps[0]).toBe(0);
    for (let i = 1; i < steps.length; i++) expect(steps[i]).toBe(steps[i - 1]! + 1);
    const inPage = await ev<number[]>(page, 'example.pingDelays');
    console.log(`moons in a Web Worker: ${steps.at(-1)} steps; in-page click delays (ms): ${inPage.map((d) => d.toFixed(0)).join(' ')}`);
    expect(Math.max(...inPage)).toBeLessThan(100);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('pause stops the step counter; resume continues from the same step; stop ends the run', async () => {
    const { page, errors } = await open('?lossBelow=0.000001'); // a run that does not end by itself
    await page.locator('#moons-start').click(); // 2 steps per animation frame
    await page.waitForFunction('example.moonsSteps.length > 40');
    await page.locator('#moons-pause').click();
    await page.locator('#moons-status').filter({ hasText: 'paused' }).waitFor();
    const at = await stepText(page);
    const seen = await ev<number>(page, 'example.moonsSteps.length');
    await page.waitForTimeout(400);
    expect(await stepText(page)).toBe(at);
    expect(await ev<number>(page, 'example.moonsSteps.length')).toBe(seen);
    await page.locator('#moons-resume').click();
    await page.waitForFunction(`example.moonsSteps.length > ${seen + 20}`);
    const steps = await ev<number[]>(page, 'example.moonsSteps');
    expect(steps[seen]).toBe(steps[seen - 1]! + 1); // the same step, nothing skipped or repeated
    for (let i = 1; i < steps.length; i++) expect(steps[i]).toBe(steps[i - 1]! + 1);
    await page.locator('#moons-stop').click();
    await page.locator('#moons-stop-reason').filter({ hasText: 'stopped' }).waitFor();
    expect(errors).toEqual([]);
    await page.close();
  });
});
