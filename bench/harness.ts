/**
 * Small bench helpers: best-of-n timing and a plain-text table. Shared by the workloads.
 */

/** Runs `fn` `repeats` times (after `warmup` untimed runs) and returns the fastest run in ms. */
export async function bestOf(repeats: number, fn: () => void | Promise<void>, warmup = 1): Promise<number> {
  for (let i = 0; i < warmup; i++) await fn();
  let best = Infinity;
  for (let i = 0; i < repeats; i++) {
    const t0 = performance.now();
    await fn();
    best = Math.min(best, performance.now() - t0);
  }
  return best;
}

/** Prints rows under a header, columns padded; numbers right-aligned. */
export function printTable(title: string, header: readonly string[], rows: readonly (readonly (string | number)[])[]): void {
  const cells = [header, ...rows.map((r) => r.map((c) => (typeof c === 'number' ? formatNumber(c) : c)))];
  const widths = header.map((_, c) => Math.max(...cells.map((r) => String(r[c] ?? '').length)));
  console.log(`\n${title}`);
  cells.forEach((r, i) => {
    console.log(r.map((c, k) => (i > 0 && typeof rows[i - 1]![k] === 'number' ? String(c).padStart(widths[k]!) : String(c).padEnd(widths[k]!))).join('  '));
    if (i === 0) console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  });
}

/** 3 significant digits, without exponent for ordinary sizes. */
export function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a >= 1000) return Math.round(v).toLocaleString('en-US');
  return v.toPrecision(3);
}
