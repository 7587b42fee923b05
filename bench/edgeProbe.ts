/**
 * `npm run probe:edges`: the edge probe of the command and the worker pool. Five parts, each bounded
 * in time and count, then one summary table; exits 1 on any failure.
 *   crash    SIGKILLs the checkpointing child in sync, sliced and asap modes (bench/crashHarness.ts)
 *   cli      the real command on CSV, JSONL and `workers: 2` configs: train, SIGKILL at a random
 *            moment, `--resume`, then resume the finished run (exit 0, no step, last.json unchanged)
 *   fuzz     seeded mutations of valid configs through `gradstream train --max-steps 3`: exit 0 or 2
 *            only, no signal, and an exit-2 message naming the file
 *   hostile  hostile files (corrupt optimizer state, non-finite or malformed data, deep nesting,
 *            alias bombs, oversized lines and checkpoints, endless devices): exit 2 naming file and field
 *   hung     a `dataParallel` run whose replica hangs, `stallTimeoutMs: 2000`: fails naming the replica
 *            within ~2–3 s while a 10 ms timer keeps firing
 *   workers  `npx vitest run tests/workers` 20 times beside a CPU hog
 * Usage: npm run probe:edges [-- --only crash,cli,… --crash 170 --cli 40 --fuzz 1000 --worker-runs 20]
 * Needs the built command (`npm run build`).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import { createRng, type Rng } from '../src/index.js';
import { buildChild, crashTest } from './crashHarness.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** One part's line of the summary table. */
interface PartResult {
  readonly part: string;
  readonly runs: number;
  readonly failures: number;
  readonly seconds: number;
  readonly note: string;
  readonly errors: readonly string[];
}

/** What a child process did. */
interface Ran {
  readonly code: number | null;
  readonly signal: string | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
  readonly timedOut: boolean;
}

/** Runs a command with a timeout (SIGKILL past it); keeps at most the last 64 KB of each stream. */
function run(
  cmd: string,
  args: readonly string[],
  options: { timeoutMs: number; cwd?: string; onSpawn?: (p: ChildProcess) => void },
): Promise<Ran> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    // its own process group, so a timeout also ends what it started (the command under /usr/bin/time)
    const p = spawn(cmd, args, { cwd: options.cwd ?? ROOT, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    p.stdout!.on('data', (d: Buffer) => (stdout = (stdout + d.toString()).slice(-65536)));
    p.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-65536)));
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-p.pid!, 'SIGKILL');
      } catch {
        p.kill('SIGKILL');
      }
    }, options.timeoutMs);
    options.onSpawn?.(p);
    p.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, ms: performance.now() - t0, timedOut });
    });
  });
}

const ANSI = /\u001b\[[0-9;]*m/g;

/** Part 5: the worker tests N times beside a CPU hog, killed whatever happens. */
async function workersPart(runs: number): Promise<PartResult> {
  const t0 = performance.now();
  const hog = spawn(process.execPath, ['-e', 'for(;;){}'], { stdio: 'ignore' });
  const killHog = (): void => void (hog.exitCode === null && hog.kill('SIGKILL'));
  process.once('exit', killHog);
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => (killHog(), process.exit(1)));
  const errors: string[] = [];
  let failures = 0;
  const times: number[] = [];
  try {
    for (let i = 0; i < runs; i++) {
      const r = await run('npx', ['vitest', 'run', 'tests/workers'], { timeoutMs: 600_000 });
      times.push(r.ms / 1000);
      const tail = r.stdout
        .replace(ANSI, '')
        .split('\n')
        .filter((l) => /Tests|Test Files/.test(l))
        .join(' | ');
      if (r.code !== 0) {
        failures += 1;
        const log = join(tmpdir(), `gradstream-probe-workers-${i + 1}.log`);
        writeFileSync(log, r.stdout.replace(ANSI, '') + r.stderr.replace(ANSI, ''));
        const failed = [
          ...new Set(
            r.stdout
              .replace(ANSI, '')
              .split('\n')
              .filter((l) => /FAIL|×|AssertionError|Error:/.test(l))
              .map((l) => l.trim()),
          ),
        ]
          .slice(0, 6)
          .join(' | ');
        errors.push(
          `run ${i + 1}: exit ${r.code} signal ${r.signal}${r.timedOut ? ' (timed out at 600 s)' : ''}: ${tail || r.stderr.slice(-400)}; ${failed} (log ${log})`,
        );
      }
      console.log(`workers run ${i + 1}/${runs}: exit ${r.code} in ${(r.ms / 1000).toFixed(1)} s ${tail}`);
    }
  } finally {
    killHog();
  }
  const note = `${runs - failures}/${runs} passed beside a CPU hog; ${Math.min(...times).toFixed(0)}–${Math.max(...times).toFixed(0)} s per run`;
  return { part: 'workers', runs, failures, seconds: (performance.now() - t0) / 1000, note, errors };
}

const BIN = join(ROOT, 'bin', 'gradstream.js');

