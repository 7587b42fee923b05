/**
 * The child process of the crash test (bench/crashHarness.ts): trains a small MLP forever,
 * checkpointing every step into a folder (last.json, best.json, the newest step files), resuming
 * from last.json when one is there. Prints "ready" after its first checkpoint; the harness then
 * SIGKILLs it at a random moment. Usage: node crashChild.mjs DIR sync|sliced|asap
 */
import { asapScheduler, pipe } from 'rxjs';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
// Imported file by file, not through the entry point, so the bundle (and the child's start) stays small.
import { dense } from '../src/core/dense.js';
import { relu } from '../src/core/layers/relu.js';
import { mse } from '../src/core/losses/mse.js';
import { adam } from '../src/core/optimizers/adam.js';
import { createRng } from '../src/core/rng.js';
import { sequential } from '../src/core/sequential.js';
import { forward } from '../src/ops/forward.js';
import { gradient } from '../src/ops/gradient.js';
import { loss } from '../src/ops/loss.js';
import { update } from '../src/ops/update.js';
import { checkpoint } from '../src/sinks/checkpoint.js';
import { resume } from '../src/sinks/resume.js';
import { fromArrays } from '../src/streams/fromArrays.js';
import { train } from '../src/streams/train.js';

const [dir, mode] = process.argv.slice(2) as [string, 'sync' | 'sliced' | 'asap'];
const rng = createRng(1);
const model = sequential([dense(16, 32), relu(), dense(32, 4)]);
const l = mse();
const x = Array.from({ length: 64 }, () => Array.from({ length: 16 }, () => rng.normal()));
const y = x.map((row) => [row[0]! + row[1]!, row[2]! * 0.5, row[3]! - row[4]!, 1]);
const data = fromArrays(x, y, { batchSize: 16, shuffle: true, seed: 1 });
const save = checkpoint({ dir, every: 1, keepLast: 2, monitor: 'loss', model });
let told = false;
save.written$.subscribe(() => {
  if (!told) {
    told = true;
    process.stdout.write('ready\n');
  }
});
const pipeline = pipe(forward(model), loss(l), gradient(model, l), update(adam({ lr: 1e-3 })), save);
const scheduler = mode === 'asap' ? asapScheduler : mode;
const options = { data, pipeline, scheduler, maxSteps: 1e9 } as const;
const run = existsSync(join(dir, 'last.json')) ? resume(dir, { ...options, model }) : train({ ...options, params: model.init(rng) });
run.subscribe({
  error: (e: unknown) => {
    process.stderr.write(`${String(e)}\n`);
    process.exit(1);
  },
});
