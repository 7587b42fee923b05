import { GradstreamError, describeValue } from '../errors.js';
import { Node, Op } from './node.js';
import type { Operand, TensorOps } from './tensorOps.js';

/** An expression under construction: its nodes in creation (topological) order and its op set. */
export interface Graph {
  readonly nodes: Node[];
  readonly ops: TensorOps;
  /** A leaf bound per call: `needsGrad` says whether a gradient is wanted for it. */
  input(rows: number, cols: number, needsGrad: boolean): Node;
}

/** Starts an expression; `where` names the definition in errors (e.g. `defineLoss("logcosh")`). */
export function createGraph(where: string): Graph {
  const nodes: Node[] = [];
  const push = (n: Node): Node => {
    nodes.push(n);
    return n;
  };
  const node = (x: unknown, op: string, arg: string): Node => {
    if (x instanceof Node && nodes.includes(x)) return x;
    if (typeof x === 'number' && Number.isFinite(x)) return constant(push, x);
    throw new GradstreamError({
      code: 'invalid_value',
      path: `${where}: T.${op}(${arg})`,
      expected: 'a tensor of this expression (or a finite number)',
      received: x instanceof Node ? 'a tensor of another expression' : describeValue(x),
    });
  };
  const b: Builder = { where, push, node };
  const ops: TensorOps = { ...elementwiseOps(b), ...structureOps(b) };
  return { nodes, ops, input: (rows, cols, needsGrad) => push(new Node(Op.input, rows, cols, null, null, null, 0, 0, needsGrad)) };
}

/** What the operation factories share: the expression's name, `push` and operand checking. */
interface Builder {
  readonly where: string;
  push(n: Node): Node;
  node(x: unknown, op: string, arg: string): Node;
}

type ElementwiseOps = Omit<
  TensorOps,
  'sum' | 'mean' | 'logSumExp' | 'softmax' | 'logSoftmax' | 'matmul' | 'transpose' | 'pick' | 'constant'
>;

function elementwiseOps({ where, push, node }: Builder): ElementwiseOps {
  const unary = (op: number, name: string) => (x: Operand) => {
    const a = node(x, name, 'x');
    return push(new Node(op, a.rows, a.cols, a, null, null, 0, 0, a.needsGrad));
  };
  const binary =
    (op: number, name: string, diff = true) =>
    (x: Operand, y: Operand) => {
      const a = node(x, name, 'a');
      const b = node(y, name, 'b');
      const [r, c] = broadcast(where, name, a, b);
      return push(new Node(op, r, c, a, b, null, 0, 0, diff && (a.needsGrad || b.needsGrad)));
    };
  return {
    add: binary(Op.add, 'add'),
    sub: binary(Op.sub, 'sub'),
    mul: binary(Op.mul, 'mul'),
    div: binary(Op.div, 'div'),
    maximum: binary(Op.maximum, 'maximum'),
    minimum: binary(Op.minimum, 'minimum'),
    neg: unary(Op.neg, 'neg'),
    square: unary(Op.square, 'square'),
    pow: (x, p) => {
      const a = node(x, 'pow', 'x');
      return push(new Node(Op.pow, a.rows, a.cols, a, null, null, finite(where, 'pow', 'p', p), 0, a.needsGrad));
    },
    exp: unary(Op.exp, 'exp'),
    log: unary(Op.log, 'log'),
    log1p: unary(Op.log1p, 'log1p'),
    sqrt: unary(Op.sqrt, 'sqrt'),
    abs: unary(Op.abs, 'abs'),
    tanh: unary(Op.tanh, 'tanh'),
    sigmoid: unary(Op.sigmoid, 'sigmoid'),
    relu: unary(Op.relu, 'relu'),
    softplus: unary(Op.softplus, 'softplus'),
    cosh: unary(Op.cosh, 'cosh'),
    clip: (x, lo, hi) => {
      const a = node(x, 'clip', 'x');
      const l = finite(where, 'clip', 'lo', lo);
      const h = finite(where, 'clip', 'hi', hi);
      if (l > h)
        throw new GradstreamError({
          code: 'invalid_value',
          path: `${where}: T.clip(hi)`,
          expected: `a bound ≥ lo (${l})`,
          received: String(h),
        });
      return push(new Node(Op.clip, a.rows, a.cols, a, null, null, l, h, a.needsGrad));
    },
    greater: binary(Op.greater, 'greater', false),
    greaterEqual: binary(Op.greaterEqual, 'greaterEqual', false),
    less: binary(Op.less, 'less', false),
    lessEqual: binary(Op.lessEqual, 'lessEqual', false),
    equal: binary(Op.equal, 'equal', false),
    where: (cond, x, y) => {
      const c = node(cond, 'where', 'cond');
      const a = node(x, 'where', 'a');
      const b = node(y, 'where', 'b');
      const [r1, c1] = broadcast(where, 'where', a, b);
      const [r, cc] = broadcast(where, 'where', new Node(Op.constant, r1, c1), c);
      return push(new Node(Op.where, r, cc, a, b, c, 0, 0, a.needsGrad || b.needsGrad));
    },
  };
}