/** Runs `gradstream ARGS` in `cwd`. */
function gradstream(args: readonly string[], cwd: string, timeoutMs: number, onSpawn?: (p: ChildProcess) => void): Promise<Ran> {
  return run(process.execPath, [BIN, ...args], { cwd, timeoutMs, ...(onSpawn === undefined ? {} : { onSpawn }) });
}

/** Part 1a: the crash harness in sync, sliced and asap modes. */
async function crashPart(killsPerMode: number): Promise<PartResult> {
  const t0 = performance.now();
  const child = await buildChild();
  const results = await Promise.all(
    ['sync', 'sliced', 'asap'].map((mode, i) => crashTest({ child, mode, kills: killsPerMode, seed: i + 1 })),
  );
  const errors: string[] = [];
  let failures = 0;
  for (const r of results) {
    const bad = r.parseFailures + r.tempsLeft + r.childErrors + (r.kills - r.lastPresent);
    failures += bad;
    errors.push(...r.errors.slice(0, 3).map((e) => `${r.mode}: ${e}`));
  }
  const files = results.reduce((a, r) => a + r.filesChecked, 0);
  const parse = results.reduce((a, r) => a + r.parseFailures, 0);
  const note = `${results.map((r) => `${r.mode} ${r.kills}`).join(', ')} kills; ${files} checkpoint files checked, ${parse} failed to load; max ${Math.max(...results.map((r) => r.maxTemps))} temps after a kill, ${results.reduce((a, r) => a + r.tempsLeft, 0)} left`;
  return {
    part: 'crash',
    runs: results.reduce((a, r) => a + r.kills, 0),
    failures,
    seconds: (performance.now() - t0) / 1000,
    note,
    errors,
  };
}

const XOR_ROWS = [
  [0, 0, 0],
  [0, 1, 1],
  [1, 0, 1],
  [1, 1, 0],
  [0.5, 0.2, 1],
  [0.1, 0.9, 1],
  [0.9, 0.8, 0],
  [0.2, 0.1, 0],
];

/** A valid XOR config (as an object) reading `data`, written to DIR with its data file. */
function xorConfig(dir: string, data: 'csv' | 'jsonl' | 'inline', extraTraining: Record<string, unknown> = {}): Record<string, unknown> {
  mkdirSync(dir, { recursive: true });
  if (data === 'csv') writeFileSync(join(dir, 'xor.csv'), `a,b,y\n${XOR_ROWS.map((r) => r.join(',')).join('\n')}\n`);
  if (data === 'jsonl') writeFileSync(join(dir, 'xor.jsonl'), `${XOR_ROWS.map(([a, b, y]) => JSON.stringify({ a, b, y })).join('\n')}\n`);
  const dataSection =
    data === 'csv'
      ? { csv: 'xor.csv', targets: ['y'] }
      : data === 'jsonl'
        ? { jsonl: 'xor.jsonl', targets: ['y'] }
        : { inputs: XOR_ROWS.map((r) => r.slice(0, 2)), targets: XOR_ROWS.map((r) => [r[2]]) };
  return {
    model: { layers: [{ type: 'dense', inputs: 2, units: 8, init: 'glorotUniform' }, { type: 'tanh' }, { type: 'dense', units: 1 }] },
    loss: { type: 'binaryCrossEntropy', fromLogits: true },
    optimizer: { type: 'adam', lr: 0.05 },
    data: dataSection,
    training: { epochs: 100000, seed: 1, batchSize: 4, ...extraTraining },
    checkpoint: { everySteps: 1, keepLast: 2 },
    log: { every: 100000 },
  };
}

/** The parts of a checkpoint that a resumed run must reproduce bit for bit. */
function checkpointCore(file: string): string {
  const c = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  return JSON.stringify([c.step, c.epoch, c.loss, c.params, c.optState, c.stopReason]);
}

interface CliCase {
  readonly name: string;
  readonly data: 'csv' | 'jsonl';
  readonly training: Record<string, unknown>;
}

const CLI_CASES: readonly CliCase[] = [
  { name: 'csv sync', data: 'csv', training: { mode: 'sync' } },
  { name: 'jsonl sliced', data: 'jsonl', training: { mode: 'sliced' } },
  { name: 'csv workers 2', data: 'csv', training: { workers: 2 } },
];

/** Trains until SIGKILLed `delayMs` after its first output (or until done); `killed` when the kill landed. */
async function trainAndKill(cwd: string, args: readonly string[], delayMs: number): Promise<{ killed: boolean; ran: Ran }> {
  let timer: NodeJS.Timeout | undefined;
  const ran = await gradstream(args, cwd, 120_000, (p) => {
    // the moment counts from the first step line: a kill during the process's start tests nothing
    p.stdout!.once('data', () => (timer = setTimeout(() => p.kill('SIGKILL'), delayMs)));
  });
  clearTimeout(timer);
  return { killed: ran.signal === 'SIGKILL' && !ran.timedOut, ran };
}

