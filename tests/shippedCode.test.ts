/**
 * Shipped code holds no test support: every module src/ imports is a Node built-in, a file of its
 * own or a package the library depends on (no dev dependency, such as a run-time TypeScript
 * loader or bundler), and no string in it names tsx or esbuild.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
};
const allowed = new Set([...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.peerDependencies ?? {})]);

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

/** The code of a file without its comments (doc examples import 'gradstream'). */
function code(file: string): string {
  return readFileSync(file, 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/^\s*\/\/.*$/gm, '');
}

/** A package's name from a bare specifier (`csv-parse/sync` → `csv-parse`, `@scope/a/b` → `@scope/a`). */
const packageOf = (specifier: string): string =>
  specifier
    .split('/')
    .slice(0, specifier.startsWith('@') ? 2 : 1)
    .join('/');

describe('shipped code (src/)', () => {
  it('imports only Node built-ins, its own files and the packages it depends on', () => {
    const wrong: string[] = [];
    for (const file of sources(join(root, 'src'))) {
      for (const m of code(file).matchAll(/(?:\bfrom|\bimport\s*\(|\brequire\s*\()\s*['"]([^'"]+)['"]/g)) {
        const s = m[1]!;
        if (s.startsWith('.') || s.startsWith('node:') || allowed.has(packageOf(s))) continue;
        wrong.push(`${relative(root, file)}: ${s}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('names no run-time TypeScript loader or bundler (tsx, esbuild)', () => {
    const wrong: string[] = [];
    for (const file of sources(join(root, 'src'))) {
      for (const m of code(file).matchAll(/['"`](tsx|esbuild)(?:\/[^'"`]*)?['"`]/g)) wrong.push(`${relative(root, file)}: ${m[0]}`);
    }
    expect(wrong).toEqual([]);
  });
});
