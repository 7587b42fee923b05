import { GradstreamError } from '../errors.js';
import { glorotUniform } from '../initializers.js';
import type { Precision } from '../kernelsF32.js';
import type { Layer, LayerContext } from '../layer.js';
import { checkBoolean } from '../optimizers/checkOption.js';
import { orthogonal } from '../orthogonal.js';
import { zerosIn } from '../params.js';
import type { GruLayerConfig } from '../config/modelConfig.js';
import { gemmFor, type Gemm } from './gemmFor.js';
import { columnSums, dOut, projectInputs, sigmoid, writeOutput } from './sequenceKernels.js';
import { sequenceShape, type SequenceOptions, type SequenceShape } from './sequenceShape.js';

/** Options of {@link gru}: the input's shape, `returnSequences` and the reset-gate convention. */
export interface GruOptions extends SequenceOptions {
  /**
   * Apply the reset gate after the recurrent matrix product, `r ⊙ (h·U_h + b_h)` (default true, as
   * Keras 2+ and cuDNN), or before it, `(r ⊙ h)·U_h` (false: the original GRU, and TensorFlow.js').
   */
  readonly resetAfter?: boolean;
}

/**
 * A gated recurrent unit layer (Keras' `GRU`, `activation: 'tanh'`, `recurrentActivation:
 * 'sigmoid'`) over a sequence, trained by backpropagation through time over the whole sequence.
 *
 * Each input row holds `timesteps` steps of `features` numbers, step after step (a window of the
 * last `timesteps` events: oldest first). From `h₀ = 0`, step `t` computes the gates in Keras'
 * order z (update), r (reset), h (candidate):
 * `z = σ(x·W_z + h·U_z + b_z)`, `r = σ(x·W_r + h·U_r + b_r)`,
 * `ĥ = tanh(x·W_h + r ⊙ (h·U_h + b'_h) + b_h)` (`resetAfter`; otherwise `tanh(x·W_h + (r ⊙ h)·U_h + b_h)`),
 * `h' = z ⊙ h + (1 − z) ⊙ ĥ`. The output is the last `h` (`units` numbers per row), or every step's
 * (`timesteps × units`, step after step) with `returnSequences`.
 *
 * Tensors (Keras' layout, gates side by side in the order z, r, h): `"<i>.W"` `[features, 3·units]`
 * (Glorot uniform), `"<i>.U"` `[units, 3·units]` (orthogonal), `"<i>.b"` zeros, `[2, 3·units]` with
 * `resetAfter` (input bias, then recurrent bias) and `[3·units]` without. Training and inference
 * compute the same (no dropout). Float32 models run it on the `f32x4` kernels.
 *
 * @example
 * import { dense, gru, sequential } from 'gradstream';
 * // rows of 12 steps × 1 feature (a sliding window of a series) → next value
 * const model = sequential([gru(16, { timesteps: 12 }), dense(16, 1)]);
 */
export function gru(units: number, options: GruOptions): Layer {
  const shape = sequenceShape('gru', units, options, ['resetAfter']);
  const resetAfter = checkBoolean('gru.resetAfter', options.resetAfter ?? true);
  return gruLayer(shape, resetAfter, 'float64');
}

/** The buffers of one batch size (made by `createScratch`, found again through the scratch list). */
interface GruBuffers {
  readonly xw: Float64Array; // (batch, step) rows of 3U: x·W + input bias
  readonly hs: Float64Array; // (T + 1) × B × U, step-major; hs[0] = h₀ = 0
  readonly hsT: readonly Float64Array[]; // views of hs per step
  readonly hsPrev: Float64Array; // hs's first T steps: h_{t−1} of every step
  readonly z: Float64Array; // T × B × U each
  readonly r: Float64Array;
  readonly hh: Float64Array;
  /** resetAfter: h·U_h + b'_h; otherwise r ⊙ h (the input of the candidate's product). */
  readonly mh: Float64Array;
  readonly mhT: readonly Float64Array[];
  readonly m: Float64Array; // B × 3U: a step's recurrent product
  readonly mc: Float64Array; // B × U: the candidate's product (resetAfter false)
  readonly dxw: Float64Array; // (batch, step) rows of 3U
  readonly dm: Float64Array; // T × B × 3U (resetAfter) or T × B × 2U (z, r)
  readonly dmT: readonly Float64Array[];
  readonly dmc: Float64Array; // T × B × U: the candidate's (resetAfter false)
  readonly dmcT: readonly Float64Array[];
  readonly dh: Float64Array; // B × U
  readonly tmp: Float64Array; // B × U
  /** resetAfter false: U split into its z, r columns [U, 2U] and candidate columns [U, U], and their gradients. */
  readonly uzr: Float64Array;
  readonly uh: Float64Array;
  readonly guzr: Float64Array;
  readonly guh: Float64Array;
}

