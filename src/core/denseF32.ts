import { GradstreamError } from './errors.js';
import type { Layer } from './layer.js';
import { matmulF32, matmulTransAF32, matmulTransBF32 } from './kernelsF32.js';
import type { Regularizer } from './regularizers/regularizer.js';

/**
 * The float32 form of a dense layer (`dense(…).float32()`, used by
 * `sequential(layers, { precision: 'float32' })`): the same parameters, initializers, penalty and
 * config as `layer`, with the forward and backward passes on `Float32Array` buffers and the
 * `f32x4` kernels (`matmulF32`, `matmulTransAF32`, `matmulTransBF32`). The bias row and the bias
 * gradient are summed in JavaScript, each result rounded to float32 when stored.
 */
export function denseF32(layer: Layer, bias: boolean, reg: Regularizer | undefined): Layer {
  const inputs = layer.inputs;
  const units = layer.outputs;
  const f32: Layer = {
    ...layer,
    forward(p, x, y, batch) {
      // A float32 form inside a float64 model (`sequential(float32Model.layers)`) would compute in float32 unseen.
      if (!((y as unknown) instanceof Float32Array)) throwFloat64(layer);
      const out = y as unknown as Float32Array;
      matmulF32(out, x as unknown as Float32Array, p[0]! as unknown as Float32Array, batch, inputs, units);
      if (bias) addBias32(out, p[1]! as unknown as Float32Array, batch, units);
    },
    backward(p, x, _y, dY, dX, g, batch) {
      const d = dY as unknown as Float32Array;
      const gW = g[0]! as unknown as Float32Array;
      const W = p[0]! as unknown as Float32Array;
      matmulTransAF32(gW, x as unknown as Float32Array, d, batch, inputs, units);
      if (reg !== undefined) reg.addGrad(g[0]!, p[0]!);
      if (bias) sumRows32(g[1]! as unknown as Float32Array, d, batch, units);
      if (dX !== null) matmulTransBF32(dX as unknown as Float32Array, d, W, batch, units, inputs);
    },
    float32: () => f32,
  };
  return f32;
}

function throwFloat64(layer: Layer): never {
  throw new GradstreamError({
    code: 'invalid_value',
    path: `dense(${layer.inputs}→${layer.outputs}).float32()`,
    expected: "Float32Array buffers (a model made with precision 'float32')",
    received: 'Float64Array buffers (a float64 model)',
  });
}

function addBias32(out: Float32Array, b: Float32Array, rows: number, cols: number): void {
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    for (let c = 0; c < cols; c++) out[o + c]! += b[c]!;
  }
}

function sumRows32(out: Float32Array, a: Float32Array, rows: number, cols: number): void {
  out.fill(0, 0, cols);
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    for (let c = 0; c < cols; c++) out[c]! += a[o + c]!;
  }
}
