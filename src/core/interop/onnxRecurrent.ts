import type { OnnxEmitter } from './layerCodec.js';

/** A recurrent layer in Keras' layout, as {@link onnxRecurrent} exports it. */
export interface OnnxRecurrentLayer {
  /** The ONNX operator: `LSTM` or `GRU`. */
  readonly op: 'LSTM' | 'GRU';
  readonly units: number;
  readonly timesteps: number;
  readonly features: number;
  readonly returnSequences: boolean;
  /** The input kernel `[features, gates·units]`, gates side by side in Keras' order. */
  readonly kernel: ArrayLike<number>;
  /** The recurrent kernel `[units, gates·units]`. */
  readonly recurrent: ArrayLike<number>;
  /** The input bias `[gates·units]`. */
  readonly bias: ArrayLike<number>;
  /** The recurrent bias `[gates·units]` (GRU with the reset gate after the product), or none (zeros). */
  readonly recurrentBias?: ArrayLike<number> | undefined;
  /** For each ONNX gate, the Keras gate it is (LSTM: ONNX i, o, f, c from Keras i, f, c, o = [0, 3, 1, 2]). */
  readonly order: readonly number[];
  readonly attributes: readonly { readonly name: string; readonly int: number }[];
}

/**
 * Emits a recurrent layer as its ONNX operator (layout 0, forward): the flat rows `x` `[N, T·F]`
 * become `[T, N, F]` (Reshape, Transpose), the operator runs with `W` `[1, G·U, F]`, `R` `[1,
 * G·U, U]` (Keras' kernels transposed, gates in ONNX's order) and `B` `[1, 2·G·U]` (input bias,
 * then recurrent bias); its last state `Y_h` `[1, N, U]`, or with `returnSequences` every state
 * `Y` `[T, 1, N, U]` (Transpose to `[N, T, 1, U]`), becomes rows again. Returns the rows' name.
 */
export function onnxRecurrent(onnx: OnnxEmitter, x: string, l: OnnxRecurrentLayer): string {
  const { units: U, timesteps: T, features: F } = l;
  const G = l.order.length;
  const W = onnx.constant('W', [1, G * U, F], onnxGates(l.kernel, F, U, l.order));
  const R = onnx.constant('R', [1, G * U, U], onnxGates(l.recurrent, U, U, l.order));
  const b = new Float64Array(2 * G * U);
  for (let g = 0; g < G; g++) {
    for (let j = 0; j < U; j++) {
      b[g * U + j] = l.bias[l.order[g]! * U + j]!;
      if (l.recurrentBias !== undefined) b[(G + g) * U + j] = l.recurrentBias[l.order[g]! * U + j]!;
    }
  }
  const B = onnx.constant('B', [1, 2 * G * U], b);
  const steps = onnx.node('Reshape', [x, onnx.int64Constant('steps', [3], [-1, T, F])]);
  const seq = onnx.node('Transpose', [steps], [{ name: 'perm', ints: [1, 0, 2] }]);
  const attributes = [{ name: 'hidden_size', int: U }, ...l.attributes];
  if (!l.returnSequences) {
    const last = onnx.node(l.op, [seq, W, R, B], attributes, 1);
    return onnx.node('Reshape', [last, onnx.int64Constant('rows', [2], [-1, U])]);
  }
  const all = onnx.node(l.op, [seq, W, R, B], attributes);
  const byRow = onnx.node('Transpose', [all], [{ name: 'perm', ints: [2, 0, 1, 3] }]);
  return onnx.node('Reshape', [byRow, onnx.int64Constant('rows', [2], [-1, T * U])]);
}

/** Keras' `[rows, G·U]` kernel as ONNX's `[G·U, rows]`, ONNX gate `g` taken from Keras gate `order[g]`. */
function onnxGates(kernel: ArrayLike<number>, rows: number, U: number, order: readonly number[]): Float64Array {
  const G = order.length;
  const out = new Float64Array(G * U * rows);
  for (let g = 0; g < G; g++) {
    const from = order[g]! * U;
    for (let j = 0; j < U; j++) {
      for (let r = 0; r < rows; r++) out[(g * U + j) * rows + r] = kernel[r * G * U + from + j]!;
    }
  }
  return out;
}
