/** Random malformed arguments to the sequence factories give a working object or a GradstreamError, never another exception. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { embedding, GradstreamError, gru, lstm, modelFromConfig, slidingWindow } from '../../../src/index.js';

const malformed: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(undefined, null, Number.NaN, Infinity, -1, 0, 1.5, 1e308, '3', '', true, [], {}, () => 1, Symbol.for('x'), 10n),
  fc.integer({ min: -3, max: 6 }),
  fc.dictionary(
    fc.constantFrom(
      'timesteps',
      'features',
      'returnSequences',
      'resetAfter',
      'unitForgetBias',
      'inputLength',
      'size',
      'step',
      'horizon',
      'units',
    ),
    fc.oneof(fc.double(), fc.string({ maxLength: 2 }), fc.constant(null), fc.boolean(), fc.integer({ min: -2, max: 6 })),
  ),
);

const factories: readonly [string, (...args: unknown[]) => unknown][] = [
  ['gru', gru as (...args: unknown[]) => unknown],
  ['lstm', lstm as (...args: unknown[]) => unknown],
  ['embedding', embedding as (...args: unknown[]) => unknown],
  ['slidingWindow', slidingWindow as (...args: unknown[]) => unknown],
  ['modelFromConfig', (c: unknown) => modelFromConfig({ layers: [c] })],
];

describe('sequence factories refuse malformed arguments with GradstreamErrors', () => {
  it.each(factories)('%s', (name, make) => {
    fc.assert(
      fc.property(fc.array(malformed, { maxLength: 3 }), (args) => {
        try {
          make(...args);
        } catch (e: unknown) {
          if (!(e instanceof GradstreamError)) throw new Error(`${name}(${args.map(String).join(', ')}) threw ${String(e)}`);
        }
      }),
      { numRuns: 300, seed: 24 },
    );
    expect(true).toBe(true);
  });
});
