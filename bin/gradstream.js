#!/usr/bin/env node
// The `gradstream` command; built to dist/ by `npm run build` (run by `npm ci` through `prepare`).
import '../dist/cli/main.js';