function gruLayer(shape: SequenceShape, resetAfter: boolean, precision: Precision): Layer {
  const { units: U, timesteps: T, features: F, returnSequences } = shape;
  const G = 3 * U;
  const gemm = gemmFor(precision);
  const byScratch = new WeakMap<readonly Float64Array[], GruBuffers>();
  const buffersOf = (batch: number, ctx: LayerContext | undefined): GruBuffers => {
    const scratch = ctx?.scratch ?? createScratch(batch);
    let b = byScratch.get(scratch);
    if (b === undefined) {
      b = gruBuffers(scratch, batch, T, U, resetAfter);
      byScratch.set(scratch, b);
    }
    return b;
  };
  const createScratch = (batch: number): Float64Array[] => gruScratch(precision, batch, T, U, resetAfter);
  const config: GruLayerConfig = {
    type: 'gru',
    units: U,
    timesteps: T,
    features: F,
    ...(returnSequences ? { returnSequences } : {}),
    ...(resetAfter ? {} : { resetAfter }),
  };
  return {
    kind: 'gru',
    inputs: T * F,
    outputs: returnSequences ? T * U : U,
    params: [
      { name: 'W', shape: [F, G] },
      { name: 'U', shape: [U, G] },
      { name: 'b', shape: resetAfter ? [2, G] : [G] },
    ],
    init(rng, p) {
      glorotUniform(p[0]!, F, G, rng);
      orthogonal(p[1]!, U, G, rng);
      p[2]!.fill(0);
    },
    createScratch,
    forward(p, x, y, batch, ctx) {
      const b = buffersOf(batch, ctx);
      projectInputs(gemm, b.xw, x, p[0]!, p[2]!, batch * T, F, G);
      if (!resetAfter) splitColumns(b.uzr, b.uh, p[1]!, U);
      for (let t = 0; t < T; t++) {
        if (resetAfter) stepAfter(gemm, b, p[1]!, p[2]!, t, batch, T, U);
        else stepBefore(gemm, b, t, batch, T, U);
      }
      writeOutput(y, b.hs, batch, T, U, returnSequences);
    },
    backward(p, x, _y, dY, dX, g, batch, ctx) {
      if (ctx === undefined) throwNoContext();
      const b = buffersOf(batch, ctx);
      b.dh.fill(0);
      for (let t = T - 1; t >= 0; t--) {
        if (resetAfter) backAfter(gemm, b, p[1]!, dY, t, batch, T, U, returnSequences);
        else backBefore(gemm, b, dY, t, batch, T, U, returnSequences);
      }
      gruWeightGrads(gemm, b, p, x, dX, g, batch * T, F, U, resetAfter);
    },
    toConfig: () => ({ ...config }),
    float32() {
      return precision === 'float32' ? this : gruLayer(shape, resetAfter, 'float32');
    },
  };
}

/** The buffers of `batch` rows (see {@link GruBuffers}, in its order). */
function gruScratch(precision: Precision, batch: number, T: number, U: number, resetAfter: boolean): Float64Array[] {
  const n = (k: number): Float64Array => zerosIn(precision, k);
  const G = 3 * U;
  const BU = batch * U;
  const split = resetAfter ? 0 : 1;
  return [
    n(batch * T * G),
    n((T + 1) * BU),
    n(T * BU),
    n(T * BU),
    n(T * BU),
    n(T * BU),
    n(batch * G),
    n(split * BU),
    n(batch * T * G),
    n(T * batch * (resetAfter ? G : 2 * U)),
    n(split * T * BU),
    n(BU),
    n(BU),
    n(split * 2 * U * U),
    n(split * U * U),
    n(split * 2 * U * U),
    n(split * U * U),
  ];
}

/** After the steps' backward passes: the gradients of W, U, b (and of the input) from the gates' gradients of all `BT` (batch, step) rows. */
function gruWeightGrads(
  gemm: Gemm,
  b: GruBuffers,
  p: readonly Float64Array[],
  x: Readonly<Float64Array>,
  dX: Float64Array | null,
  g: readonly Float64Array[],
  BT: number,
  F: number,
  U: number,
  resetAfter: boolean,
): void {
  const G = 3 * U;
  if (resetAfter) {
    gemm.mmTA(g[1]!, b.hsPrev, b.dm, BT, U, G); // Σ_t h_{t−1}ᵀ · dm_t
    columnSums(g[2]!, b.dm, BT, G, G);
  } else {
    gemm.mmTA(b.guzr, b.hsPrev, b.dm, BT, U, 2 * U);
    gemm.mmTA(b.guh, b.mh, b.dmc, BT, U, U);
    joinColumns(g[1]!, b.guzr, b.guh, U);
  }
  gemm.mmTA(g[0]!, x, b.dxw, BT, F, G);
  columnSums(g[2]!, b.dxw, BT, G, 0);
  if (dX !== null) gemm.mmTB(dX, b.dxw, p[0]!, BT, G, F);
}

