import { defineConfig } from 'vitest/config';

// End-to-end tests (`npm run test:e2e`): the packed package in a scratch project, and the browser
// (Debian's Chromium through playwright-core). Slower than unit tests; run after `npm test`.
export default defineConfig({
  test: {
    include: ['tests/e2e/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 240_000,
    fileParallelism: false,
  },
});
