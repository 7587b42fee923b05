/** Every sink factory refuses malformed input with a GradstreamError (never another exception type). */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  GradstreamError,
  bindHyperParam,
  checkpoint,
  checkpointTo,
  earlyStopping,
  fsStorage,
  history,
  hyperParam,
  indexedDbStorage,
  loadCheckpoint,
  log,
  logFile,
  memoryStorage,
  progress,
  readCheckpoint,
  reduceOnPlateau,
  resume,
  resumeFrom,
  webStorage,
} from '../../src/node.js';

const junk = fc.oneof(
  fc.constant(undefined),
  fc.constant(null),
  fc.integer(),
  fc.double(),
  fc.string(),
  fc.boolean(),
  fc.array(fc.anything(), { maxLength: 3 }),
  fc.dictionary(
    fc.constantFrom(
      'every',
      'dir',
      'path',
      'patience',
      'lossBelow',
      'format',
      'total',
      'monitor',
      'keepLast',
      'to',
      'write',
      'timeout',
      'mode',
      'evry',
    ),
    fc.anything(),
    { maxKeys: 4 },
  ),
);

/** Calls `f`; passes when it returns, or throws / rejects with a GradstreamError. */
async function okOrGradstreamError(f: () => unknown): Promise<void> {
  try {
    const v = f();
    if (v !== null && typeof v === 'object' && typeof (v as Promise<unknown>).then === 'function') await (v as Promise<unknown>);
  } catch (e: unknown) {
    expect(e).toBeInstanceOf(GradstreamError);
  }
}

const factories: [string, (a: unknown, b: unknown) => unknown][] = [
  ['earlyStopping', (a) => earlyStopping(a as never)],
  ['log', (a) => log(a as never)],
  ['progress', (a) => progress(a as never)],
  ['history', (a) => history(a as never)],
  ['checkpoint', (a) => checkpoint(a as never)],
  ['checkpointTo', (a, b) => checkpointTo(a as never, b as never)],
  ['checkpointTo(memory)', (a) => checkpointTo(memoryStorage(), a as never)],
  ['logFile', (a, b) => logFile(a as never, b as never)],
  ['fsStorage', (a, b) => fsStorage(a as never, b as never)],
  ['webStorage', (a, b) => webStorage(a as never, b as never)],
  ['indexedDbStorage', (a, b) => indexedDbStorage(a as never, b as never)],
  ['reduceOnPlateau', (a, b) => reduceOnPlateau(a as never, b as never)],
  ['reduceOnPlateau(cell)', (a) => reduceOnPlateau(hyperParam(1), a as never)],
  ['bindHyperParam', (a, b) => bindHyperParam(a as never, b as never)],
  ['loadCheckpoint', (a, b) => loadCheckpoint(a as never, b as never)],
  ['readCheckpoint', (a) => readCheckpoint(a as never)],
  ['resumeFrom', (a, b) => resumeFrom(a as never, b as never)],
  ['resume', (a, b) => resume(a as never, b as never)],
];

describe('sink factories on malformed input', () => {
  it.each(factories)('%s returns or throws a GradstreamError', async (_name, f) => {
    await fc.assert(
      fc.asyncProperty(junk, junk, async (a, b) => okOrGradstreamError(() => f(a, b))),
      { numRuns: 150 },
    );
  });
});
