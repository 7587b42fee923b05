import { GradstreamError, describeTyped } from '../errors.js';
import type { Loss } from '../loss.js';
import type { LossObjectConfig } from '../config/lossConfig.js';
import { createGraph } from './graph.js';
import type { Node, Tensor } from './node.js';
import { fuseReduction, type FusedReduction } from './fuseReduction.js';
import { compileTape, type Tape } from './tape.js';
import type { TensorOps } from './tensorOps.js';

/**
 * A loss written as an expression: `pred` is `[rows, cols]`; `target` is `[rows, cols]`, or
 * `[rows, 1]` when the data has one class label per row. Returns a scalar (`[1, 1]`) tensor.
 */
export type LossExpression = (pred: Tensor, target: Tensor, T: TensorOps) => Tensor;

/** Options of {@link defineLoss}. */
export interface DefineLossOptions {
  /**
   * Where the loss is exported from (a module URL or path, and its export name), so that
   * `toConfig()` can name it (`{ type: 'module', module, export }`) for configs and checkpoints.
   */
  readonly module?: string | URL;
  readonly export?: string;
}

interface Compiled {
  readonly rows: number;
  readonly cols: number;
  readonly targetLength: number;
  readonly float32: boolean;
  readonly tape: Tape;
  /** The one-loop form of an element-wise loss (float64), or null: the tape runs. */
  readonly fused: FusedReduction | null;
  readonly pred: Node;
  readonly target: Node;
}

/**
 * Defines a loss by its formula; its gradient comes from reverse-mode automatic differentiation.
 * `fn` runs once per batch shape (and precision) to record the expression, which is compiled
 * into a tape with preallocated buffers and replayed on every call: no allocation per step. (A
 * float64 loss of the form `mean(f(pred, target))` or `sum(…)` with `f` element-wise runs as one
 * generated loop instead, computing the same numbers.)
 * The result works wherever a built-in loss does (`train`, `loss`, `gradient`, `prequential`,
 * validation).
 *
 * @example
 * import { defineLoss } from 'gradstream';
 * const logcosh = defineLoss('logcosh', (p, t, T) => T.mean(T.log(T.cosh(T.sub(p, t)))));
 * logcosh.value(new Float64Array([1, 2]), new Float64Array([0, 2]), 1, 2); // log(cosh 1) / 2
 */
export function defineLoss(name: string, fn: LossExpression, options: DefineLossOptions = {}): Loss {
  if (typeof name !== 'string' || name === '')
    throw new GradstreamError({
      code: 'invalid_config',
      path: 'defineLoss(name)',
      expected: 'a non-empty string',
      received: describeTyped(name),
    });
  if (typeof fn !== 'function')
    throw new GradstreamError({
      code: 'invalid_config',
      path: `defineLoss("${name}", fn)`,
      expected: 'a function (pred, target, T) => scalar tensor',
      received: describeTyped(fn),
    });
  const where = `defineLoss("${name}")`;
  const compiled: Compiled[] = [];
  let last: Compiled | undefined;
  const get = (pred: Readonly<Float64Array>, target: Readonly<Float64Array>, rows: number, cols: number): Compiled => {
    const f32 = pred instanceof Float32Array;
    const l = last;
    if (l !== undefined && l.rows === rows && l.cols === cols && l.targetLength === target.length && l.float32 === f32) return l;
    last =
      compiled.find((c) => c.rows === rows && c.cols === cols && c.targetLength === target.length && c.float32 === f32) ??
      record(where, fn, rows, cols, target.length, f32);
    if (!compiled.includes(last)) compiled.push(last);
    return last;
  };
  const loss: Loss = {
    name,
    value(pred, target, rows, cols) {
      const c = get(pred, target, rows, cols);
      c.pred.val = pred as Float64Array;
      c.target.val = target as Float64Array;
      if (c.fused !== null) return c.fused.value();
      c.tape.forward();
      return c.tape.output.val[0]!;
    },
    grad(out, pred, target, rows, cols) {
      const c = get(pred, target, rows, cols);
      c.pred.val = pred as Float64Array;
      c.pred.grad = out;
      c.target.val = target as Float64Array;
      if (c.fused !== null) {
        c.fused.grad(1);
        return out;
      }
      c.tape.forward();
      c.tape.zeroGrads();
      c.tape.output.grad![0] = 1;
      c.tape.backward();
      return out;
    },
  };
  const m = options.module;
  if (m === undefined) return loss;
  const config: LossObjectConfig = { type: 'module', module: typeof m === 'string' ? m : m.href, export: options.export ?? name };
  return { ...loss, toConfig: () => ({ ...config }) };
}

function record(where: string, fn: LossExpression, rows: number, cols: number, targetLength: number, float32: boolean): Compiled {
  if (targetLength !== rows * cols && targetLength !== rows) {
    throw new GradstreamError({
      code: 'invalid_shape',
      path: `${where}(target)`,
      expected: `${rows * cols} values (${rows} rows × ${cols} columns) or ${rows} labels (one per row)`,
      received: String(targetLength),
    });
  }
  const g = createGraph(where);
  const pred = g.input(rows, cols, true);
  const target = g.input(rows, targetLength === rows * cols ? cols : 1, false);
  const out = fn(pred, target, g.ops) as unknown;
  if (!g.nodes.includes(out as Node))
    throw new GradstreamError({
      code: 'invalid_value',
      path: `${where}: the expression's result`,
      expected: 'a tensor built with T',
      received: describeTyped(out),
    });
  const o = out as Node;
  if (o.rows !== 1 || o.cols !== 1)
    throw new GradstreamError({
      code: 'invalid_shape',
      path: `${where}: the expression's result`,
      expected: 'a scalar [1, 1] (reduce with T.mean or T.sum)',
      received: `[${o.rows}, ${o.cols}]`,
    });
  if (!o.needsGrad)
    throw new GradstreamError({
      code: 'invalid_value',
      path: `${where}: the expression's result`,
      expected: 'a value that depends on pred',
      received: 'a value without a gradient path to pred',
    });
  const tape = compileTape(g.nodes, o, float32, where);
  return { rows, cols, targetLength, float32, tape, fused: float32 ? null : fuseReduction(g.nodes, o), pred, target };
}
