/** Optimizer state through the real loop: checkpoint at step 5, resume, and the run continues exactly. */
import { lastValueFrom, map, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import {
  adamw,
  decodeCheckpoint,
  encodeCheckpoint,
  exponentialDecay,
  rmsprop,
  train,
  type GradientTransformation,
  type OptState,
} from '../../../src/index.js';
import { seedData, seedModel, seedParams, seedStep } from '../../helpers/seed.js';

const makers: [string, () => GradientTransformation<OptState[]>][] = [
  [
    'adamw with a schedule',
    () => adamw({ lr: exponentialDecay({ lr: 0.1, decaySteps: 3, decayRate: 0.5 }), weightDecay: 0.01, amsgrad: true }),
  ],
  ['rmsprop centered with momentum', () => rmsprop({ lr: 0.01, momentum: 0.9, centered: true })],
];

describe.each(makers)('%s', (_, make) => {
  it('resumes from a checkpoint with the very same next updates', async () => {
    const full = await lastValueFrom(
      train({ params: seedParams(), data: seedData(), pipeline: seedStep(make()), maxSteps: 9, scheduler: 'sync' }).pipe(
        map((r) => [r.step, r.loss, r.lr]),
        toArray(),
      ),
    );
    let file: unknown;
    await lastValueFrom(
      train({ params: seedParams(), data: seedData(), pipeline: seedStep(make()), maxSteps: 5, scheduler: 'sync' }).pipe(
        map((r) => (file = JSON.parse(JSON.stringify(encodeCheckpoint(r))))),
      ),
    );
    const ckpt = decodeCheckpoint(file, seedModel.layout);
    expect(ckpt.step).toBe(5);
    const resumed = await lastValueFrom(
      train({
        params: ckpt.params,
        step: ckpt.step,
        optState: ckpt.optState,
        cursor: ckpt.cursor,
        data: seedData(),
        pipeline: seedStep(make()),
        maxSteps: 9,
        scheduler: 'sync',
      }).pipe(
        map((r) => [r.step, r.loss, r.lr]),
        toArray(),
      ),
    );
    expect(resumed).toEqual(full.slice(5));
  });
});
