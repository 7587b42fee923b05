import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dashboardCss, dashboardHtml, dashboardScript } from './dashboardPage.js';

/** A file the dashboard serves. */
export interface DashboardAsset {
  readonly type: string;
  readonly body: Buffer;
}

/** The dashboard page and its four assets by request path (uPlot from the installed package). */
export function dashboardAssets(title: string): ReadonlyMap<string, DashboardAsset> {
  const require = createRequire(import.meta.url);
  const assets = new Map<string, DashboardAsset>([
    ['/', { type: 'text/html; charset=utf-8', body: Buffer.from(dashboardHtml(title)) }],
    ['/assets/dashboard.js', { type: 'text/javascript; charset=utf-8', body: Buffer.from(dashboardScript) }],
    ['/assets/dashboard.css', { type: 'text/css; charset=utf-8', body: Buffer.from(dashboardCss) }],
    [
      '/assets/uPlot.iife.min.js',
      { type: 'text/javascript; charset=utf-8', body: readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js')) },
    ],
    ['/assets/uPlot.min.css', { type: 'text/css; charset=utf-8', body: readFileSync(require.resolve('uplot/dist/uPlot.min.css')) }],
  ]);
  assets.set('/index.html', assets.get('/')!);
  return assets;
}
