import { type Node, Op } from './node.js';

/** `y = f(x)` element-wise for the unary operations. */
export function unaryForward(n: Node): void {
  const x = n.a!.val;
  const y = n.val;
  const len = y.length;
  switch (n.op) {
    case Op.neg:
      for (let i = 0; i < len; i++) y[i] = -x[i]!;
      break;
    case Op.square:
      for (let i = 0; i < len; i++) {
        const v = x[i]!;
        y[i] = v * v;
      }
      break;
    case Op.pow: {
      const p = n.k1;
      for (let i = 0; i < len; i++) y[i] = x[i]! ** p;
      break;
    }
    case Op.exp:
      for (let i = 0; i < len; i++) y[i] = Math.exp(x[i]!);
      break;
    case Op.log:
      for (let i = 0; i < len; i++) y[i] = Math.log(x[i]!);
      break;
    case Op.log1p:
      for (let i = 0; i < len; i++) y[i] = Math.log1p(x[i]!);
      break;
    case Op.sqrt:
      for (let i = 0; i < len; i++) y[i] = Math.sqrt(x[i]!);
      break;
    case Op.abs:
      for (let i = 0; i < len; i++) y[i] = Math.abs(x[i]!);
      break;
    case Op.tanh:
      for (let i = 0; i < len; i++) y[i] = Math.tanh(x[i]!);
      break;
    case Op.sigmoid:
      for (let i = 0; i < len; i++) y[i] = sigmoid(x[i]!);
      break;
    case Op.relu:
      for (let i = 0; i < len; i++) {
        const v = x[i]!;
        y[i] = v > 0 ? v : 0;
      }
      break;
    case Op.softplus:
      for (let i = 0; i < len; i++) {
        const v = x[i]!;
        y[i] = (v > 0 ? v : 0) + Math.log1p(Math.exp(-Math.abs(v)));
      }
      break;
    case Op.cosh:
      for (let i = 0; i < len; i++) y[i] = Math.cosh(x[i]!);
      break;
    case Op.clip: {
      const lo = n.k1;
      const hi = n.k2;
      for (let i = 0; i < len; i++) {
        const v = x[i]!;
        y[i] = v < lo ? lo : v > hi ? hi : v;
      }
      break;
    }
  }
}

/** `∂x += ∂y · f'(x)` for the unary operations (TensorFlow's choices at kinks). */
export function unaryBackward(n: Node): void {
  const x = n.a!.val;
  const y = n.val;
  const g = n.grad!;
  const d = n.a!.grad!;
  const len = y.length;
  switch (n.op) {
    case Op.neg:
      for (let i = 0; i < len; i++) d[i]! -= g[i]!;
      break;
    case Op.square:
      for (let i = 0; i < len; i++) d[i]! += 2 * x[i]! * g[i]!;
      break;
    case Op.pow: {
      const p = n.k1;
      for (let i = 0; i < len; i++) d[i]! += p === 0 ? 0 : p * x[i]! ** (p - 1) * g[i]!;
      break;
    }
    case Op.exp:
      for (let i = 0; i < len; i++) d[i]! += y[i]! * g[i]!;
      break;
    case Op.log:
      for (let i = 0; i < len; i++) d[i]! += g[i]! / x[i]!;
      break;
    case Op.log1p:
      for (let i = 0; i < len; i++) d[i]! += g[i]! / (1 + x[i]!);
      break;
    case Op.sqrt:
      for (let i = 0; i < len; i++) d[i]! += g[i]! / (2 * y[i]!);
      break;
    case Op.abs:
      for (let i = 0; i < len; i++) {
        const v = x[i]!;
        d[i]! += v > 0 ? g[i]! : v < 0 ? -g[i]! : 0;
      }
      break;
    case Op.tanh:
      for (let i = 0; i < len; i++) {
        const t = y[i]!;
        d[i]! += (1 - t * t) * g[i]!;
      }
      break;
    case Op.sigmoid:
      for (let i = 0; i < len; i++) {
        const s = y[i]!;
        d[i]! += s * (1 - s) * g[i]!;
      }
      break;
    case Op.relu:
      for (let i = 0; i < len; i++) if (x[i]! > 0) d[i]! += g[i]!;
      break;
    case Op.softplus:
      for (let i = 0; i < len; i++) d[i]! += sigmoid(x[i]!) * g[i]!;
      break;
    case Op.cosh:
      for (let i = 0; i < len; i++) d[i]! += Math.sinh(x[i]!) * g[i]!;
      break;
    case Op.clip: {
      const lo = n.k1;
      const hi = n.k2;
      for (let i = 0; i < len; i++) {
        const v = x[i]!;
        if (v >= lo && v <= hi) d[i]! += g[i]!;
      }
      break;
    }
  }
}

/** The logistic function, without overflow for large |x|. */
function sigmoid(v: number): number {
  if (v >= 0) return 1 / (1 + Math.exp(-v));
  const e = Math.exp(v);
  return e / (1 + e);
}