/** One CLI cycle: kill `kills` times across train/resume, resume to the end, then resume the finished run. */
async function cliCycle(
  c: CliCase,
  dir: string,
  reference: string,
  kills: number,
  rng: Rng,
  maxSteps: number,
  errors: string[],
): Promise<{ kills: number; failures: number; finishedResumes: number }> {
  const ck = join(dir, 'ck');
  rmSync(ck, { recursive: true, force: true });
  let landed = 0;
  let failures = 0;
  const steps = String(maxSteps);
  for (let k = 0; k < kills; k++) {
    const args = existsSync(join(ck, 'last.json'))
      ? ['train', 'c.json', '--resume', 'ck', '--checkpoint-dir', 'ck', '--max-steps', steps]
      : ['train', 'c.json', '--checkpoint-dir', 'ck', '--max-steps', steps];
    const { killed, ran } = await trainAndKill(dir, args, rng.uniform(0, 800));
    if (killed) landed += 1;
    else if (ran.code !== 0) {
      failures += 1;
      errors.push(`${c.name}: ${args.join(' ')} → exit ${ran.code} signal ${ran.signal}: ${ran.stderr.slice(-300)}`);
    }
  }
  const args = existsSync(join(ck, 'last.json'))
    ? ['train', 'c.json', '--resume', 'ck', '--checkpoint-dir', 'ck', '--max-steps', steps]
    : ['train', 'c.json', '--checkpoint-dir', 'ck', '--max-steps', steps];
  const end = await gradstream(args, dir, 120_000);
  if (end.code !== 0) {
    const kept = mkdtempSync(join(tmpdir(), 'gradstream-probe-failed-'));
    cpSync(dir, kept, { recursive: true });
    errors.push(
      `${c.name}: final ${args.join(' ')} → exit ${end.code} signal ${end.signal} after ${landed} kills: ${end.stderr.slice(-300)} (folder kept: ${kept})`,
    );
    return { kills: landed, failures: failures + 1, finishedResumes: 0 };
  }
  const core = checkpointCore(join(ck, 'last.json'));
  if (core !== reference) {
    failures += 1;
    const names = ['step', 'epoch', 'loss', 'params', 'optState', 'stopReason'];
    const [a, b] = [JSON.parse(reference) as unknown[], JSON.parse(core) as unknown[]];
    const differ = names.filter((_, i) => JSON.stringify(a[i]) !== JSON.stringify(b[i]));
    const kept = mkdtempSync(join(tmpdir(), 'gradstream-probe-differs-'));
    cpSync(dir, kept, { recursive: true });
    errors.push(
      `${c.name}: after ${landed} kills the final last.json differs from the uninterrupted run in ${differ.join(', ')} (folder kept: ${kept})`,
    );
  }
  const before = readFileSync(join(ck, 'last.json'));
  const again = await gradstream(['train', 'c.json', '--resume', 'ck', '--checkpoint-dir', 'ck', '--max-steps', steps], dir, 60_000);
  const same = readFileSync(join(ck, 'last.json')).equals(before);
  if (again.code !== 0 || !same || !/already ended/.test(again.stdout)) {
    failures += 1;
    errors.push(
      `${c.name}: resuming the finished run → exit ${again.code}, last.json ${same ? 'unchanged' : 'CHANGED'}: ${(again.stdout + again.stderr).slice(-300)}`,
    );
  }
  return { kills: landed, failures, finishedResumes: 1 };
}

/** Part 1b: the command, SIGKILLed and resumed, on CSV, JSONL and two-worker configs. */
async function cliPart(cyclesPerCase: number, killsPerCycle: number): Promise<PartResult> {
  const t0 = performance.now();
  const errors: string[] = [];
  const rng = createRng(22);
  let kills = 0;
  let failures = 0;
  let finished = 0;
  const maxSteps = 300;
  const counts: string[] = [];
  for (const c of CLI_CASES) {
    const dir = mkdtempSync(join(tmpdir(), 'gradstream-probe-cli-'));
    writeFileSync(join(dir, 'c.json'), JSON.stringify(xorConfig(dir, c.data, c.training)));
    const ref = await gradstream(['train', 'c.json', '--checkpoint-dir', 'ref', '--max-steps', String(maxSteps)], dir, 120_000);
    if (ref.code !== 0) {
      failures += 1;
      errors.push(`${c.name}: the uninterrupted run → exit ${ref.code}: ${ref.stderr.slice(-300)}`);
      continue;
    }
    const reference = checkpointCore(join(dir, 'ref', 'last.json'));
    let caseKills = 0;
    for (let i = 0; i < cyclesPerCase; i++) {
      const r = await cliCycle(c, dir, reference, killsPerCycle, rng, maxSteps, errors);
      caseKills += r.kills;
      failures += r.failures;
      finished += r.finishedResumes;
    }
    kills += caseKills;
    counts.push(`${c.name} ${caseKills}`);
    rmSync(dir, { recursive: true, force: true });
  }
  const note = `${kills} SIGKILLs landed (${counts.join(', ')}); ${finished} resumes of finished runs; final weights compared bit for bit with an uninterrupted run`;
  return { part: 'cli', runs: kills + finished, failures, seconds: (performance.now() - t0) / 1000, note, errors };
}

