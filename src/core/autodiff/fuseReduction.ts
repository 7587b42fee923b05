import { type Node, Op } from './node.js';

/**
 * A loss of the common form `sum(f(…))` or `mean(f(…))`, where `f` is element-wise over tensors
 * of one shape (and scalars), compiled to one JavaScript loop for the value and one for the
 * gradient: the intermediate tensors live in local variables instead of buffers. Each element
 * goes through the tape's operations in the tape's order (float64), so the value and the
 * gradient of a full-size input are the tape's to the bit; a broadcast scalar's gradient sums
 * its terms in another order (equal to rounding).
 *
 * Speed trick: generated code (`new Function`) — the tape makes about six passes over memory
 * and a dozen calls per step where this makes one or two (bench/README.md, "autodiff"). Where
 * code generation is not allowed (a browser page whose Content-Security-Policy forbids
 * 'unsafe-eval'), the tape runs instead.
 */
export interface FusedReduction {
  /** The value, reading the inputs' bound `val`. */
  value(): number;
  /** Writes the gradient into the bound `grad` of every input that wants one (seed `seed`). */
  grad(seed: number): void;
}

interface Plan {
  readonly order: readonly Node[];
  readonly leaves: readonly Node[];
  readonly n: number;
}

/** The fused form of `output` over `nodes`, or null when the expression has another form. */
export function fuseReduction(nodes: readonly Node[], output: Node): FusedReduction | null {
  const plan = planFusion(nodes, output);
  if (plan === null) return null;
  let make: (...helpers: unknown[]) => {
    value(L: Float64Array[]): number;
    grad(L: Float64Array[], D: (Float64Array | null)[], seed: number): void;
  };
  try {
    make = new Function('sigmoid', generate(plan, output)) as typeof make;
  } catch {
    return null;
  }
  const fns = make(sigmoid);
  const L: Float64Array[] = plan.leaves.map((l) => l.val);
  const D: (Float64Array | null)[] = plan.leaves.map(() => null);
  const bind = (): void => {
    for (let k = 0; k < plan.leaves.length; k++) {
      const leaf = plan.leaves[k]!;
      L[k] = leaf.val;
      D[k] = leaf.needsGrad ? leaf.grad : null;
    }
  };
  return {
    value() {
      bind();
      return fns.value(L);
    },
    grad(seed) {
      bind();
      fns.grad(L, D, seed);
    },
  };
}

const ELEMENTWISE = (op: number): boolean => (op >= Op.neg && op <= Op.minimum) || (op >= Op.greater && op <= Op.where);

/** The nodes of the element-wise body in evaluation order, and its leaves; null if not fusable. */
function planFusion(nodes: readonly Node[], output: Node): Plan | null {
  if ((output.op !== Op.sum && output.op !== Op.mean) || output.k1 !== -1) return null;
  const body = output.a!;
  const n = body.rows * body.cols;
  const inRegion = new Set<Node>([body]);
  for (let i = nodes.length - 1; i >= 0; i--) {
    const x = nodes[i]!;
    if (!inRegion.has(x)) continue;
    const size = x.rows * x.cols;
    if (size !== n && size !== 1) return null;
    if (x.op === Op.input || x.op === Op.constant) continue;
    if (!ELEMENTWISE(x.op)) return null;
    for (const y of [x.a, x.b, x.c]) if (y !== null) inRegion.add(y);
  }
  const order = nodes.filter((x) => inRegion.has(x));
  const leaves = order.filter((x) => x.op === Op.input || (x.op === Op.constant && x.rows * x.cols !== 1));
  return { order, leaves, n };
}

