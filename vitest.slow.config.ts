import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { missingServiceFiles, redisService } from './tests/helpers/services.js';
import { FULL_COUNT_TESTS, SLOW_TESTS } from './tests/suites.js';

// `npm run test:slow`: the long tests and, at their full counts, the files that `npm test` runs
// shorter (tests/suites.ts); without coverage.
const root = dirname(fileURLToPath(import.meta.url));
const missing = missingServiceFiles([redisService(root, 'tests/redis')], process.env, (line) => console.warn(line));

export default defineConfig({
  test: {
    include: [...SLOW_TESTS, ...FULL_COUNT_TESTS].filter((f) => !missing.includes(f)),
    passWithNoTests: true,
    testTimeout: 120_000,
    // read by the FULL_COUNT_TESTS files only
    env: { GRADSTREAM_FULL_COUNTS: '1' },
    // worker threads load the built modules: dist/ is built first when a source is newer
    globalSetup: ['tests/globalSetup.ts'],
  },
});
