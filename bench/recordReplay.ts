/**
 * Recording a run (`fit({ record })`): the event log's size per step, and what recording costs.
 *
 * - log size per step, batches by value, for the lesson (4 → 4 dense, one sample), W2 (64 → 16,
 *   batch 256), and an online stream (1 → 1, `fromObservable`, batch 4); W2 also by reference.
 * - overhead on W3 (784 → 128 ReLU → 10, batch 64, Adam) read from a CSV file (`fromCsv`, the
 *   first 1024 samples of W3's data, 2 epochs = 32 steps): no recording, batches by reference,
 *   batches by value, the log a file (`fsStorage`); interleaved rounds, medians of the wall clock
 *   and of the CPU time.
 *
 * Run: npm run bench:record   (about half a minute)
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { from } from 'rxjs';
import {
  adam,
  createRng,
  dense,
  earlyStopping,
  fit,
  fromArrays,
  fromObservable,
  fullBatch,
  memoryStorage,
  mse,
  recordTo,
  relu,
  sequential,
  sgd,
  softmaxCrossEntropy,
  type BatchSource,
  type Model,
  type Loss,
  type RunRecorder,
} from '../src/index.js';
import { fromCsv, fsStorage } from '../src/node.js';
import { median, say } from './harness.js';
import { seededInputs } from './mlpWorkload.js';

async function logBytes(
  model: Model,
  loss: Loss,
  data: BatchSource,
  batches: 'value' | 'reference',
  extra: { maxSteps?: number; lossBelow?: number } = {},
): Promise<{ steps: number; bytes: number }> {
  const store = memoryStorage();
  const r = await fit({
    model,
    loss,
    optimizer: sgd({ lr: 0.01 }),
    data,
    rng: createRng(1),
    scheduler: 'sync',
    ...(extra.maxSteps === undefined ? {} : { maxSteps: extra.maxSteps }),
    ...(extra.lossBelow === undefined ? {} : { sinks: [earlyStopping({ lossBelow: extra.lossBelow })] }),
    record: recordTo(store, { batches, optimizer: { type: 'sgd', lr: 0.01 } }),
  })
    .start()
    .done();
  return { steps: r.step + 1, bytes: Buffer.byteLength(store.get('run.jsonl')!) };
}

async function sizes(): Promise<void> {
  const w2x = seededInputs(2025, 4096 * 64);
  const w2y = seededInputs(2026, 4096 * 16);
  const rows = (a: Float64Array, n: number, w: number): number[][] =>
    Array.from({ length: n }, (_, i) => Array.from(a.subarray(i * w, (i + 1) * w)));
  const X = rows(w2x, 4096, 64);
  const Y = rows(w2y, 4096, 16);
  const rng = createRng(3);
  const online = Array.from({ length: 4000 }, () => {
    const x = rng.uniform(-1, 1);
    return { x: [x], y: [3 * x + 1 + 0.1 * rng.normal()] };
  });
  const cases: [string, () => Promise<{ steps: number; bytes: number }>][] = [
    [
      'lesson (4→4, 1 sample), by value',
      () =>
        logBytes(sequential([dense(4, 4, { bias: false })]), mse(), fullBatch([[1, 2, 3, 4]], [[2, 3, 4, 5]]), 'value', { maxSteps: 1000 }),
    ],
    [
      'W2 (64→16, batch 256), by value',
      () => logBytes(sequential([dense(64, 16)]), mse(), fromArrays(X, Y, { batchSize: 256, epochs: 2 }), 'value'),
    ],
    [
      'W2 (64→16, batch 256), by reference',
      () => logBytes(sequential([dense(64, 16)]), mse(), fromArrays(X, Y, { batchSize: 256, epochs: 2 }), 'reference'),
    ],
    [
      'online stream (1→1, batch 4), by value',
      () => logBytes(sequential([dense(1, 1)]), mse(), fromObservable(from(online), { batchSize: 4, buffer: { size: 4096 } }), 'value'),
    ],
  ];
  for (const [name, run] of cases) {
    const { steps, bytes } = await run();
    say(`| ${name} | ${steps} | ${bytes.toLocaleString('en-US')} | ${Math.round(bytes / steps).toLocaleString('en-US')} |`);
  }
}

function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

const STEPS = 32;

async function overhead(rounds: number): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'gradstream-bench-record-'));
  try {
    const n = 1024;
    const x = seededInputs(2024, n * 784);
    const lab = createRng(2027);
    const lines = ['label,' + Array.from({ length: 784 }, (_, i) => `p${i}`).join(',')];
    for (let r = 0; r < n; r++)
      lines.push(`${lab.int(10)},` + Array.from(x.subarray(r * 784, (r + 1) * 784), (v) => v.toFixed(4)).join(','));
    writeFileSync(join(dir, 'w3.csv'), lines.join('\n') + '\n');
    const features = Array.from({ length: 784 }, (_, i) => `p${i}`);
    const model = sequential([dense(784, 128), relu(), dense(128, 10)]);
    const init = model.init(createRng(7));
    /** Milliseconds (wall, CPU) of a whole run of `maxSteps` steps (0: one step, the start and end events only). */
    const run = async (record: RunRecorder | undefined, maxSteps: number): Promise<{ wall: number; cpu: number }> => {
      const data = fromCsv(join(dir, 'w3.csv'), { features, targets: ['label'], batchSize: 64, epochs: 2 });
      const t0 = performance.now();
      const c0 = cpuMs();
      await fit({
        model,
        loss: softmaxCrossEntropy(),
        optimizer: adam({ lr: 1e-3 }),
        data,
        params: init,
        scheduler: 'sync',
        maxSteps,
        ...(record === undefined ? {} : { record }),
      })
        .start()
        .done();
      return { wall: performance.now() - t0, cpu: cpuMs() - c0 };
    };
    const kinds = ['none', 'reference', 'value'] as const;
    const times = new Map<string, { wall: number[]; cpu: number[] }>();
    for (let round = 0; round <= rounds; round++) {
      for (const steps of [STEPS, 0]) {
        for (const k of kinds) {
          const rec =
            k === 'none'
              ? undefined
              : recordTo(fsStorage(dir, { owns: () => false }), { name: `${k}.jsonl`, batches: k, optimizer: { type: 'adam', lr: 1e-3 } });
          const t = await run(rec, steps);
          if (round === 0) continue;
          const key = `${k}/${steps}`;
          if (!times.has(key)) times.set(key, { wall: [], cpu: [] });
          times.get(key)!.wall.push(t.wall);
          times.get(key)!.cpu.push(t.cpu);
        }
      }
    }
    const med = (k: string, steps: number, f: 'wall' | 'cpu'): number => median(times.get(`${k}/${steps}`)![f]);
    for (const k of kinds) {
      const step = (f: 'wall' | 'cpu'): number => med(k, STEPS, f) / STEPS;
      if (k === 'none') {
        say(`| W3 from CSV, no recording | ${step('wall').toFixed(2)} ms | ${step('cpu').toFixed(2)} ms | — | — |`);
        continue;
      }
      // per step: the run's extra time less the extra time of a run of one step (start and end events, weights)
      const perStep = (f: 'wall' | 'cpu'): string =>
        (
          ((med(k, STEPS, f) - med('none', STEPS, f) - (med(k, 0, f) - med('none', 0, f))) / STEPS / (med('none', STEPS, f) / STEPS)) *
          100
        ).toFixed(1);
      const fixed = (f: 'wall' | 'cpu'): string => (med(k, 0, f) - med('none', 0, f)).toFixed(0);
      say(
        `| W3 from CSV, batches by ${k} | ${step('wall').toFixed(2)} ms | ${step('cpu').toFixed(2)} ms | ${perStep('wall')} % (CPU ${perStep('cpu')} %) | ${fixed('wall')} ms (CPU ${fixed('cpu')} ms) |`,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const load0 = (await import('node:os')).loadavg()[0]!.toFixed(1);
say('| log | steps | bytes | bytes per step |\n|---|---:|---:|---:|');
await sizes();
say('\n| run | step (wall, median) | step (CPU) | overhead per step | start and end events, once |\n|---|---:|---:|---:|---:|');
await overhead(Number(process.argv[2] ?? 5));
say(`\nload average ${load0} → ${(await import('node:os')).loadavg()[0]!.toFixed(1)}`);
