import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { memoryStorage } from '../../src/index.js';
import { fsStorage } from '../../src/node.js';

describe('storage append', () => {
  it('memoryStorage appends to a text, making it when absent', async () => {
    const s = memoryStorage();
    await s.append!('log.jsonl', 'a\n');
    await s.append!('log.jsonl', 'b\n');
    expect(s.get('log.jsonl')).toBe('a\nb\n');
  });

  it('fsStorage appends to a file, making it when absent', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gradstream-append-'));
    try {
      const s = fsStorage(dir);
      await s.append!('log.jsonl', '{"type":"start"}\n');
      await s.append!('log.jsonl', '{"type":"end"}\n');
      expect(readFileSync(join(dir, 'log.jsonl'), 'utf8')).toBe('{"type":"start"}\n{"type":"end"}\n');
      expect(await s.read('log.jsonl')).toBe('{"type":"start"}\n{"type":"end"}\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