function structureOps({ where, push, node }: Builder): Omit<TensorOps, keyof ElementwiseOps> {
  const reduce = (op: number, name: string) => (x: Operand, axis?: 0 | 1) => {
    const a = node(x, name, 'x');
    const k = checkAxis(where, name, axis, -1);
    return push(new Node(op, k === 1 ? a.rows : 1, k === 0 ? a.cols : 1, a, null, null, k, 0, a.needsGrad));
  };
  const rowwise = (op: number, name: string) => (x: Operand, axis?: 0 | 1) => {
    const a = node(x, name, 'x');
    return push(new Node(op, a.rows, a.cols, a, null, null, checkAxis(where, name, axis, 1), 0, a.needsGrad));
  };
  return {
    constant: (values, shape) => constant(push, values, shape, where),
    sum: reduce(Op.sum, 'sum'),
    mean: reduce(Op.mean, 'mean'),
    logSumExp: reduce(Op.logSumExp, 'logSumExp'),
    softmax: rowwise(Op.softmax, 'softmax'),
    logSoftmax: rowwise(Op.logSoftmax, 'logSoftmax'),
    matmul: (x, y) => {
      const a = node(x, 'matmul', 'a');
      const b = node(y, 'matmul', 'b');
      if (a.cols !== b.rows) throw shapeError(where, 'matmul', `b with ${a.cols} rows (a is [${a.rows}, ${a.cols}])`, b);
      return push(new Node(Op.matmul, a.rows, b.cols, a, b, null, 0, 0, a.needsGrad || b.needsGrad));
    },
    transpose: (x) => {
      const a = node(x, 'transpose', 'x');
      return push(new Node(Op.transpose, a.cols, a.rows, a, null, null, 0, 0, a.needsGrad));
    },
    pick: (x, labels) => {
      const a = node(x, 'pick', 'x');
      const l = node(labels, 'pick', 'labels');
      if (l.cols !== 1 || l.rows !== a.rows) throw shapeError(where, 'pick', `labels of shape [${a.rows}, 1] (one class index per row)`, l);
      return push(new Node(Op.pick, a.rows, 1, a, l, null, 0, 0, a.needsGrad));
    },
  };
}

function constant(push: (n: Node) => Node, values: number | ArrayLike<number>, shape?: readonly [number, number], where = ''): Node {
  const [r, c] = shape ?? (typeof values === 'number' ? [1, 1] : [1, values.length]);
  const n = new Node(Op.constant, r, c);
  const data = typeof values === 'number' ? [values] : values;
  if (data.length !== r * c)
    throw new GradstreamError({
      code: 'invalid_shape',
      path: `${where}: T.constant(values)`,
      expected: `${r * c} values (shape [${r}, ${c}])`,
      received: String(data.length),
    });
  n.val = Float64Array.from(data);
  return push(n);
}

/** The broadcast shape of two operands: each dimension equal, or 1 on one side. */
export function broadcast(where: string, op: string, a: Node, b: Node): [number, number] {
  const r = a.rows === b.rows || b.rows === 1 ? a.rows : a.rows === 1 ? b.rows : -1;
  const c = a.cols === b.cols || b.cols === 1 ? a.cols : a.cols === 1 ? b.cols : -1;
  if (r < 0 || c < 0) throw shapeError(where, op, `shapes that broadcast with [${a.rows}, ${a.cols}]`, b);
  return [r, c];
}

function shapeError(where: string, op: string, expected: string, n: Node): GradstreamError {
  return new GradstreamError({ code: 'invalid_shape', path: `${where}: T.${op}`, expected, received: `[${n.rows}, ${n.cols}]` });
}

function checkAxis(where: string, op: string, axis: unknown, dflt: number): number {
  if (axis === undefined) return dflt;
  if (axis === 0 || axis === 1) return axis;
  throw new GradstreamError({
    code: 'invalid_value',
    path: `${where}: T.${op}(axis)`,
    expected: '0 (down the columns) or 1 (along the rows)',
    received: describeValue(axis),
  });
}

function finite(where: string, op: string, arg: string, v: unknown): number {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  throw new GradstreamError({
    code: 'invalid_value',
    path: `${where}: T.${op}(${arg})`,
    expected: 'a finite number',
    received: describeValue(v),
  });
}
