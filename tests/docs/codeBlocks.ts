/**
 * Test helper: the TypeScript code of the documentation — the ```ts blocks of README.md and
 * docs/*.md, and the `@example` blocks of the doc comments in src/ — as files a compiler can check.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/** One block of code and where it was found. */
export interface CodeBlock {
  /** `README.md:36` or `src/ops/forward.ts:23`: the file and the line the block starts on. */
  readonly origin: string;
  /** A file name made from the origin (`README.md-36.ts`), unique among the blocks. */
  readonly fileName: string;
  readonly code: string;
}

function fileNameOf(origin: string): string {
  return `${origin.replace(/[/:.]/g, '-')}.ts`;
}

/** The ```ts (or ```typescript) fenced blocks of a markdown text. */
export function markdownBlocks(text: string, file: string): CodeBlock[] {
  const lines = text.split('\n');
  const blocks: CodeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!/^```(ts|typescript)\s*$/.test(lines[i]!)) continue;
    const start = i + 1;
    let end = start;
    while (end < lines.length && !/^```\s*$/.test(lines[end]!)) end++;
    const origin = `${file}:${start + 1}`;
    blocks.push({ origin, fileName: fileNameOf(origin), code: lines.slice(start, end).join('\n') + '\n' });
    i = end;
  }
  return blocks;
}

/** The `@example` blocks of the doc comments of a source file (plain or fenced). */
export function exampleBlocks(text: string, file: string): CodeBlock[] {
  const lines = text.split('\n');
  const blocks: CodeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!/^\s*\*\s*@example\b/.test(lines[i]!)) continue;
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length; j++) {
      const line = lines[j]!;
      if (/^\s*\*\//.test(line) || /^\s*\*\s*@\w/.test(line)) break;
      const content = line.replace(/^\s*\* ?/, '');
      if (/^```/.test(content)) continue;
      body.push(content);
    }
    const origin = `${file}:${i + 1}`;
    blocks.push({ origin, fileName: fileNameOf(origin), code: body.join('\n') + '\n' });
    i = j - 1;
  }
  return blocks;
}

/** README.md and every markdown file directly in docs/ (not the generated docs/api/). */
export function docFiles(root: string): string[] {
  const docs = readdirSync(join(root, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .sort()
    .map((f) => join('docs', f));
  return ['README.md', ...docs];
}

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sourceFiles(path));
    else if (entry.name.endsWith('.ts')) out.push(path);
  }
  return out.sort();
}

/** Every ```ts block of the docs, in file order. */
export function collectDocBlocks(root: string): CodeBlock[] {
  return docFiles(root).flatMap((f) => markdownBlocks(readFileSync(join(root, f), 'utf8'), f));
}

/** Every `@example` block of src/. */
export function collectExampleBlocks(root: string): CodeBlock[] {
  return sourceFiles(join(root, 'src')).flatMap((f) => exampleBlocks(readFileSync(f, 'utf8'), relative(root, f)));
}

/**
 * The block as a module that imports the library from its sources: `'gradstream'`,
 * `'gradstream/node'` and `'gradstream/kernels'` become the absolute paths of src/index.ts,
 * src/node.ts and src/kernels.ts.
 */
export function runnableSource(code: string, root: string): string {
  return code
    .replace(
      /from '(gradstream(?:\/(node|kernels))?)'/g,
      (_m, _spec: string, sub: string | undefined) => `from '${join(root, 'src', `${sub ?? 'index'}.ts`)}'`,
    )
    .concat('\nexport {};\n');
}
