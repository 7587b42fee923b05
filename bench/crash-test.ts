/**
 * `npm run crash-test`: SIGKILLs a child that checkpoints every step 1,000 times in each scheduling
 * mode (sync, sliced, an RxJS scheduler) and prints, per mode: the kills, how often last.json was
 * there, the checkpoint files checked and how many failed to load, the most temporary files seen
 * after a kill, and the temporaries left after the next writer's cleanup. Exits 1 on any failure.
 * `npm run crash-test -- 200` runs 200 kills per mode.
 */
import { buildChild, crashTest } from './crashHarness.js';

const kills = Number(process.argv[2] ?? 1000);
const child = await buildChild();
const t0 = performance.now();
const results = await Promise.all(['sync', 'sliced', 'asap'].map((mode, i) => crashTest({ child, mode, kills, seed: i + 1 })));
let bad = false;
console.log('mode    kills  last.json present  files checked  parse failures  max temps after a kill  temps left  child errors  last step');
for (const r of results) {
  console.log(
    `${r.mode.padEnd(7)} ${String(r.kills).padStart(5)}  ${String(r.lastPresent).padStart(17)}  ${String(r.filesChecked).padStart(13)}  ${String(r.parseFailures).padStart(14)}  ${String(r.maxTemps).padStart(22)}  ${String(r.tempsLeft).padStart(10)}  ${String(r.childErrors).padStart(12)}  ${String(r.lastStep).padStart(9)}`,
  );
  for (const e of r.errors.slice(0, 5)) console.log(`  ${e}`);
  if (r.parseFailures > 0 || r.tempsLeft > 0 || r.childErrors > 0 || r.lastPresent < r.kills) bad = true;
}
console.log(`${results.reduce((a, r) => a + r.kills, 0)} kills in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
process.exitCode = bad ? 1 : 0;
