import { lastValueFrom, pipe, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { snapshot, train } from '../../src/index.js';
import { seedData, seedParams, seedStep } from '../helpers/seed.js';

describe('snapshot', () => {
  it('keeps each step’s own weights, loss and lr (records are reused, snapshots are not)', async () => {
    const snaps = await lastValueFrom(
      train({ params: seedParams(), data: seedData(), pipeline: pipe(seedStep(), snapshot()), maxSteps: 2, scheduler: 'sync' }).pipe(
        toArray(),
      ),
    );
    expect(snaps.map((s) => s.step)).toEqual([0, 1, 2]);
    expect(snaps.map((s) => s.loss)).toEqual([16.740979677499997, 12.095357816993747, 8.738896022777983]);
    expect(snaps[0]!.params.data).toEqual(seedParams().data);
    expect(snaps[1]!.params.data).not.toEqual(snaps[0]!.params.data);
    expect(snaps.map((s) => s.lr)).toEqual([0.01, 0.01, 0.01]);
    expect(snaps[2]!.stopReason).toBe('maxSteps');
    expect(Object.isFrozen(snaps[0])).toBe(true);
  });
});