/** Runs a TypeScript file of bench/ in a child node with tsx. */
function tsx(file: string, args: readonly string[], timeoutMs: number): Promise<Ran> {
  return run(process.execPath, ['--import', 'tsx', join(ROOT, 'bench', file), ...args], { timeoutMs });
}

/** Part 4: a dataParallel run whose replica hangs, `stallTimeoutMs: 2000`, `runs` times. */
async function hungPart(runs: number): Promise<PartResult> {
  const t0 = performance.now();
  const errors: string[] = [];
  const waits: number[] = [];
  const ticks: number[] = [];
  let failures = 0;
  for (let i = 0; i < runs; i++) {
    const r = await tsx('edgeProbeHung.ts', ['2000'], 60_000);
    const line = r.stdout.split('\n').find((l) => l.startsWith('{'));
    const out =
      line === undefined
        ? undefined
        : (JSON.parse(line) as { error: string | null; worker?: number; afterLastStepMs: number; ticks: number });
    const ok =
      out !== undefined &&
      out.worker === 1 &&
      /workers\[1\].*stallTimeoutMs.*replica 1 of 2/.test(out.error ?? '') &&
      out.afterLastStepMs < 3500 &&
      out.ticks > 0;
    if (out !== undefined) {
      waits.push(out.afterLastStepMs);
      ticks.push(out.ticks);
    }
    if (!ok) {
      failures += 1;
      errors.push(
        `run ${i + 1}: exit ${r.code} signal ${r.signal}${r.timedOut ? ' (timed out at 60 s)' : ''}: ${line ?? r.stderr.slice(-400)}`,
      );
    }
  }
  const note = `error names replica 1 after ${Math.min(...waits)}–${Math.max(...waits)} ms of stall (timeout 2000 ms); 10 ms timer fired ${Math.min(...ticks)}–${Math.max(...ticks)} times meanwhile`;
  return { part: 'hung', runs, failures, seconds: (performance.now() - t0) / 1000, note, errors };
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Raw number tokens that JSON.stringify cannot write (swapped in after stringifying). */
const RAW_NUMBERS = ['1e999', '-1e999', '1e308', '-0', '9007199254740993', '1e-320', '2e9', '1e9', '1e15', '65', '0.5', '-1', '0'];

/** A random replacement value: wrong types, out-of-range and huge numbers, deep or empty nesting. */
function randomValue(rng: Rng): Json {
  const k = Math.floor(rng.uniform(0, 14));
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rng.uniform(0, xs.length))]!;
  switch (k) {
    case 0:
      return `@RAW${pick(RAW_NUMBERS)}@`;
    case 1:
      return pick([0, -1, 1, 2, 0.5, 3.7, 64, 65, 100, 1e6, -1e6, 1e300]);
    case 2:
      return pick(['', 'abc', 'dense', 'relu', 'adam', 'sync', 'NaN', 'Infinity', '0x10', 'x'.repeat(5000)]);
    case 3:
      return null;
    case 4:
      return pick([true, false]);
    case 5:
      return [];
    case 6:
      return {};
    case 7:
      return pick([[1, 2], ['a'], [[0]], [null]]);
    case 8:
      return { type: pick(['dense', 'relu', 'nope', 'conv2d', 'lstm', 'batchNorm']), units: pick([1, 0, -3, 1e9, 2.5]) };
    case 9: {
      let v: Json = 1;
      for (let d = Math.floor(rng.uniform(1, 3000)); d > 0; d--) v = [v];
      return v;
    }
    default:
      return `@RAW${Math.floor(rng.uniform(-5, 5)) * 10 ** Math.floor(rng.uniform(0, 20))}@`;
  }
}

/** Every path in a JSON tree (keys and indices) down to depth 8, the root excluded. */
function paths(v: Json, prefix: Array<string | number> = [], out: Array<Array<string | number>> = []): Array<Array<string | number>> {
  if (prefix.length >= 8) return out;
  if (Array.isArray(v)) v.forEach((x, i) => (out.push([...prefix, i]), paths(x, [...prefix, i], out)));
  else if (v !== null && typeof v === 'object')
    for (const [k, x] of Object.entries(v)) out.push([...prefix, k]), paths(x, [...prefix, k], out);
  return out;
}

