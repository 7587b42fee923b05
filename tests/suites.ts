/**
 * Which test files run where: `npm test` runs everything under tests/ but these and the e2e
 * folder; `npm run test:slow` runs these (crash tests that kill child processes hundreds of times).
 */
export const SLOW_TESTS: readonly string[] = ['tests/sinks/crash.test.ts', 'tests/redis/crash.test.ts'];
