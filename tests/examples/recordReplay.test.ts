import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { recordReplay } from '../../examples/recordReplay.js';
import { readRunLog } from '../../src/index.js';

describe('examples/recordReplay', () => {
  it('records an HTTP-fed run with two live lr changes and replays it to identical weights', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gradstream-rr-'));
    try {
      const r = await recordReplay(dir, 30);
      expect(r.replay.identical).toBe(true);
      expect(r.replay.checksum).toBe(r.liveChecksum);
      expect(r.replay.recordedChecksum).toBe(r.liveChecksum);
      expect(r.replay.step).toBe(r.steps);
      const sets = readRunLog(readFileSync(join(dir, 'run.jsonl'), 'utf8')).events.filter((e) => e.type === 'set');
      // two changes; under heavy load both may reach the loop before the same step, which records the last
      expect(sets.length).toBeGreaterThanOrEqual(1);
      expect(sets.at(-1)!.value).toBe(0.01);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);
});
