/**
 * A plain float32 training loop for dense networks (bias, optional ReLU; MSE or softmax
 * cross-entropy on class indices; Adam), on the library's float32 kernels (`matmulF32`, …): what
 * the opt-in float32 precision computes per step, measured before it is wired through params,
 * layers, losses and optimizers. Parameters, activations, gradients and Adam moments are
 * `Float32Array`s; Adam runs fused with the update on the `f32x4` kernel (adamApplyWasm32), the
 * small element-wise parts in JavaScript (float64 arithmetic, rounded when stored).
 */
import { matmulF32, matmulTransAF32, matmulTransBF32 } from '../src/kernels.js';
import { adamApplyWasm32 } from '../src/core/wasm/wasmKernels.js';

export interface F32Layer {
  readonly W: Float64Array;
  readonly b: Float64Array;
  readonly inputs: number;
  readonly units: number;
  readonly relu: boolean;
}

export interface F32Spec {
  readonly layers: readonly F32Layer[];
  readonly loss: 'mse' | 'softmaxCrossEntropy';
  readonly lr: number;
  /** Inputs (float32) and targets (MSE) or class indices, row major. */
  readonly x: Float32Array;
  readonly y: Float64Array;
  readonly rows: number;
  readonly batch: number;
  /** Records to emit: updates + 1 (the last record is not followed by an update, as in the loop). */
  readonly records: number;
}

/** Trains and returns the last loss; every loss into `losses` when given. */
export function plainF32(spec: F32Spec, losses?: number[]): number {
  const { layers, batch: B } = spec;
  const L = layers.length;
  const outCols = layers[L - 1]!.units;
  const params = layers.flatMap((l) => [Float32Array.from(l.W), Float32Array.from(l.b)]);
  const grads = params.map((p) => new Float32Array(p.length));
  const mu = params.map((p) => new Float32Array(p.length));
  const nu = params.map((p) => new Float32Array(p.length));
  const acts: Float32Array[] = [new Float32Array(0), ...layers.map((l) => new Float32Array(B * l.units))];
  const deltas = layers.map((l) => new Float32Array(B * l.units));
  const batches = Math.floor(spec.rows / B);
  const inCols = layers[0]!.inputs;
  const b1 = 0.9,
    b2 = 0.999,
    eps = 1e-7;
  let last = Number.NaN;
  for (let s = 0; s < spec.records; s++) {
    const bi = (s === spec.records - 1 && s > 0 ? s - 1 : s) % batches; // the final record reuses the last batch
    const x = spec.x.subarray(bi * B * inCols, (bi + 1) * B * inCols);
    acts[0] = x;
    for (let l = 0; l < L; l++) {
      const { inputs, units, relu } = layers[l]!;
      const out = acts[l + 1]!;
      matmulF32(out, acts[l]!, params[2 * l]!, B, inputs, units);
      const bias = params[2 * l + 1]!;
      for (let r = 0; r < B; r++) {
        for (let c = 0; c < units; c++) {
          const v = out[r * units + c]! + bias[c]!;
          out[r * units + c] = relu && v < 0 ? 0 : v;
        }
      }
    }
    const o = acts[L]!;
    const d = deltas[L - 1]!;
    let loss = 0;
    if (spec.loss === 'mse') {
      const t0 = bi * B * outCols;
      const n = B * outCols;
      for (let i = 0; i < n; i++) {
        const e = o[i]! - spec.y[t0 + i]!;
        loss += e * e;
        d[i] = (2 / n) * e;
      }
      loss /= n;
    } else {
      for (let r = 0; r < B; r++) {
        const label = spec.y[bi * B + r]!;
        let max = -Infinity;
        for (let c = 0; c < outCols; c++) max = Math.max(max, o[r * outCols + c]!);
        let sum = 0;
        for (let c = 0; c < outCols; c++) sum += Math.exp(o[r * outCols + c]! - max);
        loss += Math.log(sum) + max - o[r * outCols + label]!;
        for (let c = 0; c < outCols; c++) d[r * outCols + c] = (Math.exp(o[r * outCols + c]! - max) / sum - (c === label ? 1 : 0)) / B;
      }
      loss /= B;
    }
    last = loss;
    losses?.push(loss);
    for (let l = L - 1; l >= 0; l--) {
      const { inputs, units } = layers[l]!;
      const dl = deltas[l]!;
      matmulTransAF32(grads[2 * l]!, acts[l]!, dl, B, inputs, units);
      const gb = grads[2 * l + 1]!;
      gb.fill(0);
      for (let r = 0; r < B; r++) for (let c = 0; c < units; c++) gb[c]! += dl[r * units + c]!;
      if (l > 0) {
        const prev = deltas[l - 1]!;
        matmulTransBF32(prev, dl, params[2 * l]!, B, units, inputs);
        if (layers[l - 1]!.relu) {
          const a = acts[l]!;
          for (let i = 0; i < prev.length; i++) if (!(a[i]! > 0)) prev[i] = 0;
        }
      }
    }
    if (s === spec.records - 1) break;
    const t = s + 1;
    const c1 = 1 - b1 ** t;
    const c2 = 1 - b2 ** t;
    for (let k = 0; k < params.length; k++) {
      const p = params[k]!,
        g = grads[k]!,
        m = mu[k]!,
        v = nu[k]!;
      // Adam fused with the update on the f32x4 kernel; plain JavaScript where it is unavailable.
      if (p.length >= 256 && adamApplyWasm32(p, g, m, v, b1, b2, c1, c2, eps, spec.lr)) continue;
      for (let i = 0; i < p.length; i++) {
        const gi = g[i]!;
        const mi = m[i]! * b1 + gi * (1 - b1);
        const vi = v[i]! * b2 + gi * gi * (1 - b2);
        m[i] = mi;
        v[i] = vi;
        p[i]! -= spec.lr * (mi / c1 / (Math.sqrt(vi / c2) + eps));
      }
    }
  }
  return last;
}
