/** The columns of a chart's points: step, seconds since start, loss, val loss (NaN if none), lr. */
export interface SeriesColumns {
  readonly step: number[];
  readonly time: number[];
  readonly loss: number[];
  readonly valLoss: number[];
  readonly lr: number[];
}

/**
 * A bounded, decimated series of chart points: keeps every `stride`-th point offered; when it
 * holds `capacity` points it drops every other one and doubles `stride`, so it always spans the
 * whole run in at most `capacity` points (the latest point is kept by {@link SeriesBuffer.columns}).
 */
export interface SeriesBuffer {
  /** Offers one point; returns true when kept. */
  offer(step: number, time: number, loss: number, valLoss: number, lr: number): boolean;
  /** A copy of the kept points, plus the latest offered point when it was skipped. */
  columns(): SeriesColumns;
  /** Forgets every point (the stride goes back to 1). */
  clear(): void;
  readonly size: number;
}

/**
 * Makes a {@link SeriesBuffer} of at most `capacity` points (≥ 2).
 *
 * For example (internal, not exported):
 * const b = seriesBuffer(4);
 * for (let s = 0; s < 10; s++) b.offer(s, s / 10, 1 / (s + 1), Number.NaN, 0.01);
 * b.columns().step; // [0, 4, 8, 9]: every 4th step, and the latest
 */
export function seriesBuffer(capacity: number): SeriesBuffer {
  const cap = Math.max(2, Math.floor(capacity));
  let cols = empty();
  let stride = 1;
  let offered = 0;
  let last: [number, number, number, number, number] | null = null;
  let lastKept = true;
  return {
    offer(step, time, loss, valLoss, lr) {
      const keep = offered % stride === 0;
      offered += 1;
      last = [step, time, loss, valLoss, lr];
      lastKept = keep;
      if (!keep) return false;
      if (cols.step.length >= cap) {
        const next = empty();
        for (let i = 0; i < cols.step.length; i += 2)
          push(next, cols.step[i]!, cols.time[i]!, cols.loss[i]!, cols.valLoss[i]!, cols.lr[i]!);
        cols = next;
        stride *= 2;
        // keep on the new stride's grid
        if ((offered - 1) % stride !== 0) return false;
      }
      push(cols, step, time, loss, valLoss, lr);
      return true;
    },
    columns() {
      const out = {
        step: cols.step.slice(),
        time: cols.time.slice(),
        loss: cols.loss.slice(),
        valLoss: cols.valLoss.slice(),
        lr: cols.lr.slice(),
      };
      if (!lastKept && last !== null) push(out, ...last);
      return out;
    },
    clear() {
      cols = empty();
      stride = 1;
      offered = 0;
      last = null;
      lastKept = true;
    },
    get size() {
      return cols.step.length;
    },
  };
}

function empty(): { step: number[]; time: number[]; loss: number[]; valLoss: number[]; lr: number[] } {
  return { step: [], time: [], loss: [], valLoss: [], lr: [] };
}

function push(
  c: { step: number[]; time: number[]; loss: number[]; valLoss: number[]; lr: number[] },
  step: number,
  time: number,
  loss: number,
  valLoss: number,
  lr: number,
): void {
  c.step.push(step);
  c.time.push(time);
  c.loss.push(loss);
  c.valLoss.push(valLoss);
  c.lr.push(lr);
}
