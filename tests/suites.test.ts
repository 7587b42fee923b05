/**
 * The lists of tests/suites.ts stay true: every listed file exists, a file that swaps modules runs
 * isolated (or in the slow suite, where every file is), and a file that reads the full-counts
 * variable is run again by the slow suite.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { FULL_COUNT_TESTS, ISOLATED_TESTS, SLOW_TESTS } from './suites.js';

const root = fileURLToPath(new URL('..', import.meta.url));

/** The test files under `dir`, relative to the repository (tests/e2e left out: its own suite). */
function testFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(join(root, dir), { withFileTypes: true })) {
    const p = `${dir}/${e.name}`;
    if (e.isDirectory() && p !== 'tests/e2e' && e.name !== 'fixtures') out.push(...testFiles(p));
    else if (e.isFile() && e.name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

const files = testFiles('tests');
const text = (f: string) => readFileSync(join(root, f), 'utf8');

describe('tests/suites.ts', () => {
  it('lists files that exist, each in one list', () => {
    const listed = [...SLOW_TESTS, ...ISOLATED_TESTS, ...FULL_COUNT_TESTS];
    expect(listed.filter((f) => !existsSync(join(root, f)))).toEqual([]);
    expect(listed.filter((f, i) => listed.indexOf(f) !== i)).toEqual([]);
  });

  it('runs every file that mocks or reloads modules in a fresh module graph', () => {
    const swaps = files.filter((f) => /vi\.(mock|doMock|resetModules)\(/.test(text(f)));
    expect(swaps.filter((f) => !ISOLATED_TESTS.includes(f) && !SLOW_TESTS.includes(f))).toEqual([]);
  });

  it('runs every file that reads GRADSTREAM_FULL_COUNTS again in the slow suite', () => {
    const read = `process.env['${'GRADSTREAM_FULL_COUNTS'}']`; // spelled so that this file does not match
    const knob = files.filter((f) => text(f).includes(read));
    expect(knob.filter((f) => !FULL_COUNT_TESTS.includes(f) && !SLOW_TESTS.includes(f))).toEqual([]);
    expect(FULL_COUNT_TESTS.filter((f) => !knob.includes(f))).toEqual([]);
  });
});
