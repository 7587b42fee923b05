import { axisBackward, axisForward } from './axisKernels.js';
import { binaryBackward, binaryForward, whereBackward, whereForward } from './binaryKernels.js';
import { matmulBackward, matmulForward, pickBackward, pickForward, transposeBackward, transposeForward } from './matrixKernels.js';
import { type Node, Op } from './node.js';
import { unaryBackward, unaryForward } from './unaryKernels.js';

/**
 * A compiled expression: its nodes in evaluation order with their buffers allocated once. Bind
 * the inputs' `val` (and `grad` where a gradient is wanted), then `forward()`, then seed the
 * output's gradient and `backward()`. Nothing is allocated per call.
 */
export interface Tape {
  readonly output: Node;
  forward(): void;
  /** Zeroes the gradients to accumulate into, except the output's (seed it after this). */
  zeroGrads(): void;
  /** Propagates the output's gradient to every input that wants one. */
  backward(): void;
}

/**
 * Compiles the expression of `output` over `nodes` (creation order), allocating values and
 * gradients in the precision of `float32`. Inputs must be bound before each pass; an input that
 * wants a gradient must have its `grad` bound too.
 */
export function compileTape(nodes: readonly Node[], output: Node, float32: boolean, where: string): Tape {
  const alloc = (n: number): Float64Array => (float32 ? (new Float32Array(n) as unknown as Float64Array) : new Float64Array(n));
  const live = reachable(nodes, output);
  const steps = live.filter((n) => n.op !== Op.input && n.op !== Op.constant);
  for (const n of live) {
    if (n.op === Op.constant && float32 && !(n.val instanceof Float32Array)) n.val = Float32Array.from(n.val) as unknown as Float64Array;
    if (n.op === Op.input || n.op === Op.constant) continue;
    n.val = alloc(n.rows * n.cols);
    if (n.needsGrad) n.grad = alloc(n.rows * n.cols);
  }
  const back = steps.filter((n) => n.needsGrad).reverse();
  const zero = planWrites(back, nodes, output, alloc);
  const inputsToZero = nodes.filter((n) => n.op === Op.input && n.needsGrad && zero.has(n));
  const internalToZero = live.filter((n) => n.op !== Op.input && n !== output && n.grad !== null && zero.has(n));
  return {
    output,
    forward() {
      for (let i = 0; i < steps.length; i++) forwardStep(steps[i]!, where);
    },
    zeroGrads() {
      for (let i = 0; i < inputsToZero.length; i++) inputsToZero[i]!.grad!.fill(0);
      for (let i = 0; i < internalToZero.length; i++) internalToZero[i]!.grad!.fill(0);
    },
    backward() {
      for (let i = 0; i < back.length; i++) backwardStep(back[i]!);
    },
  };
}

/** The nodes `output` depends on, in creation order. */
function reachable(nodes: readonly Node[], output: Node): Node[] {
  const seen = new Set<Node>([output]);
  for (let i = nodes.length - 1; i >= 0; i--) {
    const n = nodes[i]!;
    if (!seen.has(n)) continue;
    if (n.a !== null) seen.add(n.a);
    if (n.b !== null) seen.add(n.b);
    if (n.c !== null) seen.add(n.c);
  }
  return nodes.filter((n) => seen.has(n));
}

/**
 * Decides, in backward order, which gradient writes may overwrite (a matmul writing a gradient
 * first) and returns the nodes whose gradients must be zeroed before accumulating.
 */
function planWrites(back: readonly Node[], nodes: readonly Node[], output: Node, alloc: (n: number) => Float64Array): Set<Node> {
  const written = new Set<Node>([output]);
  const zero = new Set<Node>();
  const touch = (x: Node | null, assignable: boolean): boolean => {
    if (x === null || !x.needsGrad || written.has(x)) return false;
    written.add(x);
    if (!assignable) zero.add(x);
    return assignable;
  };
  for (const n of back) {
    const mm = n.op === Op.matmul;
    n.assignA = touch(n.a, mm);
    // the same tensor twice (`matmul(x, x)`): the second write adds
    n.assignB = n.b === n.a || n.op === Op.pick ? false : touch(n.b, mm);
    if (mm && ((n.a!.needsGrad && !n.assignA) || (n.b!.needsGrad && !n.assignB)))
      n.scratch = alloc(Math.max(n.a!.rows * n.a!.cols, n.b!.rows * n.b!.cols));
  }
  // inputs no operation writes a gradient to (unused parameters) still get zeros
  for (const n of nodes) if (n.op === Op.input && n.needsGrad && !written.has(n)) zero.add(n);
  return zero;
}

function forwardStep(n: Node, where: string): void {
  const op = n.op;
  if (op < Op.add) unaryForward(n);
  else if (op < Op.where) binaryForward(n);
  else if (op === Op.where) whereForward(n);
  else if (op < Op.matmul) axisForward(n);
  else if (op === Op.matmul) matmulForward(n);
  else if (op === Op.transpose) transposeForward(n);
  else pickForward(n, where);
}

function backwardStep(n: Node): void {
  const op = n.op;
  if (op < Op.add) unaryBackward(n);
  else if (op < Op.greater) binaryBackward(n);
  else if (op === Op.where) whereBackward(n);
  else if (op < Op.matmul) axisBackward(n);
  else if (op === Op.matmul) matmulBackward(n);
  else if (op === Op.transpose) transposeBackward(n);
  else pickBackward(n);
}
