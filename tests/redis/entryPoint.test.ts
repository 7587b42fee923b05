/** `redis` is an optional peer dependency: no module reachable from an entry point imports it. */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as node from '../../src/node.js';

const src = resolve(dirname(fileURLToPath(import.meta.url)), '../../src');

function staticImports(entry: string): Map<string, string[]> {
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

describe('the Redis module and the entry points', () => {
  it('gradstream/node exports the Redis pieces without importing a Redis client', () => {
    const graph = staticImports(join(src, 'node.ts'));
    expect([...graph.keys()].some((f) => f.endsWith('redis/redisUpdater.ts'))).toBe(true);
    const specs = [...graph.values()].flat();
    expect(specs.filter((s) => s === 'redis' || s.startsWith('@redis/'))).toEqual([]);
    for (const name of [
      'fromRedisStream',
      'ackOnCheckpoint',
      'toRedisStream',
      'runRedisWorker',
      'runRedisUpdater',
      'redisUpdaterTraining',
      'readRedisRounds',
    ])
      expect(node).toHaveProperty(name);
  });

  it('the commands import `redis` only dynamically, when they connect', () => {
    const specs = [...staticImports(join(src, 'cli/redisCommands.ts')).values()].flat();
    expect(specs.filter((s) => s === 'redis' || s.startsWith('@redis/'))).toEqual([]);
    expect(readFileSync(join(src, 'cli/redisCommands.ts'), 'utf8')).toContain("await import('redis')");
  });
});
