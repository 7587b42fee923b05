import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { missingServiceFiles, redisService } from './tests/helpers/services.js';
import { ISOLATED_TESTS, SLOW_TESTS } from './tests/suites.js';

const root = dirname(fileURLToPath(import.meta.url));
// Test files whose outside program (redis-server) is missing: skipped with a notice, or an error
// under GRADSTREAM_REQUIRE_SERVICES=1 (CI).
const missing = missingServiceFiles([redisService(root, 'tests/redis')], process.env, (line) => console.warn(line));
const left = ['tests/e2e/**', '**/node_modules/**', ...SLOW_TESTS, ...missing];
const shared = {
  testTimeout: 60_000,
  // worker threads load the built modules: dist/ is built first when a source is newer
  globalSetup: ['tests/globalSetup.ts'],
  // a file that leaves a setImmediate loop running fails (it would run on in the shared process)
  setupFiles: ['tests/helpers/leftLoops.ts'],
};

export default defineConfig({
  test: {
    // two processes, each running its test files one after another (on 2 cores, vitest starts one)
    maxWorkers: 2,
    projects: [
      // most files share their process's loaded modules (one import of rxjs, zod, TensorFlow.js…)
      {
        test: { ...shared, name: 'unit', include: ['tests/**/*.test.ts'], exclude: [...left, ...ISOLATED_TESTS], isolate: false },
      },
      // files that replace globals or modules (tests/suites.ts) get a fresh module graph each
      { test: { ...shared, name: 'isolated', include: [...ISOLATED_TESTS], exclude: left, isolate: true } },
    ],
    coverage: {
      provider: 'v8',
      include: ['src/**/*.ts'],
      // Without their tests (no redis-server here), the Redis modules are not measured either.
      exclude: ['src/cli/main.ts', ...(missing.length > 0 ? ['src/redis/**', 'src/cli/redisCommands.ts'] : [])],
      reporter: ['text-summary', 'text'],
      thresholds: { lines: 90, statements: 90, functions: 90, branches: 80 },
    },
  },
});
