import { type Node, Op } from './node.js';

// An operand's strides in the broadcast output: 0 along a dimension of size 1.
function rowStride(x: Node, rows: number): number {
  return x.rows === 1 && rows !== 1 ? 0 : x.cols;
}
function colStride(x: Node, cols: number): number {
  return x.cols === 1 && cols !== 1 ? 0 : 1;
}

function apply(op: number, u: number, v: number): number {
  switch (op) {
    case Op.add:
      return u + v;
    case Op.sub:
      return u - v;
    case Op.mul:
      return u * v;
    case Op.div:
      return u / v;
    case Op.maximum:
      return u >= v ? u : v;
    case Op.minimum:
      return u <= v ? u : v;
    case Op.greater:
      return u > v ? 1 : 0;
    case Op.greaterEqual:
      return u >= v ? 1 : 0;
    case Op.less:
      return u < v ? 1 : 0;
    case Op.lessEqual:
      return u <= v ? 1 : 0;
    default:
      return u === v ? 1 : 0;
  }
}

/** `y = a ∘ b` element-wise with broadcasting, for the binary operations and comparisons. */
export function binaryForward(n: Node): void {
  const a = n.a!;
  const b = n.b!;
  const y = n.val;
  const op = n.op;
  const A = a.val;
  const B = b.val;
  if (a.val.length === y.length && b.val.length === y.length) {
    // the common case: same shapes; the switch outside the loop
    const len = y.length;
    if (op === Op.add) for (let i = 0; i < len; i++) y[i] = A[i]! + B[i]!;
    else if (op === Op.sub) for (let i = 0; i < len; i++) y[i] = A[i]! - B[i]!;
    else if (op === Op.mul) for (let i = 0; i < len; i++) y[i] = A[i]! * B[i]!;
    else for (let i = 0; i < len; i++) y[i] = apply(op, A[i]!, B[i]!);
    return;
  }
  const rows = n.rows;
  const cols = n.cols;
  const ar = rowStride(a, rows);
  const ac = colStride(a, cols);
  const br = rowStride(b, rows);
  const bc = colStride(b, cols);
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    for (let c = 0; c < cols; c++) y[o + c] = apply(op, A[r * ar + c * ac]!, B[r * br + c * bc]!);
  }
}

/** Adds `∂y · ∂(a ∘ b)/∂a` into `a.grad` and the same for `b` (summed over broadcast dimensions). */
export function binaryBackward(n: Node): void {
  const a = n.a!;
  const b = n.b!;
  const rows = n.rows;
  const cols = n.cols;
  const g = n.grad!;
  const A = a.val;
  const B = b.val;
  const da = a.needsGrad ? a.grad : null;
  const db = b.needsGrad ? b.grad : null;
  const ar = rowStride(a, rows);
  const ac = colStride(a, cols);
  const br = rowStride(b, rows);
  const bc = colStride(b, cols);
  const op = n.op;
  if (A.length === g.length && B.length === g.length && op <= Op.mul) {
    sameShapeBackward(op, g, A, B, da, db);
    return;
  }
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const gi = g[r * cols + c]!;
      const ia = r * ar + c * ac;
      const ib = r * br + c * bc;
      const u = A[ia]!;
      const v = B[ib]!;
      switch (op) {
        case Op.add:
          if (da) da[ia]! += gi;
          if (db) db[ib]! += gi;
          break;
        case Op.sub:
          if (da) da[ia]! += gi;
          if (db) db[ib]! -= gi;
          break;
        case Op.mul:
          if (da) da[ia]! += gi * v;
          if (db) db[ib]! += gi * u;
          break;
        case Op.div:
          if (da) da[ia]! += gi / v;
          if (db) db[ib]! -= (gi * u) / (v * v);
          break;
        case Op.maximum:
          if (u >= v) {
            if (da) da[ia]! += gi;
          } else if (db) db[ib]! += gi;
          break;
        case Op.minimum:
          if (u <= v) {
            if (da) da[ia]! += gi;
          } else if (db) db[ib]! += gi;
          break;
      }
    }
  }
}

/** `y = cond ≠ 0 ? a : b` with broadcasting. */
export function whereForward(n: Node): void {
  const a = n.a!;
  const b = n.b!;
  const k = n.c!;
  const rows = n.rows;
  const cols = n.cols;
  const y = n.val;
  const ar = rowStride(a, rows);
  const ac = colStride(a, cols);
  const br = rowStride(b, rows);
  const bc = colStride(b, cols);
  const kr = rowStride(k, rows);
  const kc = colStride(k, cols);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) y[r * cols + c] = k.val[r * kr + c * kc] !== 0 ? a.val[r * ar + c * ac]! : b.val[r * br + c * bc]!;
  }
}

/** Routes `∂y` to `a` where `cond ≠ 0`, else to `b`. */
export function whereBackward(n: Node): void {
  const a = n.a!;
  const b = n.b!;
  const k = n.c!;
  const rows = n.rows;
  const cols = n.cols;
  const g = n.grad!;
  const da = a.needsGrad ? a.grad : null;
  const db = b.needsGrad ? b.grad : null;
  const ar = rowStride(a, rows);
  const ac = colStride(a, cols);
  const br = rowStride(b, rows);
  const bc = colStride(b, cols);
  const kr = rowStride(k, rows);
  const kc = colStride(k, cols);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      if (k.val[r * kr + c * kc] !== 0) {
        if (da) da[r * ar + c * ac]! += g[r * cols + c]!;
      } else if (db) db[r * br + c * bc]! += g[r * cols + c]!;
    }
  }
}

// add, sub, mul on operands of the output's shape: one flat loop per gradient
function sameShapeBackward(
  op: number,
  g: Float64Array,
  A: Float64Array,
  B: Float64Array,
  da: Float64Array | null,
  db: Float64Array | null,
): void {
  const len = g.length;
  if (da !== null) {
    if (op === Op.mul) for (let i = 0; i < len; i++) da[i]! += g[i]! * B[i]!;
    else for (let i = 0; i < len; i++) da[i]! += g[i]!;
  }
  if (db !== null) {
    if (op === Op.mul) for (let i = 0; i < len; i++) db[i]! += g[i]! * A[i]!;
    else if (op === Op.sub) for (let i = 0; i < len; i++) db[i]! -= g[i]!;
    else for (let i = 0; i < len; i++) db[i]! += g[i]!;
  }
}