function gruBuffers(s: readonly Float64Array[], batch: number, T: number, U: number, resetAfter: boolean): GruBuffers {
  const BU = batch * U;
  const dmWidth = (resetAfter ? 3 : 2) * U;
  const views = (a: Float64Array, n: number, size: number): Float64Array[] =>
    Array.from({ length: n }, (_, t) => a.subarray(t * size, (t + 1) * size));
  return {
    xw: s[0]!,
    hs: s[1]!,
    hsT: views(s[1]!, T + 1, BU),
    hsPrev: s[1]!.subarray(0, T * BU),
    z: s[2]!,
    r: s[3]!,
    hh: s[4]!,
    mh: s[5]!,
    mhT: views(s[5]!, T, BU),
    m: s[6]!,
    mc: s[7]!,
    dxw: s[8]!,
    dm: s[9]!,
    dmT: views(s[9]!, T, batch * dmWidth),
    dmc: s[10]!,
    dmcT: resetAfter ? [] : views(s[10]!, T, BU),
    dh: s[11]!,
    tmp: s[12]!,
    uzr: s[13]!,
    uh: s[14]!,
    guzr: s[15]!,
    guh: s[16]!,
  };
}

/** One forward step with the reset gate after the product (Keras 2+). */
function stepAfter(
  gemm: Gemm,
  b: GruBuffers,
  Uw: Readonly<Float64Array>,
  bias: Readonly<Float64Array>,
  t: number,
  batch: number,
  T: number,
  U: number,
): void {
  const G = 3 * U;
  const BU = batch * U;
  const { xw, hs, z, r, hh, mh, m } = b;
  gemm.mm(m, b.hsT[t]!, Uw, batch, U, G);
  for (let n = 0; n < batch; n++) {
    const xo = (n * T + t) * G;
    const mo = n * G;
    const so = t * BU + n * U;
    for (let j = 0; j < U; j++) {
      const zv = sigmoid(xw[xo + j]! + m[mo + j]! + bias[G + j]!);
      const rv = sigmoid(xw[xo + U + j]! + m[mo + U + j]! + bias[G + U + j]!);
      const mv = m[mo + 2 * U + j]! + bias[G + 2 * U + j]!;
      const hv = Math.tanh(xw[xo + 2 * U + j]! + rv * mv);
      const k = so + j;
      z[k] = zv;
      r[k] = rv;
      mh[k] = mv;
      hh[k] = hv;
      hs[k + BU] = zv * hs[k]! + (1 - zv) * hv;
    }
  }
}

/** One forward step with the reset gate before the product (the original GRU). */
function stepBefore(gemm: Gemm, b: GruBuffers, t: number, batch: number, T: number, U: number): void {
  const G = 3 * U;
  const BU = batch * U;
  const { xw, hs, z, r, hh, mh, m, mc } = b;
  gemm.mm(m, b.hsT[t]!, b.uzr, batch, U, 2 * U);
  for (let n = 0; n < batch; n++) {
    const xo = (n * T + t) * G;
    const mo = n * 2 * U;
    const so = t * BU + n * U;
    for (let j = 0; j < U; j++) {
      const zv = sigmoid(xw[xo + j]! + m[mo + j]!);
      const rv = sigmoid(xw[xo + U + j]! + m[mo + U + j]!);
      z[so + j] = zv;
      r[so + j] = rv;
      mh[so + j] = rv * hs[so + j]!;
    }
  }
  gemm.mm(mc, b.mhT[t]!, b.uh, batch, U, U);
  for (let n = 0; n < batch; n++) {
    const xo = (n * T + t) * G + 2 * U;
    const so = t * BU + n * U;
    for (let j = 0; j < U; j++) {
      const k = so + j;
      const hv = Math.tanh(xw[xo + j]! + mc[n * U + j]!);
      hh[k] = hv;
      hs[k + BU] = z[k]! * hs[k]! + (1 - z[k]!) * hv;
    }
  }
}

