import { GradstreamError, describeValue } from '../errors.js';
import { matmul, matmulTransA, matmulTransB } from '../kernels.js';
import { matmulF32, matmulTransAF32, matmulTransBF32 } from '../kernelsF32.js';
import type { Node } from './node.js';

/** `y = a · b`, with the float32 kernels on float32 buffers. */
export function matmulForward(n: Node): void {
  const a = n.a!;
  const b = n.b!;
  if (n.val instanceof Float32Array)
    matmulF32(n.val, a.val as unknown as Float32Array, b.val as unknown as Float32Array, a.rows, a.cols, b.cols);
  else matmul(n.val, a.val, b.val, a.rows, a.cols, b.cols);
}

/** `∂a (+)= ∂y · bᵀ`, `∂b (+)= aᵀ · ∂y`: written in place when first, else through `scratch`. */
export function matmulBackward(n: Node): void {
  const a = n.a!;
  const b = n.b!;
  const g = n.grad!;
  const f32 = g instanceof Float32Array;
  if (a.needsGrad) {
    const out = n.assignA ? a.grad! : n.scratch!;
    if (f32) matmulTransBF32(out as unknown as Float32Array, g, b.val as unknown as Float32Array, a.rows, b.cols, a.cols);
    else matmulTransB(out, g, b.val, a.rows, b.cols, a.cols);
    if (!n.assignA) addInto(a.grad!, out);
  }
  if (b.needsGrad) {
    const out = n.assignB ? b.grad! : n.scratch!;
    if (f32) matmulTransAF32(out as unknown as Float32Array, a.val as unknown as Float32Array, g, a.rows, a.cols, b.cols);
    else matmulTransA(out, a.val, g, a.rows, a.cols, b.cols);
    if (!n.assignB) addInto(b.grad!, out);
  }
}

function addInto(d: Float64Array, s: Float64Array): void {
  const len = d.length;
  for (let i = 0; i < len; i++) d[i]! += s[i]!;
}

export function transposeForward(n: Node): void {
  const x = n.a!.val;
  const y = n.val;
  const R = n.a!.rows;
  const C = n.a!.cols;
  for (let r = 0; r < R; r++) for (let c = 0; c < C; c++) y[c * R + r] = x[r * C + c]!;
}

export function transposeBackward(n: Node): void {
  const d = n.a!.grad!;
  const g = n.grad!;
  const R = n.a!.rows;
  const C = n.a!.cols;
  for (let r = 0; r < R; r++) for (let c = 0; c < C; c++) d[r * C + c]! += g[c * R + r]!;
}

/** `y[r] = x[r, labels[r]]`; errors when a label is not a class index. */
export function pickForward(n: Node, where: string): void {
  const x = n.a!.val;
  const labels = n.b!.val;
  const y = n.val;
  const C = n.a!.cols;
  for (let r = 0; r < n.rows; r++) {
    const l = labels[r]!;
    if (!(Number.isInteger(l) && l >= 0 && l < C)) {
      throw new GradstreamError({
        code: 'invalid_value',
        path: `${where}: T.pick(labels)[${r}]`,
        expected: `a class label, an integer in [0, ${C})`,
        received: describeValue(l),
      });
    }
    y[r] = x[r * C + l]!;
  }
}

export function pickBackward(n: Node): void {
  const d = n.a!.grad!;
  const labels = n.b!.val;
  const g = n.grad!;
  const C = n.a!.cols;
  for (let r = 0; r < n.rows; r++) d[r * C + labels[r]!]! += g[r]!;
}
