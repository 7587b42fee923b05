import { type Node, Op } from './node.js';

// How an axis splits a [rows, cols] input into groups: `groups` runs of `len` elements, `step`
// apart within a run, the runs starting `gstep` apart. Axis -1 is one run over everything.
function groups(x: Node, axis: number): number {
  return axis === 1 ? x.rows : axis === 0 ? x.cols : 1;
}
function runLength(x: Node, axis: number): number {
  return axis === 1 ? x.cols : axis === 0 ? x.rows : x.rows * x.cols;
}
function step(x: Node, axis: number): number {
  return axis === 0 ? x.cols : 1;
}
function groupStep(x: Node, axis: number): number {
  return axis === 1 ? x.cols : 1;
}

/** sum, mean, logSumExp (one value per group) and softmax, logSoftmax (same shape). */
export function axisForward(n: Node): void {
  const x = n.a!;
  const X = x.val;
  const y = n.val;
  const axis = n.k1;
  const G = groups(x, axis);
  const len = runLength(x, axis);
  const s = step(x, axis);
  const gs = groupStep(x, axis);
  const op = n.op;
  for (let gi = 0; gi < G; gi++) {
    const o = gi * gs;
    if (op === Op.sum || op === Op.mean) {
      let t = 0;
      for (let i = 0; i < len; i++) t += X[o + i * s]!;
      y[gi] = op === Op.mean ? t / len : t;
      continue;
    }
    let max = -Infinity;
    for (let i = 0; i < len; i++) if (X[o + i * s]! > max) max = X[o + i * s]!;
    if (max === -Infinity || max === Infinity) max = 0; // all −∞ (or a +∞): let exp give −∞ / NaN as math says
    let t = 0;
    for (let i = 0; i < len; i++) t += Math.exp(X[o + i * s]! - max);
    const lse = max + Math.log(t);
    if (op === Op.logSumExp) y[gi] = lse;
    else if (op === Op.logSoftmax) for (let i = 0; i < len; i++) y[o + i * s] = X[o + i * s]! - lse;
    else for (let i = 0; i < len; i++) y[o + i * s] = Math.exp(X[o + i * s]! - lse);
  }
}

/** The gradients of {@link axisForward}'s operations. */
export function axisBackward(n: Node): void {
  const x = n.a!;
  const X = x.val;
  const d = x.grad!;
  const y = n.val;
  const g = n.grad!;
  const axis = n.k1;
  const G = groups(x, axis);
  const len = runLength(x, axis);
  const s = step(x, axis);
  const gs = groupStep(x, axis);
  const op = n.op;
  for (let gi = 0; gi < G; gi++) {
    const o = gi * gs;
    if (op === Op.sum || op === Op.mean) {
      const v = op === Op.mean ? g[gi]! / len : g[gi]!;
      for (let i = 0; i < len; i++) d[o + i * s]! += v;
    } else if (op === Op.logSumExp) {
      const v = g[gi]!;
      const lse = y[gi]!;
      for (let i = 0; i < len; i++) d[o + i * s]! += v * Math.exp(X[o + i * s]! - lse);
    } else {
      // softmax: ∂x = y (g − Σ g y); logSoftmax: ∂x = g − softmax · Σ g
      let t = 0;
      for (let i = 0; i < len; i++) t += op === Op.softmax ? g[o + i * s]! * y[o + i * s]! : g[o + i * s]!;
      if (op === Op.softmax) for (let i = 0; i < len; i++) d[o + i * s]! += y[o + i * s]! * (g[o + i * s]! - t);
      else for (let i = 0; i < len; i++) d[o + i * s]! += g[o + i * s]! - Math.exp(y[o + i * s]!) * t;
    }
  }
}