/** One backward step (reset after): the gates' gradients into `dxw` and `dm`; `dh` becomes ∂L/∂h_{t−1}. */
function backAfter(
  gemm: Gemm,
  b: GruBuffers,
  Uw: Readonly<Float64Array>,
  dY: Readonly<Float64Array>,
  t: number,
  batch: number,
  T: number,
  U: number,
  returnSequences: boolean,
): void {
  const G = 3 * U;
  const BU = batch * U;
  const { hs, z, r, hh, mh, dxw, dm, dh, tmp } = b;
  for (let n = 0; n < batch; n++) {
    const xo = (n * T + t) * G;
    const mo = t * batch * G + n * G;
    for (let j = 0; j < U; j++) {
      const k = t * BU + n * U + j;
      const d = dOut(dh, dY, n, j, t, T, U, returnSequences);
      const zv = z[k]!;
      const rv = r[k]!;
      const hv = hh[k]!;
      const daZ = d * (hs[k]! - hv) * zv * (1 - zv);
      const daH = d * (1 - zv) * (1 - hv * hv);
      const daR = daH * mh[k]! * rv * (1 - rv);
      dxw[xo + j] = daZ;
      dxw[xo + U + j] = daR;
      dxw[xo + 2 * U + j] = daH;
      dm[mo + j] = daZ;
      dm[mo + U + j] = daR;
      dm[mo + 2 * U + j] = daH * rv;
      dh[n * U + j] = d * zv;
    }
  }
  gemm.mmTB(tmp, b.dmT[t]!, Uw, batch, G, U);
  for (let i = 0; i < BU; i++) dh[i]! += tmp[i]!;
}

/** One backward step (reset before): as {@link backAfter}, through `(r ⊙ h)·U_h`. */
function backBefore(
  gemm: Gemm,
  b: GruBuffers,
  dY: Readonly<Float64Array>,
  t: number,
  batch: number,
  T: number,
  U: number,
  returnSequences: boolean,
): void {
  const G = 3 * U;
  const BU = batch * U;
  const { hs, z, r, hh, dxw, dm, dmc, dh, tmp } = b;
  for (let n = 0; n < batch; n++) {
    for (let j = 0; j < U; j++) {
      const k = t * BU + n * U + j;
      const d = dOut(dh, dY, n, j, t, T, U, returnSequences);
      const hv = hh[k]!;
      const daH = d * (1 - z[k]!) * (1 - hv * hv);
      dxw[(n * T + t) * G + 2 * U + j] = daH;
      dmc[k] = daH;
      dh[n * U + j] = d; // kept for the z gate below; replaced by ∂L/∂h_{t−1}
    }
  }
  gemm.mmTB(tmp, b.dmcT[t]!, b.uh, batch, U, U); // ∂L/∂(r ⊙ h)
  for (let n = 0; n < batch; n++) {
    const xo = (n * T + t) * G;
    const mo = t * batch * 2 * U + n * 2 * U;
    for (let j = 0; j < U; j++) {
      const k = t * BU + n * U + j;
      const i = n * U + j;
      const d = dh[i]!;
      const zv = z[k]!;
      const rv = r[k]!;
      const hp = hs[k]!;
      const daZ = d * (hp - hh[k]!) * zv * (1 - zv);
      const daR = tmp[i]! * hp * rv * (1 - rv);
      dxw[xo + j] = daZ;
      dxw[xo + U + j] = daR;
      dm[mo + j] = daZ;
      dm[mo + U + j] = daR;
      dh[i] = d * zv + tmp[i]! * rv;
    }
  }
  gemm.mmTB(tmp, b.dmT[t]!, b.uzr, batch, 2 * U, U);
  for (let i = 0; i < BU; i++) dh[i]! += tmp[i]!;
}

/** Splits `U` `[U, 3U]` into its z, r columns `[U, 2U]` and candidate columns `[U, U]`. */
function splitColumns(uzr: Float64Array, uh: Float64Array, Uw: Readonly<Float64Array>, U: number): void {
  for (let i = 0; i < U; i++) {
    for (let j = 0; j < 2 * U; j++) uzr[i * 2 * U + j] = Uw[i * 3 * U + j]!;
    for (let j = 0; j < U; j++) uh[i * U + j] = Uw[i * 3 * U + 2 * U + j]!;
  }
}

/** The inverse of {@link splitColumns}. */
function joinColumns(Uw: Float64Array, uzr: Readonly<Float64Array>, uh: Readonly<Float64Array>, U: number): void {
  for (let i = 0; i < U; i++) {
    for (let j = 0; j < 2 * U; j++) Uw[i * 3 * U + j] = uzr[i * 2 * U + j]!;
    for (let j = 0; j < U; j++) Uw[i * 3 * U + 2 * U + j] = uh[i * U + j]!;
  }
}

function throwNoContext(): never {
  throw new GradstreamError({
    code: 'invalid_state',
    path: 'gru.backward',
    expected: 'the layer context of its forward pass (a model made by sequential)',
    received: 'none',
  });
}