/** The source of `{ value(L), grad(L, D, seed) }`. */
function generate(plan: Plan, output: Node): string {
  const id = new Map<Node, number>(plan.order.map((x, i) => [x, i]));
  const v = (x: Node): string => `v${id.get(x)!}`;
  const g = (x: Node): string => `g${id.get(x)!}`;
  const loads: string[] = [];
  const hoisted: string[] = [];
  plan.leaves.forEach((leaf, k) => {
    hoisted.push(`const L${k} = L[${k}];`);
    if (leaf.rows * leaf.cols === 1) hoisted.push(`const ${v(leaf)} = L${k}[0];`);
    else loads.push(`const ${v(leaf)} = L${k}[i];`);
  });
  const body: string[] = [...loads];
  for (const x of plan.order) {
    if (x.op === Op.constant && x.rows * x.cols === 1) hoisted.push(`const ${v(x)} = ${literal(x.val[0]!)};`);
    else if (x.op !== Op.input && x.op !== Op.constant) body.push(`const ${v(x)} = ${forwardExpr(x, v)};`);
  }
  const last = plan.order[plan.order.length - 1]!;
  const mean = output.op === Op.mean;
  const value = `value(L) { ${hoisted.join(' ')} let s = 0; for (let i = 0; i < ${plan.n}; i++) { ${body.join(' ')} s += ${v(last)}; } return ${mean ? `s / ${plan.n}` : 's'}; }`;
  const back: string[] = [];
  const decl = plan.order.filter((x) => x.needsGrad && x !== last).map((x) => `let ${g(x)} = 0;`);
  for (let j = plan.order.length - 1; j >= 0; j--) {
    const x = plan.order[j]!;
    if (x.needsGrad && x.op !== Op.input && x.op !== Op.constant) back.push(...backwardStmts(x, v, g));
  }
  const stores: string[] = [];
  const totals: string[] = [];
  const after: string[] = [];
  plan.leaves.forEach((leaf, k) => {
    if (!leaf.needsGrad) return;
    hoisted.push(`const D${k} = D[${k}];`);
    if (leaf.rows * leaf.cols === 1) {
      totals.push(`let t${k} = 0;`);
      stores.push(`t${k} += ${g(leaf)};`);
      after.push(`D${k}[0] = t${k};`);
    } else stores.push(`D${k}[i] = ${g(leaf)};`);
  });
  const seed = `const ${g(last)} = ${mean ? `seed / ${plan.n}` : 'seed'};`;
  const grad = `grad(L, D, seed) { ${hoisted.join(' ')} ${totals.join(' ')} for (let i = 0; i < ${plan.n}; i++) { ${body.join(' ')} ${seed} ${decl.join(' ')} ${back.join(' ')} ${stores.join(' ')} } ${after.join(' ')} }`;
  return `'use strict'; return { ${value}, ${grad} };`;
}

function literal(c: number): string {
  return Object.is(c, -0) ? '-0' : `(${String(c)})`;
}

/** The forward expression of an element-wise node (as the tape's kernels compute it). */
function forwardExpr(x: Node, v: (n: Node) => string): string {
  const a = v(x.a!);
  const b = x.b === null ? '' : v(x.b);
  switch (x.op) {
    case Op.neg:
      return `-${a}`;
    case Op.square:
      return `${a} * ${a}`;
    case Op.pow:
      return `Math.pow(${a}, ${literal(x.k1)})`;
    case Op.exp:
      return `Math.exp(${a})`;
    case Op.log:
      return `Math.log(${a})`;
    case Op.log1p:
      return `Math.log1p(${a})`;
    case Op.sqrt:
      return `Math.sqrt(${a})`;
    case Op.abs:
      return `Math.abs(${a})`;
    case Op.tanh:
      return `Math.tanh(${a})`;
    case Op.sigmoid:
      return `sigmoid(${a})`;
    case Op.relu:
      return `(${a} > 0 ? ${a} : 0)`;
    case Op.softplus:
      return `(${a} > 0 ? ${a} : 0) + Math.log1p(Math.exp(-Math.abs(${a})))`;
    case Op.cosh:
      return `Math.cosh(${a})`;
    case Op.clip:
      return `(${a} < ${literal(x.k1)} ? ${literal(x.k1)} : ${a} > ${literal(x.k2)} ? ${literal(x.k2)} : ${a})`;
    case Op.add:
      return `${a} + ${b}`;
    case Op.sub:
      return `${a} - ${b}`;
    case Op.mul:
      return `${a} * ${b}`;
    case Op.div:
      return `${a} / ${b}`;
    case Op.maximum:
      return `(${a} >= ${b} ? ${a} : ${b})`;
    case Op.minimum:
      return `(${a} <= ${b} ? ${a} : ${b})`;
    case Op.greater:
      return `(${a} > ${b} ? 1 : 0)`;
    case Op.greaterEqual:
      return `(${a} >= ${b} ? 1 : 0)`;
    case Op.less:
      return `(${a} < ${b} ? 1 : 0)`;
    case Op.lessEqual:
      return `(${a} <= ${b} ? 1 : 0)`;
    case Op.equal:
      return `(${a} === ${b} ? 1 : 0)`;
    default:
      return `(${v(x.c!)} !== 0 ? ${a} : ${b})`;
  }
}

