/**
 * The documentation's code cannot go stale: every ```ts block of README.md and docs/*.md is
 * type-checked against the sources and run, and every `@example` of a doc comment in src/ is
 * type-checked. `'gradstream'`, `'gradstream/node'` and `'gradstream/kernels'` resolve to src/index.ts,
 * src/node.ts and src/kernels.ts.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { decide } from '../helpers/services.js';
import { startRedis, type RedisServer } from '../redis/redisServer.js';
import { collectDocBlocks, collectExampleBlocks, runnableSource, type CodeBlock } from './codeBlocks.js';
import { docOutputs } from './docOutputs.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
// Inside the repository (git-ignored), so that rxjs, redis and the rest resolve from node_modules.
const dir = mkdtempSync(join(root, '.scratch-docs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const docBlocks = collectDocBlocks(root);

// Blocks that use a Redis client connect to process.env.REDIS_URL: a throw-away redis-server here.
const needsRedis = (b: CodeBlock) => b.code.includes("from 'redis'");
const redisDocs = [...new Set(docBlocks.filter(needsRedis).map((b) => b.origin.replace(/:\d+$/, '')))];
const redisDecision = decide({ program: 'redis-server', install: 'apt-get install redis-server', files: redisDocs }, process.env);
if (redisDecision.action === 'skip') console.warn(redisDecision.notice.replace('test file(s)', 'doc file(s)'));
let redis: RedisServer | undefined;
afterAll(async () => {
  await redis?.stop();
});
const exampleBlocks = collectExampleBlocks(root);

/** The file a block stands in (`docs/sequences.md`), and its place among that file's blocks (from 0). */
const docOf = (b: CodeBlock): string => b.origin.replace(/:\d+$/, '');
const indexInDoc = (b: CodeBlock): number => docBlocks.filter((d) => docOf(d) === docOf(b)).indexOf(b);
/** What each guide's blocks passed to console.log so far, in order (its blocks run one after another). */
const loggedByDoc = new Map<string, unknown[][]>();

/** Runs tsc once over the blocks; returns its diagnostics, each file name replaced by its block's origin. */
async function typeCheck(blocks: readonly CodeBlock[]): Promise<string[]> {
  const tsconfig = {
    extends: '../tsconfig.json',
    compilerOptions: {
      noEmit: true,
      noUnusedLocals: false,
      paths: { gradstream: ['../src/index.ts'], 'gradstream/node': ['../src/node.ts'], 'gradstream/kernels': ['../src/kernels.ts'] },
    },
    include: ['check-*.ts'],
  };
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify(tsconfig, null, 2));
  for (const b of blocks) writeFileSync(join(dir, `check-${b.fileName}`), `${b.code}\nexport {};\n`);
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  const out = await promisify(execFile)(process.execPath, [tsc, '-p', dir, '--pretty', 'false'], { cwd: root }).then(
    (r) => r.stdout,
    (e: { stdout?: string; message: string }) => e.stdout || e.message,
  );
  let text = out;
  for (const b of blocks) text = text.split(`${relative(root, dir)}/check-${b.fileName}`).join(b.origin);
  // one entry per diagnostic (its continuation lines are indented)
  return text
    .split(/\n(?=\S)/)
    .map((d) => d.trim())
    .filter((d) => d !== '');
}

let diagnostics: Promise<string[]> | undefined;
const checked = () => (diagnostics ??= typeCheck([...docBlocks, ...exampleBlocks]));

/** The folder blocks run in: the repository's top-level folders, linked. */
function scratchCwd(): string {
  const at = join(dir, 'cwd');
  if (!existsSync(at)) {
    mkdirSync(at);
    for (const entry of readdirSync(root, { withFileTypes: true })) {
      if (entry.isDirectory() && !entry.name.startsWith('.') && entry.name !== 'node_modules')
        symlinkSync(join(root, entry.name), join(at, entry.name));
    }
  }
  return at;
}

describe('code in the docs', () => {
  it('README.md is a front page: the two commands first, at most 400 lines', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8').split('\n');
    expect(readme.length).toBeLessThanOrEqual(400);
    expect(readme.slice(0, 6).join('\n')).toMatch(/npm start[\s\S]*npm test/);
  });

  it('finds blocks to check', () => {
    expect(docBlocks.length).toBeGreaterThan(0);
    expect(exampleBlocks.length).toBeGreaterThan(0);
  });

  it('type-checks every ts block of README.md and docs/*.md', async () => {
    expect((await checked()).filter((d) => !d.startsWith('src/'))).toEqual([]);
  });

  it("type-checks every @example of src/'s doc comments", async () => {
    expect((await checked()).filter((d) => d.startsWith('src/'))).toEqual([]);
  });

  it.each(Object.entries(docOutputs))('%s has the blocks whose output is checked, and its shown config is valid', async (doc, outputs) => {
    expect(docBlocks.filter((b) => docOf(b) === doc)).toHaveLength(outputs.blocks);
    await outputs.text?.(readFileSync(join(root, doc), 'utf8'));
  });

  describe.each(docBlocks.map((b) => [b.origin, b] as const))('runs %s', (_origin, block) => {
    it.skipIf(needsRedis(block) && redisDecision.action === 'skip')('without an error, printing what its guide shows', async () => {
      if (needsRedis(block)) {
        if (redisDecision.action === 'fail') throw new Error(redisDecision.message);
        redis ??= await startRedis();
        process.env['REDIS_URL'] = redis.url;
      }
      const file = join(dir, `run-${block.fileName}`);
      writeFileSync(file, runnableSource(block.code, root));
      const expected = docOutputs[docOf(block)]?.after[indexInDoc(block)];
      const calls = loggedByDoc.get(docOf(block)) ?? [];
      loggedByDoc.set(docOf(block), calls);
      const lines: string[] = [];
      const log = vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
        calls.push(args);
        lines.push(args.map(String).join(' '));
      });
      // Blocks run in a scratch folder that links the repository's folders (examples/data/… reads
      // as in a clone), so files written with a relative path stay out of the repository.
      const cwd = process.cwd();
      process.chdir(scratchCwd());
      try {
        await import(pathToFileURL(file).href);
        const ready = expected?.ready;
        if (ready !== undefined) await vi.waitFor(() => expect(ready(lines)).toBe(true), { timeout: 30_000, interval: 20 });
      } finally {
        process.chdir(cwd);
        log.mockRestore();
      }
      expected?.check(lines, calls, readFileSync(join(root, docOf(block)), 'utf8'));
    });
  });
});
