import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { missingServiceFiles, redisService } from './tests/helpers/services.js';
import { SLOW_TESTS } from './tests/suites.js';

// `npm run test:slow`: the long tests (tests/suites.ts), without coverage.
const root = dirname(fileURLToPath(import.meta.url));
const missing = missingServiceFiles([redisService(root, 'tests/redis')], process.env, (line) => console.warn(line));

export default defineConfig({
  test: {
    include: SLOW_TESTS.filter((f) => !missing.includes(f)),
    passWithNoTests: true,
    testTimeout: 120_000,
    // worker threads load the built modules: dist/ is built first when a source is newer
    globalSetup: ['tests/globalSetup.ts'],
  },
});
