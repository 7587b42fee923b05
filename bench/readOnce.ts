/**
 * A file read once (issue 25): a diabetes-like CSV (442 rows, 10 features, one target, from a
 * seeded generator) trained full-batch for many steps by the command, against the same rows
 * written inline in the config; the CSV in file order and shuffled each epoch (the command's
 * default for files). Prints the wall time of each `gradstream train` (medians of
 * interleaved rounds) and their ratio; both runs must end on the same loss.
 *
 * Run: npm run build && npx tsx bench/readOnce.ts [steps, default 3000] [rounds, default 3]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createRng } from '../src/index.js';

const steps = Number(process.argv[2] ?? 3000);
const rounds = Number(process.argv[3] ?? 3);
const BIN = resolve(import.meta.dirname, '../bin/gradstream.js');
const dir = mkdtempSync(join(tmpdir(), 'gradstream-read-once-'));
const rng = createRng(25);
const w = Array.from({ length: 10 }, () => 2 * rng.next() - 1);
const inputs: number[][] = [];
const targets: number[][] = [];
for (let r = 0; r < 442; r++) {
  const x = Array.from({ length: 10 }, () => Number((0.2 * rng.next() - 0.1).toFixed(6)));
  inputs.push(x);
  targets.push([Number((150 + 300 * x.reduce((a, v, i) => a + v * w[i]!, 0) + 20 * (rng.next() - 0.5)).toFixed(3))]);
}
const header = [...Array.from({ length: 10 }, (_, i) => `x${i}`), 'y'];
writeFileSync(join(dir, 'diabetes.csv'), [header.join(','), ...inputs.map((x, r) => [...x, targets[r]![0]].join(','))].join('\n') + '\n');
const base = {
  model: { layers: [{ type: 'dense', inputs: 10, units: 1 }] },
  loss: 'mse',
  optimizer: { type: 'adam', lr: 0.5 },
  training: { maxSteps: steps, mode: 'sync', batchSize: 442, shuffle: false },
};
writeFileSync(
  join(dir, 'csv.json'),
  JSON.stringify({ ...base, data: { csv: 'diabetes.csv', features: header.slice(0, 10), targets: ['y'], scale: 'standardize' } }),
);
writeFileSync(
  join(dir, 'shuffled.json'),
  JSON.stringify({
    ...base,
    training: { ...base.training, shuffle: true },
    data: { csv: 'diabetes.csv', features: header.slice(0, 10), targets: ['y'], scale: 'standardize' },
  }),
);
writeFileSync(join(dir, 'inline.json'), JSON.stringify({ ...base, data: { inputs, targets, scale: 'standardize' } }));

const times: Record<string, number[]> = { inline: [], csv: [], shuffled: [] };
const ends: Record<string, string> = {};
for (let round = 0; round < rounds; round++) {
  for (const kind of round % 2 === 0 ? ['inline', 'csv', 'shuffled'] : ['shuffled', 'csv', 'inline']) {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, [BIN, 'train', join(dir, `${kind}.json`), '--quiet'], { encoding: 'utf8' });
    times[kind]!.push((performance.now() - t0) / 1000);
    if (r.status !== 0) throw new Error(r.stderr);
    ends[kind] = r.stdout.trim();
  }
}
rmSync(dir, { recursive: true, force: true });
if (ends.inline !== ends.csv) throw new Error(`the runs differ: ${ends.inline} / ${ends.csv}`);
const median = (v: number[]): number => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]!;
const a = median(times.inline!);
const b = median(times.csv!);
const c = median(times.shuffled!);
console.log(
  `${steps} full-batch steps, 442 rows × 10 features: inline ${a.toFixed(2)} s, CSV ${b.toFixed(2)} s (×${(b / a).toFixed(2)}), CSV shuffled ${c.toFixed(2)} s (×${(c / a).toFixed(2)}); ${ends.csv}`,
);
