import type { Tensor } from './node.js';

/** A tensor or a number (a scalar constant) as an operand. */
export type Operand = Tensor | number;

/**
 * The operations of an autodiff expression (the `T` handed to `defineLoss` and `defineLayer`).
 * Every tensor has two dimensions `[rows, cols]`, row major; a scalar is `[1, 1]`, a
 * one-dimensional parameter of `n` values is the row vector `[1, n]`. Element-wise operations
 * broadcast a dimension of size 1 against any size (scalars, row vectors `[1, n]`, column
 * vectors `[n, 1]`). Reductions along an axis keep that axis with size 1 (Keras' `keepdims`), so
 * their result broadcasts back: `T.sub(x, T.logSumExp(x, 1))` is a row-wise log-softmax.
 *
 * Gradients at non-smooth points follow TensorFlow: `relu'(0) = 0`, `abs'(0) = 0`,
 * `maximum(a, b)` sends the gradient to `a` where `a ≥ b` (ties to the first operand),
 * `minimum(a, b)` to `a` where `a ≤ b`, `clip(x, lo, hi)` passes it where `lo ≤ x ≤ hi`
 * (bounds included), and comparisons have no gradient (`where` routes it to the branch taken).
 */
export interface TensorOps {
  /** A constant: a number (scalar), or `values` with `shape` (row major). */
  constant(values: number | ArrayLike<number>, shape?: readonly [number, number]): Tensor;
  add(a: Operand, b: Operand): Tensor;
  sub(a: Operand, b: Operand): Tensor;
  mul(a: Operand, b: Operand): Tensor;
  div(a: Operand, b: Operand): Tensor;
  /** Element-wise maximum (gradient to `a` where `a ≥ b`). */
  maximum(a: Operand, b: Operand): Tensor;
  /** Element-wise minimum (gradient to `a` where `a ≤ b`). */
  minimum(a: Operand, b: Operand): Tensor;
  neg(x: Tensor): Tensor;
  square(x: Tensor): Tensor;
  /** `x^p` for a constant exponent `p`. */
  pow(x: Tensor, p: number): Tensor;
  exp(x: Tensor): Tensor;
  log(x: Tensor): Tensor;
  /** `log(1 + x)`, precise for small `x`. */
  log1p(x: Tensor): Tensor;
  sqrt(x: Tensor): Tensor;
  abs(x: Tensor): Tensor;
  tanh(x: Tensor): Tensor;
  sigmoid(x: Tensor): Tensor;
  relu(x: Tensor): Tensor;
  /** `log(1 + eˣ)`, computed without overflow. */
  softplus(x: Tensor): Tensor;
  cosh(x: Tensor): Tensor;
  /** `x` limited to `[lo, hi]`. */
  clip(x: Tensor, lo: number, hi: number): Tensor;
  /** 1 where `a > b`, else 0 (no gradient). */
  greater(a: Operand, b: Operand): Tensor;
  greaterEqual(a: Operand, b: Operand): Tensor;
  less(a: Operand, b: Operand): Tensor;
  lessEqual(a: Operand, b: Operand): Tensor;
  equal(a: Operand, b: Operand): Tensor;
  /** `a` where `cond` is not 0, else `b` (broadcast); the gradient follows the branch taken. */
  where(cond: Tensor, a: Operand, b: Operand): Tensor;
  /** The sum of every element (a scalar), or along `axis` 0 (→ `[1, cols]`) or 1 (→ `[rows, 1]`). */
  sum(x: Tensor, axis?: 0 | 1): Tensor;
  /** The mean of every element, or along `axis` (as {@link TensorOps.sum}). */
  mean(x: Tensor, axis?: 0 | 1): Tensor;
  /** `log Σ exp(x)` over every element or along `axis`, with the maximum subtracted first. */
  logSumExp(x: Tensor, axis?: 0 | 1): Tensor;
  /** Softmax along `axis` (default 1: each row). */
  softmax(x: Tensor, axis?: 0 | 1): Tensor;
  /** `x − logSumExp(x, axis)` along `axis` (default 1), finite for logits of any size. */
  logSoftmax(x: Tensor, axis?: 0 | 1): Tensor;
  /** The matrix product of `[m, k]` and `[k, n]`. */
  matmul(a: Tensor, b: Tensor): Tensor;
  transpose(x: Tensor): Tensor;
  /** `x[r, labels[r]]` for each row: `[rows, 1]`; `labels` holds one class index per row (no gradient). */
  pick(x: Tensor, labels: Tensor): Tensor;
}
