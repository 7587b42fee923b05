/**
 * Bench helpers: interleaved timing with medians, the result types every workload returns, and a
 * plain-text table.
 */

/** One contender of a workload: runs the workload (or `steps` of it) once per call. */
export interface Contender {
  readonly name: string;
  /** Steps done by one call of `run` (rates are steps per second of that call). */
  readonly steps: number;
  /** Matrix-product FLOPs per step (for GFLOP/s), 0 when not meaningful. */
  readonly flopsPerStep: number;
  readonly run: () => void | Promise<void>;
  /** A peer (another library), compared with "fastest peer". */
  readonly peer?: boolean;
}

/** A contender's measured speed. */
export interface Measured {
  readonly name: string;
  /** Steps per second (median of the rounds). */
  readonly rate: number;
  readonly gflops: number;
  /**
   * The same from the process's CPU time (user + system, all threads) instead of the wall clock:
   * on a shared machine it leaves out the time the process waited for a core.
   */
  readonly rateCpu: number;
  readonly gflopsCpu: number;
  /** The median milliseconds of one call, and every round's. */
  readonly ms: number;
  readonly rounds: readonly number[];
  readonly peer: boolean;
}

/** What a workload reports. */
export interface WorkloadResult {
  readonly id: string;
  readonly title: string;
  /** The agreement check that passed before timing, in words. */
  readonly check: string;
  readonly results: readonly Measured[];
}

/** Messages for the reader go to stderr when stdout carries JSON. */
export const say = (msg: string): void => void (process.argv.includes('--json') ? process.stderr : process.stdout).write(`${msg}\n`);

export const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/**
 * Times every contender: `warmup` untimed calls each, then `rounds` rounds in which each contender
 * runs once, in an order rotated every round (so drift on a shared machine spreads over all);
 * reports the median per contender.
 */
export async function interleave(contenders: readonly Contender[], rounds: number, warmup = 1): Promise<Measured[]> {
  for (const c of contenders) for (let i = 0; i < warmup; i++) await c.run();
  const times = contenders.map(() => [] as number[]);
  const cpu = contenders.map(() => [] as number[]);
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < contenders.length; k++) {
      const i = (k + r) % contenders.length;
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      await contenders[i]!.run();
      times[i]!.push(performance.now() - t0);
      const c = process.cpuUsage(c0);
      cpu[i]!.push((c.user + c.system) / 1000);
    }
  }
  return contenders.map((c, i) => {
    const ms = median(times[i]!);
    const cpuMs = median(cpu[i]!);
    return {
      name: c.name,
      rate: (c.steps / ms) * 1000,
      gflops: (c.flopsPerStep * c.steps) / ms / 1e6,
      rateCpu: (c.steps / cpuMs) * 1000,
      gflopsCpu: (c.flopsPerStep * c.steps) / cpuMs / 1e6,
      ms,
      rounds: times[i]!,
      peer: c.peer ?? false,
    };
  });
}

/** Prints rows under a header, columns padded; numbers right-aligned. */
export function printTable(title: string, header: readonly string[], rows: readonly (readonly (string | number)[])[]): void {
  const cells = [header, ...rows.map((r) => r.map((c) => (typeof c === 'number' ? formatNumber(c) : c)))];
  const widths = header.map((_, c) => Math.max(...cells.map((r) => String(r[c] ?? '').length)));
  say(`\n${title}`);
  cells.forEach((r, i) => {
    say(
      r
        .map((c, k) => (i > 0 && typeof rows[i - 1]![k] === 'number' ? String(c).padStart(widths[k]!) : String(c).padEnd(widths[k]!)))
        .join('  '),
    );
    if (i === 0) say(widths.map((w) => '-'.repeat(w)).join('  '));
  });
}

/** 3 significant digits, without exponent for ordinary sizes. */
export function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a >= 1000) return Math.round(v).toLocaleString('en-US');
  if (a === 0) return '0';
  return v.toPrecision(3);
}

/** Largest |a − b| / max(|b|, floor) over two loss sequences (to the shorter length). */
export function maxRelDiff(a: readonly number[], b: readonly number[], floor = 1e-300): number {
  let m = 0;
  for (let i = 0; i < Math.min(a.length, b.length); i++) m = Math.max(m, Math.abs(a[i]! - b[i]!) / Math.max(Math.abs(b[i]!), floor));
  return m;
}

/** Throws a readable error when a check fails (the bench never times contenders that disagree). */
export function check(ok: boolean, message: string): void {
  if (!ok) throw new Error(message);
}
