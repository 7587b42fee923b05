/**
 * `npm run bench`: every workload, printed as a table with ratios. Each workload checks that its
 * contenders compute the same numbers before timing them.
 */
import { benchSeed } from './seed.js';
import { benchW3 } from './w3.js';

const workloads: readonly (() => Promise<void> | void)[] = [
  benchSeed,
  benchW3,
];

for (const run of workloads) await run();
