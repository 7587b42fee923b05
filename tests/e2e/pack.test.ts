/**
 * The package as users get it: `npm pack`, installed from the tarball into a scratch project, then
 * type-checked in strict TypeScript (NodeNext and Bundler resolution, no skipLibCheck) and run as
 * TypeScript-compiled and plain `.mjs` consumers.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
let dir = '';

const run = (cmd: string, args: string[], cwd: string): string =>
  execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

const consumerTs = `
import { pipe } from 'rxjs';
import { dense, forward, fullBatch, gradient, loss, mse, paramsFrom, sequential, sgd, train, update, earlyStopping, GradstreamError, type StepRecord } from 'gradstream';
import { readCheckpoint } from 'gradstream/node';
import { matmul } from 'gradstream/kernels';

const model = sequential([dense(4, 4, { bias: false })]);
const l = mse();
const W = [[-0.2416, -0.2497, -0.3932, 0.2935], [-0.0396, 0.1421, -0.4436, 0.1714], [-0.3519, 0.4072, -0.0721, -0.1659], [0.2055, -0.033, -0.2145, 0.1987]];
let last: StepRecord | undefined;
train({
  params: paramsFrom(model.layout, { '0.W': W }),
  data: fullBatch([[1, 2, 3, 4]], [[2, 3, 4, 5]]),
  pipeline: pipe(forward(model), loss(l), gradient(model, l), update(sgd({ lr: 0.01 })), earlyStopping({ lossBelow: 2.96 })),
  scheduler: 'sync',
}).subscribe((r) => (last = r));
const ok: boolean = last !== undefined && last.step === 6 && last.loss === 2.381266365508548 && last.stopReason === 'threshold';
const errorKind: typeof GradstreamError = GradstreamError;
const reader: typeof readCheckpoint = readCheckpoint;
const product: Float64Array = matmul(new Float64Array(1), Float64Array.of(2, 3), Float64Array.of(4, 5), 1, 2, 1);
console.log(JSON.stringify({ ok, step: last?.step, error: errorKind.name, reader: typeof reader, product: product[0] }));
`;

const consumerMjs = `
import { dense, fullBatch, forward, gradient, loss, mse, paramsFrom, sequential, sgd, train, update, earlyStopping } from 'gradstream';
import { pipe } from 'rxjs';
import * as nodeEntry from 'gradstream/node';
import * as kernels from 'gradstream/kernels';
const model = sequential([dense(4, 4, { bias: false })]);
const l = mse();
const W = [[-0.2416, -0.2497, -0.3932, 0.2935], [-0.0396, 0.1421, -0.4436, 0.1714], [-0.3519, 0.4072, -0.0721, -0.1659], [0.2055, -0.033, -0.2145, 0.1987]];
let last;
train({ params: paramsFrom(model.layout, { '0.W': W }), data: fullBatch([[1, 2, 3, 4]], [[2, 3, 4, 5]]), pipeline: pipe(forward(model), loss(l), gradient(model, l), update(sgd({ lr: 0.01 })), earlyStopping({ lossBelow: 2.96 })), scheduler: 'sync' }).subscribe((r) => (last = r));
console.log(JSON.stringify({ step: last.step, loss: last.loss, reason: last.stopReason, node: typeof nodeEntry.checkpoint, kernels: typeof kernels.matmul }));
`;

function tsconfig(moduleResolution: 'NodeNext' | 'Bundler'): string {
  return JSON.stringify({
    compilerOptions: {
      target: 'ES2022',
      lib: ['ES2022', 'DOM'],
      module: moduleResolution === 'NodeNext' ? 'NodeNext' : 'ESNext',
      moduleResolution,
      strict: true,
      exactOptionalPropertyTypes: true,
      noUncheckedIndexedAccess: true,
      skipLibCheck: false,
      types: ['node'],
      outDir: `out-${moduleResolution}`,
    },
    files: ['consumer.ts'],
  });
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'gradstream-pack-'));
  run('npm', ['run', 'build'], root);
  const packed = JSON.parse(run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', dir], root)) as {
    filename: string;
    files: { path: string }[];
  }[];
  const tarball = join(dir, packed[0]!.filename);
  const project = join(dir, 'consumer');
  mkdirSync(project);
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--ignore-scripts', tarball], project);
  mkdirSync(join(project, 'node_modules', '@types'), { recursive: true });
  symlinkSync(join(root, 'node_modules', '@types', 'node'), join(project, 'node_modules', '@types', 'node'));
  writeFileSync(join(project, 'consumer.ts'), consumerTs);
  writeFileSync(join(project, 'consumer.mjs'), consumerMjs);
  writeFileSync(join(project, 'tsconfig.nodenext.json'), tsconfig('NodeNext'));
  writeFileSync(join(project, 'tsconfig.bundler.json'), tsconfig('Bundler'));
}, 240_000);

afterAll(() => {
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

describe('the packed package', () => {
  it('ships the built entries, types and no source maps that point at missing files', () => {
    const files = readdirSync(join(dir, 'consumer', 'node_modules', 'gradstream', 'dist'));
    expect(files).toContain('index.js');
    expect(files).toContain('index.d.ts');
    expect(files).toContain('node.d.ts');
    expect(files).toContain('kernels.d.ts');
    // source maps carry their sources (src/ is not shipped)
    const map = JSON.parse(
      readFileSync(join(dir, 'consumer', 'node_modules', 'gradstream', 'dist', 'streams', 'train.js.map'), 'utf8'),
    ) as { sourcesContent?: string[] };
    expect(map.sourcesContent?.[0]).toContain('export function train');
  });

  it.each(['nodenext', 'bundler'])('type-checks a strict consumer with %s resolution, without skipLibCheck', (kind) => {
    const project = join(dir, 'consumer');
    let out = '';
    try {
      out = run(process.execPath, [tsc, '-p', `tsconfig.${kind}.json`], project);
    } catch (e: unknown) {
      out = String((e as { stdout?: string }).stdout ?? e);
    }
    expect(out).toBe('');
  });

  it('runs compiled TypeScript and plain .mjs consumers', () => {
    const project = join(dir, 'consumer');
    const js = run(process.execPath, ['out-NodeNext/consumer.js'], project);
    expect(JSON.parse(js)).toEqual({ ok: true, step: 6, error: 'GradstreamError', reader: 'function', product: 23 });
    const mjs = run(process.execPath, ['consumer.mjs'], project);
    expect(JSON.parse(mjs)).toEqual({ step: 6, loss: 2.381266365508548, reason: 'threshold', node: 'function', kernels: 'function' });
  });
});
