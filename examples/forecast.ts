/**
 * Online forecasting: readings of an hourly series (a daily cycle with a weekly rhythm, a slow
 * drift and autocorrelated noise, generated from a seeded generator) arrive as a stream. A sliding
 * window turns them into samples — the last 24 readings → the next one — and a GRU learns from
 * each window right after predicting it (test-then-train, `prequential`). Beside it, the
 * persistence baseline predicts that the next reading equals the last one; both errors print as
 * the stream goes, on the same windows.
 *
 * Run: npm run forecast   (or: npx tsx examples/forecast.ts) — about 10 seconds.
 */
import { interval, map, mergeMap, pipe, range, take, tap, type Observable } from 'rxjs';
import { pathToFileURL } from 'node:url';
import {
  adam,
  chain,
  clipByGlobalNorm,
  createRng,
  dense,
  forward,
  fromObservable,
  gradient,
  gru,
  loss,
  meanAbsoluteError,
  mse,
  prequential,
  sequential,
  slidingWindow,
  train,
  update,
} from '../src/index.js';

/** Readings per window (a day of hourly readings). */
export const WINDOW = 24;

/**
 * `n` hourly readings, standardized to roughly unit scale: a daily cycle (two harmonics) whose
 * amplitude follows a weekly rhythm, a slow drift, and AR(1) noise — deterministic for a seed.
 */
export function hourlySeries(n: number, seed: number): number[] {
  const rng = createRng(seed);
  const out: number[] = [];
  let noise = 0;
  for (let t = 0; t < n; t++) {
    const day = (2 * Math.PI * t) / 24;
    const weekday = Math.floor(t / 24) % 7;
    const amplitude = weekday >= 5 ? 0.6 : 1; // quieter weekends
    noise = 0.8 * noise + 0.1 * rng.normal();
    out.push(amplitude * (Math.sin(day - 1.2) + 0.35 * Math.sin(2 * day + 0.4)) + 0.2 * Math.sin((2 * Math.PI * t) / (24 * 60)) + noise);
  }
  return out;
}

/** The errors of a run: the GRU's and persistence's mean absolute error, over all windows and over the last `window`. */
export interface ForecastResult {
  readonly samples: number;
  readonly gru: { readonly running: number; readonly windowed: number };
  readonly persistence: { readonly running: number; readonly windowed: number };
}

/**
 * Trains a GRU prequentially on the windows of `readings$` and scores persistence on the same
 * windows; `onReport` sees the errors every `every` samples.
 */
export function forecast(
  readings$: Observable<number>,
  opts: { window?: number; every?: number; bufferSize?: number; onReport?: (r: ForecastResult) => void } = {},
): Promise<ForecastResult> {
  const window = opts.window ?? 500;
  const model = sequential([gru(16, { timesteps: WINDOW }), dense(16, 1)]);
  const l = mse();
  const last = new Float64Array(window); // persistence's absolute errors, a ring
  let sum = 0;
  let windowSum = 0;
  let n = 0;
  let result: ForecastResult = { samples: 0, gru: { running: NaN, windowed: NaN }, persistence: { running: NaN, windowed: NaN } };
  return new Promise((resolve, reject) => {
    train({
      params: model.init(createRng(1)),
      data: fromObservable(readings$.pipe(slidingWindow({ size: WINDOW })), { batchSize: 1, buffer: { size: opts.bufferSize ?? 1024 } }),
      pipeline: pipe(
        forward(model),
        loss(l),
        prequential({ mae: meanAbsoluteError }, { window }),
        tap((r) => {
          if (r.stopReason !== undefined) return; // the driver's re-evaluation of the last window
          const err = Math.abs(r.batch.x[WINDOW - 1]! - r.batch.y[0]!); // persistence: the last reading
          windowSum += err - last[n % window]!;
          last[n % window] = err;
          sum += err;
          n += 1;
          const m = r.prequential.mae;
          result = {
            samples: n,
            gru: { running: m.running, windowed: m.windowed },
            persistence: { running: sum / n, windowed: windowSum / Math.min(n, window) },
          };
          if (opts.onReport !== undefined && n % (opts.every ?? 1000) === 0) opts.onReport(result);
        }),
        gradient(model, l),
        update(chain(clipByGlobalNorm(1), adam({ lr: 0.003 }))),
      ),
    }).subscribe({ complete: () => resolve(result), error: reject });
  });
}

const line = (r: ForecastResult): string =>
  `${String(r.samples).padStart(6)} windows   MAE (last 500): GRU ${r.gru.windowed.toFixed(4)}  persistence ${r.persistence.windowed.toFixed(4)}   (all: GRU ${r.gru.running.toFixed(4)}, persistence ${r.persistence.running.toFixed(4)})`;

async function main(): Promise<void> {
  const HOURS = 24 * 7 * 40; // forty weeks of hourly readings
  const series = hourlySeries(HOURS, 42);
  // a sensor: bursts of 12 readings every millisecond
  const readings$ = interval(1).pipe(
    take(HOURS / 12),
    mergeMap((k) => range(k * 12, 12)),
    map((t) => series[t]!),
  );
  console.log(
    `forecasting the next of ${HOURS} hourly readings from the last ${WINDOW}: GRU(16) trained test-then-train, vs persistence\n`,
  );
  const r = await forecast(readings$, { every: 1000, bufferSize: 4096, onReport: (x) => console.log(line(x)) });
  console.log(`\nend of stream: ${line(r)}`);
  console.log(
    r.gru.windowed < r.persistence.windowed
      ? `the GRU's error is ${((r.gru.windowed / r.persistence.windowed) * 100).toFixed(0)} % of persistence's`
      : 'the GRU does not beat persistence',
  );
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
