/** `gradstream` must stay browser-safe: nothing reachable from src/index.ts imports Node built-ins. */
import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as browser from '../src/index.js';
import * as node from '../src/node.js';

const src = resolve(dirname(fileURLToPath(import.meta.url)), '../src');

function importGraph(entry: string): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  const visit = (file: string): void => {
    if (graph.has(file)) return;
    const text = readFileSync(file, 'utf8');
    const specs = [...text.matchAll(/^\s*(?:import|export)\s[^;]*?from\s+'([^']+)'/gms)].map((m) => m[1]!);
    graph.set(file, specs);
    for (const s of specs) if (s.startsWith('.')) visit(join(dirname(file), s.replace(/\.js$/, '.ts')));
  };
  visit(entry);
  return graph;
}

describe('entry points', () => {
  it('gradstream (browser) reaches no node: module, fs or path', () => {
    const offenders: string[] = [];
    for (const [file, specs] of importGraph(join(src, 'index.ts'))) {
      for (const s of specs)
        if (s.startsWith('node:') || ['fs', 'path', 'os', 'fs/promises'].includes(s)) offenders.push(`${relative(src, file)} → ${s}`);
    }
    expect(offenders).toEqual([]);
    // the scanner does see Node imports where they are
    const nodeSpecs = [...importGraph(join(src, 'node.ts')).values()].flat();
    expect(nodeSpecs).toContain('node:fs/promises');
    expect(importGraph(join(src, 'index.ts')).size).toBeGreaterThan(50);
  });

  it('gradstream/node adds the file sinks to everything in gradstream', () => {
    for (const name of Object.keys(browser)) expect(node).toHaveProperty(name);
    expect(
      Object.keys(node)
        .filter((k) => !(k in browser))
        .sort(),
    ).toEqual(
      expect.arrayContaining([
        'CheckpointOptions',
        'checkpoint',
        'fsStorage',
        'loadModel',
        'logFile',
        'readCheckpoint',
        'resume',
        'writeFileAtomic',
      ]),
    );
  });
});