/** Applies 1–3 random mutations in place: replace, delete, add an unknown key, wrap in an array. */
function mutate(root: { [k: string]: Json }, rng: Rng): void {
  for (let m = Math.floor(rng.uniform(1, 4)); m > 0; m--) {
    const all = paths(root);
    const path = all[Math.floor(rng.uniform(0, all.length))]!;
    let parent: Json = root;
    for (const key of path.slice(0, -1)) parent = (parent as Record<string | number, Json>)[key]!;
    const last = path[path.length - 1]!;
    const obj = parent as Record<string | number, Json>;
    const op = rng.uniform(0, 1);
    if (op < 0.6) obj[last] = randomValue(rng);
    else if (op < 0.75) Array.isArray(obj) ? obj.splice(last as number, 1) : delete obj[last];
    else if (op < 0.9 && typeof obj === 'object' && !Array.isArray(obj))
      obj[`unknown${Math.floor(rng.uniform(0, 100))}`] = randomValue(rng);
    else obj[last] = [obj[last]!];
  }
}

/** The mutated config as JSON text, or as YAML with anchors and aliases (sometimes a small alias bomb). */
function configText(config: { [k: string]: Json }, rng: Rng, yaml: boolean): string {
  const json = JSON.stringify(config).replace(/"@RAW(.*?)@"/g, '$1');
  if (!yaml) return json;
  try {
    return yamlText(config, rng);
  } catch {
    return json; // nesting too deep for the YAML writer: JSON text is YAML too
  }
}

/** The config as YAML with aliases. */
function yamlText(config: { [k: string]: Json }, rng: Rng): string {
  const doc = new YAML.Document(JSON.parse(JSON.stringify(config).replace(/"@RAW(.*?)@"/g, '$1')) as unknown);
  const all = paths(config).map((p) => p.map(String));
  for (let a = Math.floor(rng.uniform(1, 3)); a > 0; a--) {
    const from = all[Math.floor(rng.uniform(0, all.length))]!;
    const to = all[Math.floor(rng.uniform(0, all.length))]!;
    const node = doc.getIn(from, true);
    if (!YAML.isNode(node) || from.join('.').startsWith(to.join('.'))) continue;
    doc.setIn(to, doc.createAlias(node as YAML.Scalar));
  }
  let text = doc.toString();
  if (rng.uniform(0, 1) < 0.1) {
    const depth = Math.floor(rng.uniform(3, 8));
    const lines = ['a0: &a0 [1, 1, 1, 1, 1, 1, 1, 1]'];
    for (let d = 1; d < depth; d++)
      lines.push(
        `a${d}: &a${d} [${Array(8)
          .fill(`*a${d - 1}`)
          .join(', ')}]`,
      );
    text = `${lines.join('\n')}\n${text}`;
  }
  return text;
}

/** One fuzzed config's run: a failure text, or null when it ended as allowed. */
async function fuzzOne(dir: string, i: number, rng: Rng): Promise<{ failure: string | null; code: number | null }> {
  const base = xorConfig(dir, (['inline', 'csv', 'jsonl'] as const)[i % 3]!) as { [k: string]: Json };
  delete base.checkpoint;
  mutate(base, rng);
  const yaml = rng.uniform(0, 1) < 0.3;
  const name = `f${i}.${yaml ? 'yaml' : 'json'}`;
  writeFileSync(join(dir, name), configText(base, rng, yaml));
  const r = await gradstream(['train', name, '--max-steps', '3'], dir, 60_000);
  const named = r.stderr.includes(name) || /xor\.(csv|jsonl)/.test(r.stderr);
  if (r.timedOut) return { failure: `${name}: no exit within 60 s`, code: r.code };
  if (r.signal !== null || (r.code !== 0 && r.code !== 2) || (r.code === 2 && !named)) {
    const kept = join(tmpdir(), `gradstream-probe-fuzz-${name}`);
    cpSync(join(dir, name), kept);
    return { failure: `${kept}: exit ${r.code} signal ${r.signal}: ${r.stderr.slice(0, 400)}`, code: r.code };
  }
  return { failure: null, code: r.code };
}

/** Part 2: `count` seeded mutations of valid configs through `gradstream train --max-steps 3`, 3 at a time. */
async function fuzzPart(count: number, seed: number): Promise<PartResult> {
  const t0 = performance.now();
  const dir = mkdtempSync(join(tmpdir(), 'gradstream-probe-fuzz-'));
  const errors: string[] = [];
  const codes = new Map<string, number>();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      const i = next++;
      const { failure, code } = await fuzzOne(dir, i, createRng(seed * 100_003 + i));
      codes.set(String(code), (codes.get(String(code)) ?? 0) + 1);
      if (failure !== null) errors.push(failure);
      if ((i + 1) % 100 === 0) console.log(`fuzz ${i + 1}/${count}: ${errors.length} failures`);
    }
  };
  await Promise.all([worker(), worker(), worker()]);
  rmSync(dir, { recursive: true, force: true });
  const note = `exit codes ${[...codes]
    .sort()
    .map(([c, n]) => `${c}: ${n}`)
    .join(', ')} (seed ${seed})`;
  return { part: 'fuzz', runs: count, failures: errors.length, seconds: (performance.now() - t0) / 1000, note, errors };
}

