import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fromCsv, fromJsonl } from '../../src/node.js';

// Slow suite (tests/suites.ts): files just over the 64 MiB record cap, refused at the real size.
const dir = mkdtempSync(join(tmpdir(), 'gradstream-huge-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const big = 65 * 1024 * 1024;

describe('a first record just over 64 MiB', () => {
  it('is refused by fromCsv when it is called, naming row 1', () => {
    const p = join(dir, 'wide.csv');
    writeFileSync(p, `${'x'.repeat(big)},y\n1,2\n`);
    expect(() => fromCsv(p, { targets: ['y'] })).toThrow(`${p} row 1: expected a record of at most 64 MiB, received a longer one`);
  }, 120_000);

  it('is refused by fromJsonl when it is called, naming row 1', () => {
    const p = join(dir, 'wide.jsonl');
    writeFileSync(p, `{"y": 1, "pad": "${'x'.repeat(big)}"}\n{"y": 2}\n`);
    expect(() => fromJsonl(p, { targets: ['y'] })).toThrow(`${p} row 1: expected a line of at most 64 MiB, received a longer line`);
  }, 120_000);
});
