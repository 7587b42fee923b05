/**
 * The nodes of an autodiff expression: each records its operation, its inputs and its static
 * shape (always two dimensions, row major: a scalar is `[1, 1]`, a row vector `[1, n]`). Buffers
 * are attached once, when the expression is compiled into a tape.
 */

/** Operation codes of the tape. */
export const Op = {
  input: 0,
  constant: 1,
  neg: 10,
  square: 11,
  pow: 12,
  exp: 13,
  log: 14,
  log1p: 15,
  sqrt: 16,
  abs: 17,
  tanh: 18,
  sigmoid: 19,
  relu: 20,
  softplus: 21,
  cosh: 22,
  clip: 23,
  add: 30,
  sub: 31,
  mul: 32,
  div: 33,
  maximum: 34,
  minimum: 35,
  greater: 40,
  greaterEqual: 41,
  less: 42,
  lessEqual: 43,
  equal: 44,
  where: 45,
  sum: 50,
  mean: 51,
  logSumExp: 52,
  softmax: 53,
  logSoftmax: 54,
  matmul: 60,
  transpose: 61,
  pick: 62,
} as const;

/** An expression of the op set: its static shape `[rows, cols]` (scalars are `[1, 1]`). */
export interface Tensor {
  readonly shape: readonly [number, number];
}

/** One node of an expression (internal: users see {@link Tensor}). */
export class Node implements Tensor {
  readonly shape: readonly [number, number];
  /** Value buffer: bound per call for inputs, allocated at compile time otherwise. */
  val: Float64Array;
  /** Gradient buffer (null when no gradient flows here). */
  grad: Float64Array | null = null;
  /** Whether a gradient flows back through this node. */
  needsGrad: boolean;
  /** Per input: whether the first gradient written to it may overwrite (set at compile time). */
  assignA = false;
  assignB = false;
  /** A buffer for a matmul gradient that must be added rather than written. */
  scratch: Float64Array | null = null;

  constructor(
    readonly op: number,
    readonly rows: number,
    readonly cols: number,
    readonly a: Node | null = null,
    readonly b: Node | null = null,
    readonly c: Node | null = null,
    /** Constants of the operation: exponent, clip bounds, axis (-1 for all). */
    readonly k1 = 0,
    readonly k2 = 0,
    needsGrad = false,
  ) {
    this.shape = [rows, cols];
    this.val = EMPTY;
    this.needsGrad = needsGrad;
  }
}

const EMPTY = new Float64Array(0);
