/** Every TypeScript block of docs/custom-losses-and-layers.md runs (importing the sources for 'gradstream'). */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it, vi } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const GUIDE = readFileSync(join(ROOT, 'docs/custom-losses-and-layers.md'), 'utf8');
const blocks = [...GUIDE.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);
const index = pathToFileURL(join(ROOT, 'src/index.ts')).href;

describe('docs/custom-losses-and-layers.md', () => {
  it('has TypeScript blocks', () => expect(blocks.length).toBeGreaterThanOrEqual(4));
  const dir = mkdtempSync(join(tmpdir(), 'gradstream-docs-'));
  blocks.forEach((code, i) => {
    it(`block ${i + 1} runs`, async () => {
      const file = join(dir, `block${i + 1}.ts`);
      writeFileSync(file, code.replaceAll("from 'gradstream'", `from '${index}'`));
      const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
      try {
        await import(pathToFileURL(file).href);
        expect(log).toHaveBeenCalled();
      } finally {
        log.mockRestore();
      }
    }, 60_000);
  });
});
