/**
 * The floors of src/, lowest first. A file may import from its own floor or a lower one, never
 * upward; no two folders, and no two files, import each other (directly or through others). node and redis
 * share a floor but stay independent. The entry files (src/*.ts) may import anything.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const src = resolve(dirname(fileURLToPath(import.meta.url)), '../src');

const floors: Record<string, number> = {
  core: 0,
  streams: 1,
  ops: 2,
  schemas: 3,
  sinks: 4,
  workers: 5,
  live: 6,
  node: 7,
  redis: 7,
  cli: 8,
};

interface Edge {
  readonly from: string;
  readonly to: string;
  readonly spec: string;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.ts$/.test(name) && !name.endsWith('.d.ts') ? [path] : [];
  });
}

/** Blanks out comments, so `@example` blocks in doc comments are not read as imports. */
function stripComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/(^|[^:'"`])\/\/[^\n]*/g, '$1');
}

/** Static `import`/`export … from` (including `import type`), side-effect imports and `import('…')`. */
function importSpecifiers(text: string): string[] {
  const code = stripComments(text);
  const patterns = [
    /(?:^|[;}\s])(?:import|export)\s+(?:type\s+)?[^;'"`]*?\sfrom\s*['"]([^'"]+)['"]/g,
    /(?:^|[;}\s])import\s*['"]([^'"]+)['"]/g,
    /\bimport\s*\(\s*['"]([^'"]+)['"]\s*[,)]/g,
  ];
  return patterns.flatMap((re) => [...code.matchAll(re)].map((m) => m[1]!));
}

function resolveSpec(file: string, spec: string): string {
  return resolve(dirname(file), spec.replace(/\.js$/, '.ts'));
}

function folderOf(file: string): string | undefined {
  const rel = relative(src, file).split(/[\\/]/);
  return rel.length > 1 ? rel[0] : undefined;
}

function edges(): Edge[] {
  return sourceFiles(src).flatMap((file) =>
    importSpecifiers(readFileSync(file, 'utf8'))
      .filter((spec) => spec.startsWith('.'))
      .map((spec) => ({ from: file, to: resolveSpec(file, spec), spec })),
  );
}

function describeEdge(e: Edge): string {
  return `${relative(src, e.from)} imports '${e.spec}'`;
}

/** Cycles among nodes of a graph, one representative path per strongly connected component. */
function cycles(graph: Map<string, Set<string>>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  let counter = 0;
  const visit = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    if (component.length > 1 || graph.get(v)?.has(v)) found.push(component.sort());
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return found;
}

describe('layering of src/', () => {
  const all = edges();

  it('reads every kind of import', () => {
    const text = [
      "import { a } from './a.js';",
      "import type { B } from '../b.js';",
      "export * from './c.js';",
      "export type { D } from './d.js';",
      "import './e.js';",
      "const f = await import('./f.js');",
      '// import { g } from "./g.js";',
      "import {\n  h,\n  type H,\n} from './h.js';",
    ].join('\n');
    expect(importSpecifiers(text).sort()).toEqual(['../b.js', './a.js', './c.js', './d.js', './e.js', './f.js', './h.js']);
    expect(all.length).toBeGreaterThan(500);
    for (const e of all) expect(statSync(e.to).isFile(), describeEdge(e)).toBe(true);
  });

  it('every folder of src/ has a floor', () => {
    const folders = readdirSync(src).filter((name) => statSync(join(src, name)).isDirectory());
    expect(folders.filter((f) => floors[f] === undefined)).toEqual([]);
  });

  it('no file imports from a higher floor (or across node and redis)', () => {
    const upward = all.filter((e) => {
      const from = folderOf(e.from);
      const to = folderOf(e.to);
      if (from === undefined || from === to) return false;
      return to === undefined || floors[to]! >= floors[from]!; // an entry file (src/*.ts) counts as the top floor
    });
    expect(upward.map(describeEdge)).toEqual([]);
  });

  it('no cycle between folders', () => {
    const graph = new Map<string, Set<string>>();
    for (const e of all) {
      const from = folderOf(e.from);
      const to = folderOf(e.to);
      if (from === undefined || to === undefined || from === to) continue;
      if (!graph.has(from)) graph.set(from, new Set());
      graph.get(from)!.add(to);
    }
    const found = cycles(graph).map((c) => {
      const inCycle = (e: Edge): boolean =>
        c.includes(folderOf(e.from)!) && c.includes(folderOf(e.to)!) && folderOf(e.from) !== folderOf(e.to);
      const witnesses = all.filter((e) => inCycle(e) && floors[folderOf(e.to)!]! >= floors[folderOf(e.from)!]!);
      return `${c.join(' ↔ ')}: ${witnesses.map(describeEdge).join('; ')}`;
    });
    expect(found).toEqual([]);
  });

  it('no cycle between files', () => {
    const graph = new Map<string, Set<string>>();
    for (const e of all) {
      if (!graph.has(e.from)) graph.set(e.from, new Set());
      graph.get(e.from)!.add(e.to);
    }
    const found = cycles(graph).map((c) => {
      const witnesses = all.filter((e) => c.includes(e.from) && c.includes(e.to));
      return witnesses.map(describeEdge).join('; ');
    });
    expect(found).toEqual([]);
  });
});
