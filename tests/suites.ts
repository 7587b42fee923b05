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
  'tests/core/optimizers/tfjs.test.ts',
];