/** The gradient statements of an element-wise node (as the tape's kernels compute them). */
function backwardStmts(x: Node, v: (n: Node) => string, g: (n: Node) => string): string[] {
  const A = x.a!;
  const B = x.b;
  const a = v(A);
  const y = v(x);
  const gy = g(x);
  const toA = (e: string): string[] => (A.needsGrad ? [`${g(A)} += ${e};`] : []);
  const toB = (e: string): string[] => (B?.needsGrad ? [`${g(B)} += ${e};`] : []);
  const b = B === null ? '' : v(B);
  switch (x.op) {
    case Op.neg:
      return A.needsGrad ? [`${g(A)} -= ${gy};`] : [];
    case Op.square:
      return toA(`2 * ${a} * ${gy}`);
    case Op.pow:
      return x.k1 === 0 ? [] : toA(`${literal(x.k1)} * Math.pow(${a}, ${literal(x.k1 - 1)}) * ${gy}`);
    case Op.exp:
      return toA(`${y} * ${gy}`);
    case Op.log:
      return toA(`${gy} / ${a}`);
    case Op.log1p:
      return toA(`${gy} / (1 + ${a})`);
    case Op.sqrt:
      return toA(`${gy} / (2 * ${y})`);
    case Op.abs:
      return toA(`(${a} > 0 ? ${gy} : ${a} < 0 ? -${gy} : 0)`);
    case Op.tanh:
      return toA(`(1 - ${y} * ${y}) * ${gy}`);
    case Op.sigmoid:
      return toA(`${y} * (1 - ${y}) * ${gy}`);
    case Op.relu:
      return toA(`(${a} > 0 ? ${gy} : 0)`);
    case Op.softplus:
      return toA(`sigmoid(${a}) * ${gy}`);
    case Op.cosh:
      return toA(`Math.sinh(${a}) * ${gy}`);
    case Op.clip:
      return toA(`(${a} >= ${literal(x.k1)} && ${a} <= ${literal(x.k2)} ? ${gy} : 0)`);
    case Op.add:
      return [...toA(gy), ...toB(gy)];
    case Op.sub:
      return [...toA(gy), ...(B!.needsGrad ? [`${g(B!)} -= ${gy};`] : [])];
    case Op.mul:
      return [...toA(`${gy} * ${b}`), ...toB(`${gy} * ${a}`)];
    case Op.div:
      return [...toA(`${gy} / ${b}`), ...(B!.needsGrad ? [`${g(B!)} -= (${gy} * ${a}) / (${b} * ${b});`] : [])];
    case Op.maximum:
      return [`if (${a} >= ${b}) { ${toA(gy).join(' ')} } else { ${toB(gy).join(' ')} }`];
    case Op.minimum:
      return [`if (${a} <= ${b}) { ${toA(gy).join(' ')} } else { ${toB(gy).join(' ')} }`];
    case Op.where:
      return [`if (${v(x.c!)} !== 0) { ${toA(gy).join(' ')} } else { ${toB(gy).join(' ')} }`];
    default:
      return [];
  }
}

/** The logistic function, as the tape computes it. */
function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}