/** A hostile input: files made in `dir`, the command, and what its exit-2 message must contain. */
interface Hostile {
  readonly name: string;
  readonly make: (dir: string) => readonly string[];
  readonly expectCode?: number;
  /** Patterns the message must match (the file and the field), and text it must not contain. */
  readonly must: readonly RegExp[];
  readonly mustNot?: RegExp;
  readonly maxMs?: number;
  readonly maxRssMb?: number;
}

/** A mid-run copy of the probe's checkpoint, edited by `edit` (as text after JSON edits). */
function corruptCheckpoint(
  dir: string,
  name: string,
  edit: (c: Record<string, unknown>) => void,
  raw: (t: string) => string = (t) => t,
): readonly string[] {
  const c = JSON.parse(readFileSync(join(dir, 'ck', 'last.json'), 'utf8')) as Record<string, unknown>;
  c.stopReason = null; // as a periodic (mid-run) checkpoint
  edit(c);
  mkdirSync(join(dir, name));
  writeFileSync(join(dir, name, 'last.json'), raw(JSON.stringify(c)));
  return ['train', 'c.json', '--resume', name, '--checkpoint-dir', `${name}-out`, '--max-steps', '20'];
}

/** A config on a data file `file` holding `text`. */
function onData(dir: string, file: string, text: string | Buffer, extra: Record<string, unknown> = {}): readonly string[] {
  writeFileSync(join(dir, file), text);
  const c = xorConfig(dir, 'inline') as Record<string, unknown>;
  delete c.checkpoint;
  c.data = { [file.endsWith('.csv') ? 'csv' : 'jsonl']: file, targets: ['y'], ...extra };
  writeFileSync(join(dir, `${file}.json`), JSON.stringify(c));
  return ['train', `${file}.json`, '--max-steps', '3'];
}

/** A config `name` with `edit` applied to the valid inline one (or the given text). */
function badConfig(dir: string, name: string, edit: (c: Record<string, unknown>) => void, text?: string): readonly string[] {
  const c = xorConfig(dir, 'inline') as Record<string, unknown>;
  delete c.checkpoint;
  edit(c);
  writeFileSync(join(dir, name), text ?? JSON.stringify(c));
  return ['train', name, '--max-steps', '3'];
}

const optState = (c: Record<string, unknown>): Record<string, unknown> => (c.optState as Array<Record<string, unknown>>)[0]!;

