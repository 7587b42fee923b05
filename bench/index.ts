/**
 * `npm run bench`: every workload, printed as a table with ratios. Each workload checks that its
 * contenders compute the same numbers before timing them.
 */
import { benchSeed } from './seed.js';

const workloads: readonly (() => Promise<void> | void)[] = [
  benchSeed,
  // further workloads are appended here (W3: the MLP, in ./w3.ts)
];

for (const run of workloads) await run();
