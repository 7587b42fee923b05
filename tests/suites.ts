/**
 * Which test files run where: `npm test` runs everything under tests/ but these and the e2e
 * folder; `npm run test:slow` (which CI runs too) runs these: the crash tests that kill child
 * processes hundreds of times, and the longest end-to-end runs — the command spawned as a user
 * would (long runs, signals), every code block of the guides, the examples, a broker rolled back,
 * and the comparisons with TensorFlow.js that load it (layers, optimizers, random expressions).
 */
export const SLOW_TESTS: readonly string[] = [
  'tests/sinks/crash.test.ts',
  'tests/redis/crash.test.ts',
  'tests/cli/bin.test.ts',
  'tests/cli/stopSignals.test.ts',
  'tests/redis/rollback.test.ts',
  'tests/docs/codeBlocks.test.ts',
  'tests/examples/customLoss.test.ts',
  'tests/examples/digits.test.ts',
  'tests/examples/forecast.test.ts',
  'tests/examples/recordReplay.test.ts',
  'tests/node/hugeRecord.test.ts',
  'tests/live/recordCrash.test.ts',
  'tests/core/autodiff/tfjs.property.test.ts',
  'tests/core/layers/convTfjs.test.ts',
  'tests/core/layers/sequenceTfjs.test.ts',
  'tests/core/interop/sequenceLayers.test.ts',
  'tests/core/interop/mixedLayers.test.ts',
  'tests/cli/commands/exportSequence.test.ts',
  'tests/core/optimizers/tfjs.test.ts',
  'tests/core/interop/imageLayers.test.ts',
  'tests/core/interop/imageImport.test.ts',
  'tests/cli/commands/exportImageModel.test.ts',
];

/**
 * `npm test` runs its files in two long-lived processes that keep the modules they loaded from
 * one file to the next; these files replace globals or modules (`vi.mock`, `vi.resetModules`,
 * `vi.stubGlobal('WebAssembly', …)`) and run each in a fresh module graph instead. A new file
 * that mocks a module or swaps a global belongs here.
 */
export const ISOLATED_TESTS: readonly string[] = [
  'tests/core/kernelsFallback.test.ts',
  'tests/core/kernelsWasm.test.ts',
  'tests/core/optimizers/fused/adamApply.test.ts',
];

/**
 * Files that `npm test` runs with fewer iterations and `npm run test:slow` runs again at their full
 * counts: each reads `process.env.GRADSTREAM_FULL_COUNTS === '1'` (set by vitest.slow.config.ts)
 * to choose its count.
 */
export const FULL_COUNT_TESTS: readonly string[] = ['tests/streams/train.test.ts', 'tests/node/fromCsv.test.ts'];