const HOSTILE: readonly Hostile[] = [
  {
    name: 'optimizer count NaN',
    make: (d) => corruptCheckpoint(d, 'nan-count', (c) => void (optState(c).count = 'NaN')),
    must: [/nan-count\/last\.json/, /count/],
  },
  {
    name: 'optimizer count null',
    make: (d) => corruptCheckpoint(d, 'null-count', (c) => void (optState(c).count = null)),
    must: [/null-count\/last\.json/, /count/],
  },
  {
    name: 'optimizer count -1',
    make: (d) => corruptCheckpoint(d, 'neg-count', (c) => void (optState(c).count = -1)),
    must: [/neg-count\/last\.json/, /count/],
  },
  {
    name: "Infinity in Adam's mu",
    make: (d) =>
      corruptCheckpoint(
        d,
        'inf-mu',
        () => undefined,
        (t) => t.replace(/"mu":\{"\$f64":\[[^,\]]+/, '"mu":{"$f64":[1e999'),
      ),
    must: [/inf-mu\/last\.json/, /mu/],
  },
  {
    name: 'bad rng.s',
    make: (d) => corruptCheckpoint(d, 'bad-rng', (c) => void ((c.rng as Record<string, unknown>).s = [1, 2, 'x'])),
    must: [/bad-rng\/last\.json/, /rng/],
  },
  {
    name: 'checkpoint step 1e15',
    make: (d) => corruptCheckpoint(d, 'huge-step', (c) => void (c.step = 1e15)),
    must: [/huge-step\/last\.json/, /step/],
  },
  {
    name: 'JSONL 1e999',
    make: (d) => onData(d, 'inf.jsonl', '{"a":0,"b":0,"y":0}\n{"a":1e999,"b":1,"y":1}\n'),
    must: [/inf\.jsonl/, /\ba\b/],
  },
  {
    name: 'JSONL "0" (train)',
    make: (d) => onData(d, 'str.jsonl', '{"a":0,"b":0,"y":0}\n{"a":"0","b":1,"y":1}\n'),
    must: [/str\.jsonl/, /\ba\b/],
  },
  { name: 'CSV 0x10 (train)', make: (d) => onData(d, 'hex.csv', 'a,b,y\n0,0,0\n0x10,1,1\n'), must: [/hex\.csv/, /\ba\b/] },
  {
    name: 'CSV 0x10 (predict)',
    make: (d) => (writeFileSync(join(d, 'hexp.csv'), 'a,b\n0,0\n0x10,1\n'), ['predict', 'ck/last.json', 'hexp.csv']),
    must: [/hexp\.csv/, /\ba\b/],
  },
  {
    name: 'JSONL "0" (predict)',
    make: (d) => (writeFileSync(join(d, 'strp.jsonl'), '{"a":0,"b":0}\n{"a":"0","b":1}\n'), ['predict', 'ck/last.json', 'strp.jsonl']),
    must: [/strp\.jsonl/, /\ba\b/],
  },
  {
    name: '50k-deep nesting',
    make: (d) => badConfig(d, 'deep.json', () => undefined, `{"model":${'['.repeat(50_000)}${']'.repeat(50_000)}}`),
    must: [/deep\.json/, /nest|deep/i],
  },
  {
    name: 'units: 1e9',
    make: (d) => badConfig(d, 'units.json', (c) => void ((c.model as { layers: Array<Record<string, unknown>> }).layers[0]!.units = 1e9)),
    must: [/units\.json/, /units/],
  },
  {
    name: 'YAML alias bomb',
    make: (d) =>
      badConfig(
        d,
        'bomb.yaml',
        () => undefined,
        `${Array.from({ length: 10 }, (_, i) =>
          i === 0
            ? 'a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]'
            : `a${i}: &a${i} [${Array(10)
                .fill(`*a${i - 1}`)
                .join(', ')}]`,
        ).join('\n')}\nmodel: *a9\n`,
      ),
    must: [/bomb\.yaml/, /alias/i],
    maxMs: 20_000,
  },
  {
    name: 'class label out of range',
    make: (d) => onData(d, 'cls.csv', 'a,b,k\n0,0,p\n0,1,q\n1,0,r\n', { targets: undefined, label: 'k', classes: ['p', 'q'] }),
    must: [/cls\.csv/, /\bk\b/],
  },
  {
    name: 'units below the class count',
    make: (d) =>
      badConfig(d, 'cls3.json', (c) => {
        writeFileSync(join(d, 'cls3.csv'), 'a,b,k\n0,0,p\n0,1,q\n1,0,r\n');
        c.data = { csv: 'cls3.csv', label: 'k' };
        c.loss = { type: 'softmaxCrossEntropy' };
        (c.model as { layers: Array<Record<string, unknown>> }).layers[2]!.units = 2;
      }),
    must: [/cls3\.csv/, /row|line/, /\bk\b/, /units/],
  },
  {
    name: '200 MB JSONL line',
    make: (d) =>
      onData(
        d,
        'long.jsonl',
        Buffer.concat([Buffer.from('{"a":0,"b":0,"y":0}\n{"a":"'), Buffer.alloc(200 * 2 ** 20, 0x61), Buffer.from('","b":0,"y":0}\n')]),
      ),
    must: [/long\.jsonl/, /line/],
    maxMs: 30_000,
    maxRssMb: 600,
  },
  {
    name: '80 MB checkpoint',
    make: (d) => corruptCheckpoint(d, 'big-ck', (c) => void (c.pad = 'x'.repeat(80 * 2 ** 20))),
    must: [/big-ck\/last\.json/, /pad|MiB/],
    maxMs: 30_000,
    maxRssMb: 600,
  },
  {
    name: 'checkpoint symlink to /dev/zero',
    make: (d) => (
      mkdirSync(join(d, 'zero')),
      symlinkSync('/dev/zero', join(d, 'zero', 'last.json')),
      ['train', 'c.json', '--resume', 'zero', '--checkpoint-dir', 'zero-out', '--max-steps', '20']
    ),
    must: [/zero\/last\.json/, /regular file|device|MiB|size/i],
    maxMs: 15_000,
  },
  {
    name: 'JSONL with a BOM (accepted)',
    make: (d) => onData(d, 'bom.jsonl', '\ufeff{"a":0,"b":0,"y":0}\n{"a":1,"b":1,"y":1}\n'),
    expectCode: 0,
    must: [],
  },
  {
    name: 'CSV first row > 1 MiB (accepted)',
    make: (d) => onData(d, 'wide.csv', `a${'a'.repeat(2 ** 20 + 10)},b,y\n0,0,0\n1,1,1\n`),
    expectCode: 0,
    must: [],
  },
  {
    name: 'CSV first row > 64 MiB',
    make: (d) => onData(d, 'wider.csv', `a${'a'.repeat(65 * 2 ** 20)},b,y\n0,0,0\n1,1,1\n`),
    must: [/wider\.csv/, /64 MiB/],
    mustNot: /received none/,
    maxMs: 30_000,
    maxRssMb: 600,
  },
  {
    name: '100k-column CSV header',
    make: (d) => onData(d, 'cols.csv', `${Array.from({ length: 100_000 }, (_, i) => `c${i}`).join(',')},y\n${'0,'.repeat(100_000)}0\n`),
    must: [/cols\.csv/, /features|column/],
    mustNot: /empty file/,
  },
  {
    name: 'JSON parse error echoes no content',
    make: (d) => badConfig(d, 'garbage.json', () => undefined, '{"model": SECRET-CONTENT-XYZ'),
    must: [/garbage\.json/],
    mustNot: /SECRET-CONTENT/,
  },
];

/** Runs one hostile case under /usr/bin/time (for the peak RSS); a failure text or null. */
async function hostileOne(dir: string, h: Hostile): Promise<{ failure: string | null; detail: string }> {
  const args = h.make(dir);
  const r = await run('/usr/bin/time', ['-f', '@@RSS %M', process.execPath, BIN, ...args], { cwd: dir, timeoutMs: 120_000 });
  const rssMb = Number(/@@RSS (\d+)/.exec(r.stderr)?.[1] ?? 0) / 1024;
  const message = r.stderr.replace(/@@RSS \d+\n?/, '').trim();
  const code = /Command exited with non-zero status (\d+)/.exec(message)?.[1];
  const exit = code === undefined ? r.code : Number(code);
  const text = message.replace(/Command exited with non-zero status \d+/, '').trim();
  const problems: string[] = [];
  if (r.timedOut) problems.push('no exit within 120 s');
  if (exit !== (h.expectCode ?? 2)) problems.push(`exit ${exit}`);
  for (const m of h.must) if (!m.test(text)) problems.push(`message lacks ${m}`);
  if (h.mustNot?.test(text)) problems.push(`message has ${h.mustNot}`);
  if (h.maxMs !== undefined && r.ms > h.maxMs) problems.push(`${(r.ms / 1000).toFixed(1)} s`);
  if (h.maxRssMb !== undefined && rssMb > h.maxRssMb) problems.push(`${rssMb.toFixed(0)} MB RSS`);
  const detail = `${h.name}: exit ${exit}, ${(r.ms / 1000).toFixed(1)} s, ${rssMb.toFixed(0)} MB: ${text.split('\n')[0]!.slice(0, 240)}`;
  return {
    failure: problems.length === 0 ? null : `${h.name} (gradstream ${args.join(' ')}): ${problems.join(', ')} — ${text.slice(0, 400)}`,
    detail,
  };
}

/** Part 3: every hostile file of issue 22 items 9–13. */
async function hostilePart(): Promise<PartResult> {
  const t0 = performance.now();
  const dir = mkdtempSync(join(tmpdir(), 'gradstream-probe-hostile-'));
  writeFileSync(join(dir, 'c.json'), JSON.stringify(xorConfig(dir, 'csv')));
  await gradstream(['train', 'c.json', '--checkpoint-dir', 'ck', '--max-steps', '3'], dir, 120_000);
  const errors: string[] = [];
  for (const h of HOSTILE) {
    const { failure, detail } = await hostileOne(dir, h);
    console.log(`${failure === null ? 'ok  ' : 'FAIL'} ${detail}`);
    if (failure !== null) errors.push(failure);
  }
  rmSync(dir, { recursive: true, force: true });
  return {
    part: 'hostile',
    runs: HOSTILE.length,
    failures: errors.length,
    seconds: (performance.now() - t0) / 1000,
    note: `${HOSTILE.length - errors.length}/${HOSTILE.length} refused as expected (exit 2 naming file and field; a BOM and a 1 MiB header accepted)`,
    errors,
  };
}

/** Parses `--name value` flags. */
function flags(argv: readonly string[]): Map<string, string> {
  const m = new Map<string, string>();
  for (let i = 0; i < argv.length; i += 2) m.set(argv[i]!.replace(/^--/, ''), argv[i + 1] ?? '');
  return m;
}

/** Prints the summary table of the parts run. */
function summary(results: readonly PartResult[]): void {
  console.log('\npart     runs  failures  seconds  result');
  for (const r of results) {
    console.log(
      `${r.part.padEnd(8)} ${String(r.runs).padStart(5)}  ${String(r.failures).padStart(8)}  ${r.seconds.toFixed(0).padStart(7)}  ${r.note}`,
    );
    for (const e of r.errors.slice(0, 8)) console.log(`    ${e.replace(/\s+/g, ' ').slice(0, 600)}`);
  }
}

const f = flags(process.argv.slice(2));
const only = new Set((f.get('only') ?? 'crash,cli,fuzz,hostile,hung,workers').split(','));
const num = (k: string, d: number): number => Number(f.get(k) ?? d);
const parts: Array<[string, () => Promise<PartResult>]> = [
  ['crash', () => crashPart(num('crash', 170))],
  ['cli', () => cliPart(num('cli', 4), num('cli-kills', 3))],
  ['fuzz', () => fuzzPart(num('fuzz', 1000), num('seed', 22))],
  ['hostile', () => hostilePart()],
  ['hung', () => hungPart(num('hung', 5))],
  ['workers', () => workersPart(num('worker-runs', 20))],
];
const results: PartResult[] = [];
for (const [name, part] of parts) {
  if (!only.has(name)) continue;
  console.log(`\n== ${name} ==`);
  results.push(await part());
}
summary(results);
process.exitCode = results.some((r) => r.failures > 0) ? 1 : 0;
