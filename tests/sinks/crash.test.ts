import { describe, expect, it } from 'vitest';
import { buildChild, crashTest } from '../../bench/crashHarness.js';

describe('checkpoint crash safety', () => {
  // 100 SIGKILLs at random moments of a child checkpointing every step (last, best and step files),
  // in four lanes: two in sync mode, two time-sliced. `npm run crash-test` does 1,000 per mode.
  it('survives 100 SIGKILLs: every checkpoint file loads, temporaries never pile up', async () => {
    const child = await buildChild();
    const lanes = [
      { mode: 'sync', seed: 1 },
      { mode: 'sliced', seed: 2 },
      { mode: 'sync', seed: 3 },
      { mode: 'sliced', seed: 4 },
    ];
    const results = await Promise.all(lanes.map((l) => crashTest({ child, mode: l.mode, kills: 25, seed: l.seed })));
    const total = results.reduce((a, r) => a + r.kills, 0);
    expect(total).toBe(100);
    for (const r of results) {
      expect(r.errors).toEqual([]);
      expect([r.mode, r.lastPresent, r.parseFailures, r.childErrors, r.tempsLeft]).toEqual([r.mode, r.kills, 0, 0, 0]);
      expect(r.maxTemps).toBeLessThanOrEqual(1); // at most the killed writer's own temporary, removed by the next one
      expect(r.filesChecked).toBeGreaterThanOrEqual(r.kills * 2);
      expect(r.lastStep).toBeGreaterThan(0); // each child resumed where the last one was killed
    }
  }, 180_000);
});
