/**
 * `npm run bench`: workloads W1, W2, W3, each checked for agreement between its contenders before
 * timing; then heap flatness over 1,000,000 W1 steps and event-loop delay under the sliced loop.
 * Prints tables, or with `--json` one JSON object on stdout (progress on stderr). See
 * bench/README.md.
 */
import { cpus, loadavg } from 'node:os';
import { initKernels } from '../src/kernels.js';
import { benchEventLoop } from './eventLoop.js';
import { formatNumber, printTable, say, type WorkloadResult } from './harness.js';
import { benchMemory } from './memory.js';
import { benchW1 } from './w1.js';
import { benchW2 } from './w2.js';
import { benchW3 } from './w3.js';

const json = process.argv.includes('--json');
const simd = await initKernels();
const load = (): number => Math.round(loadavg()[0]! * 100) / 100;
const machine = {
  cpu: cpus()[0]?.model ?? 'unknown',
  cores: cpus().length,
  node: process.version,
  wasmSimdKernels: simd,
  loadAverageStart: load(),
  loadAverageEnd: Number.NaN,
};
say(
  `gradstream bench — ${machine.cpu}, ${machine.cores} cores, Node ${machine.node}, WebAssembly SIMD kernels ${simd ? 'on' : 'off'}, load average ${machine.loadAverageStart}`,
);

// `--only W1` (or W2, W3) runs one workload, without the memory and event-loop parts: for quick looks.
const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : undefined;
const runs: readonly (readonly [string, () => Promise<WorkloadResult>])[] = [
  ['W1', () => benchW1(7)],
  ['W2', () => benchW2(7)],
  ['W3', () => benchW3(5)],
];
const workloads: WorkloadResult[] = [];
for (const [id, run] of runs) if (only === undefined || only === id) workloads.push(await run());
if (only === undefined) say('\nmemory: 1,000,000 W1 steps of the reactive sync loop …');
const memory = only === undefined ? await benchMemory() : null;
if (only === undefined) say('event loop: W3 with the sliced loop …');
const eventLoop = only === undefined ? await benchEventLoop(3) : null;

machine.loadAverageEnd = load();
const report = {
  machine,
  workloads: Object.fromEntries(
    workloads.map((w) => {
      const plainRun = w.results.find((r) => r.name === 'plain')!;
      const plain = plainRun.rate;
      const peer = Math.max(...w.results.filter((r) => r.peer).map((r) => r.rate));
      const peerCpu = Math.max(...w.results.filter((r) => r.peer).map((r) => r.rateCpu));
      return [
        w.id,
        Object.fromEntries(
          w.results.map((r) => [
            r.name,
            {
              rate: r.rate,
              unit: 'steps/s',
              ratioToPlain: r.rate / plain,
              gflops: r.gflops,
              ratioToFastestPeer: r.rate / peer,
              rateCpu: r.rateCpu,
              gflopsCpu: r.gflopsCpu,
              ratioToPlainCpu: r.rateCpu / plainRun.rateCpu,
              ratioToFastestPeerCpu: r.rateCpu / peerCpu,
            },
          ]),
        ),
      ];
    }),
  ),
  memory,
  eventLoop,
};

for (const w of workloads) {
  const rows = Object.entries(report.workloads[w.id]!).map(([name, r]) => [
    name,
    r.rate,
    r.gflops,
    r.ratioToPlain,
    r.ratioToFastestPeer,
    r.gflopsCpu,
    r.ratioToPlainCpu,
    r.ratioToFastestPeerCpu,
  ]);
  printTable(
    `${w.title} — medians of interleaved rounds; wall clock, then CPU time`,
    ['contender', 'steps/s', 'GFLOP/s', '× plain', '× fastest peer', 'GFLOP/s cpu', '× plain cpu', '× peer cpu'],
    rows,
  );
}
if (memory !== null && eventLoop !== null) {
  say(
    `\nmemory (W1, reactive sync, ${memory.steps.toLocaleString('en-US')} steps): heap ${formatNumber(memory.heapStartBytes / 1024)} → ${formatNumber(memory.heapEndBytes / 1024)} KiB (${memory.growthBytesPerStep.toFixed(4)} B/step), ${memory.gcMinor} scavenges, ${memory.gcMajor} unforced full GCs: ${memory.flat ? 'flat' : 'NOT flat'}`,
  );
  say(
    `event loop (W3, reactive sliced): delay p50 ${eventLoop.p50Ms.toFixed(1)} ms, p99 ${eventLoop.p99Ms.toFixed(1)} ms, max ${eventLoop.maxMs.toFixed(1)} ms; sliced/sync throughput ${eventLoop.slicedToSync.toFixed(3)}`,
  );
  const w1 = report.workloads['W1']!;
  const w3 = report.workloads['W3']!;
  say(
    `\ntargets (wall clock; CPU time in brackets): W3 reactive sync ${formatNumber(w3['reactive sync']!.gflops)} [${formatNumber(w3['reactive sync']!.gflopsCpu)}] GFLOP/s (≥ 10) and ` +
      `${formatNumber(w3['reactive sync']!.rate / w3['tfjs-wasm']!.rate)} [${formatNumber(w3['reactive sync']!.rateCpu / w3['tfjs-wasm']!.rateCpu)}]× tfjs-wasm (≥ 2.5); ` +
      `float32 mode (reactive sync float32) ${formatNumber(w3['reactive sync float32']!.gflops)} [${formatNumber(w3['reactive sync float32']!.gflopsCpu)}] GFLOP/s (≥ 20; plain float32 loop ${formatNumber(w3['plain float32']!.gflops)}); ` +
      `W1 reactive/plain ${formatNumber(w1['reactive sync']!.ratioToPlain)} [${formatNumber(w1['reactive sync']!.ratioToPlainCpu)}] (≥ 0.5); ` +
      `W3 sliced/sync ${formatNumber(w3['reactive sliced']!.rate / w3['reactive sync']!.rate)} (≥ 0.9) with p99 ${eventLoop.p99Ms.toFixed(1)} ms (< 20)`,
  );
}
say(
  `load average (1 min) at start ${machine.loadAverageStart}, at end ${machine.loadAverageEnd}: above ${machine.cores} the contenders shared the cores with other processes`,
);
if (json) process.stdout.write(`${JSON.stringify(report)}\n`);
