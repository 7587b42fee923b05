import { GradstreamError } from '../errors.js';
import { glorotUniform } from '../initializers.js';
import type { Precision } from '../kernelsF32.js';
import type { Layer, LayerContext } from '../layer.js';
import { checkBoolean } from '../optimizers/checkOption.js';
import { orthogonal } from '../orthogonal.js';
import { zerosIn } from '../params.js';
import type { LstmLayerConfig } from '../config/modelConfig.js';
import { gemmFor, type Gemm } from './gemmFor.js';
import { columnSums, dOut, projectInputs, sigmoid, writeOutput } from './sequenceKernels.js';
import { sequenceShape, type SequenceOptions, type SequenceShape } from './sequenceShape.js';

/** Options of {@link lstm}: the input's shape, `returnSequences` and the forget gate's initial bias. */
export interface LstmOptions extends SequenceOptions {
  /** Start the forget gate's bias at 1 instead of 0 (default true, as Keras' `unitForgetBias`). */
  readonly unitForgetBias?: boolean;
}

/**
 * A long short-term memory layer (Keras' `LSTM`, `activation: 'tanh'`, `recurrentActivation:
 * 'sigmoid'`) over a sequence, trained by backpropagation through time over the whole sequence.
 *
 * Each input row holds `timesteps` steps of `features` numbers, step after step (oldest first).
 * From `h₀ = c₀ = 0`, step `t` computes the gates in Keras' order i, f, c, o from
 * `a = x·W + h·U + b`: `i = σ(a_i)`, `f = σ(a_f)`, `g = tanh(a_c)`, `o = σ(a_o)`, then
 * `c' = f ⊙ c + i ⊙ g` and `h' = o ⊙ tanh(c')`. The output is the last `h` (`units` numbers per
 * row), or every step's (`timesteps × units`, step after step) with `returnSequences`.
 *
 * Tensors (Keras' layout, gates side by side in the order i, f, c, o): `"<i>.W"` `[features,
 * 4·units]` (Glorot uniform), `"<i>.U"` `[units, 4·units]` (orthogonal), `"<i>.b"` `[4·units]`
 * (zeros, the forget gate's ones with `unitForgetBias`). Training and inference compute the same
 * (no dropout). Float32 models run it on the `f32x4` kernels.
 *
 * @example
 * import { dense, lstm, sequential } from 'gradstream';
 * // rows of 24 steps × 3 features → 2 outputs
 * const model = sequential([lstm(32, { timesteps: 24, features: 3 }), dense(32, 2)]);
 */
export function lstm(units: number, options: LstmOptions): Layer {
  const shape = sequenceShape('lstm', units, options, ['unitForgetBias']);
  const unitForgetBias = checkBoolean('lstm.unitForgetBias', options.unitForgetBias ?? true);
  return lstmLayer(shape, unitForgetBias, 'float64');
}

/** The buffers of one batch size (made by `createScratch`, found again through the scratch list). */
interface LstmBuffers {
  readonly xw: Float64Array; // (batch, step) rows of 4U: x·W + b
  readonly hs: Float64Array; // (T + 1) × B × U step-major, hs[0] = 0
  readonly hsT: readonly Float64Array[];
  readonly hsPrev: Float64Array; // the first T steps of hs
  readonly cs: Float64Array; // (T + 1) × B × U, cs[0] = 0
  readonly gates: Float64Array; // T × B × 4U: i, f, g, o after their activations
  readonly tc: Float64Array; // T × B × U: tanh(c)
  readonly m: Float64Array; // B × 4U
  readonly dxw: Float64Array; // (batch, step) rows of 4U
  readonly dm: Float64Array; // T × B × 4U
  readonly dmT: readonly Float64Array[];
  readonly dh: Float64Array; // B × U
  readonly dc: Float64Array; // B × U
}

function lstmLayer(shape: SequenceShape, unitForgetBias: boolean, precision: Precision): Layer {
  const { units: U, timesteps: T, features: F, returnSequences } = shape;
  const G = 4 * U;
  const gemm = gemmFor(precision);
  const byScratch = new WeakMap<readonly Float64Array[], LstmBuffers>();
  const createScratch = (batch: number): Float64Array[] => {
    const n = (k: number): Float64Array => zerosIn(precision, k);
    const BU = batch * U;
    return [
      n(batch * T * G),
      n((T + 1) * BU),
      n((T + 1) * BU),
      n(T * batch * G),
      n(T * BU),
      n(batch * G),
      n(batch * T * G),
      n(T * batch * G),
      n(BU),
      n(BU),
    ];
  };
  const buffersOf = (batch: number, ctx: LayerContext | undefined): LstmBuffers => {
    const scratch = ctx?.scratch ?? createScratch(batch);
    let b = byScratch.get(scratch);
    if (b === undefined) {
      b = lstmBuffers(scratch, batch, T, U);
      byScratch.set(scratch, b);
    }
    return b;
  };
  const config: LstmLayerConfig = {
    type: 'lstm',
    units: U,
    timesteps: T,
    features: F,
    ...(returnSequences ? { returnSequences } : {}),
    ...(unitForgetBias ? {} : { unitForgetBias }),
  };
  return {
    kind: 'lstm',
    inputs: T * F,
    outputs: returnSequences ? T * U : U,
    params: [
      { name: 'W', shape: [F, G] },
      { name: 'U', shape: [U, G] },
      { name: 'b', shape: [G] },
    ],
    init(rng, p) {
      glorotUniform(p[0]!, F, G, rng);
      orthogonal(p[1]!, U, G, rng);
      p[2]!.fill(0);
      if (unitForgetBias) p[2]!.fill(1, U, 2 * U);
    },
    createScratch,
    forward(p, x, y, batch, ctx) {
      const b = buffersOf(batch, ctx);
      projectInputs(gemm, b.xw, x, p[0]!, p[2]!, batch * T, F, G);
      for (let t = 0; t < T; t++) lstmStep(gemm, b, p[1]!, t, batch, T, U);
      writeOutput(y, b.hs, batch, T, U, returnSequences);
    },
    backward(p, x, _y, dY, dX, g, batch, ctx) {
      if (ctx === undefined) throwNoContext();
      const b = buffersOf(batch, ctx);
      b.dh.fill(0);
      b.dc.fill(0);
      for (let t = T - 1; t >= 0; t--) lstmBack(gemm, b, p[1]!, dY, t, batch, T, U, returnSequences);
      const BT = batch * T;
      gemm.mmTA(g[1]!, b.hsPrev, b.dm, BT, U, G);
      gemm.mmTA(g[0]!, x, b.dxw, BT, F, G);
      columnSums(g[2]!, b.dxw, BT, G, 0);
      if (dX !== null) gemm.mmTB(dX, b.dxw, p[0]!, BT, G, F);
    },
    toConfig: () => ({ ...config }),
    float32() {
      return precision === 'float32' ? this : lstmLayer(shape, unitForgetBias, 'float32');
    },
  };
}

function lstmBuffers(s: readonly Float64Array[], batch: number, T: number, U: number): LstmBuffers {
  const BU = batch * U;
  const views = (a: Float64Array, n: number, size: number): Float64Array[] =>
    Array.from({ length: n }, (_, t) => a.subarray(t * size, (t + 1) * size));
  return {
    xw: s[0]!,
    hs: s[1]!,
    hsT: views(s[1]!, T + 1, BU),
    hsPrev: s[1]!.subarray(0, T * BU),
    cs: s[2]!,
    gates: s[3]!,
    tc: s[4]!,
    m: s[5]!,
    dxw: s[6]!,
    dm: s[7]!,
    dmT: views(s[7]!, T, 4 * BU),
    dh: s[8]!,
    dc: s[9]!,
  };
}

/** One forward step: the gates, then `c` and `h` of step `t + 1`. */
function lstmStep(gemm: Gemm, b: LstmBuffers, Uw: Readonly<Float64Array>, t: number, batch: number, T: number, U: number): void {
  const G = 4 * U;
  const BU = batch * U;
  const { xw, hs, cs, gates, tc, m } = b;
  gemm.mm(m, b.hsT[t]!, Uw, batch, U, G);
  for (let n = 0; n < batch; n++) {
    const xo = (n * T + t) * G;
    const mo = n * G;
    const go = (t * batch + n) * G;
    for (let j = 0; j < U; j++) {
      const i = sigmoid(xw[xo + j]! + m[mo + j]!);
      const f = sigmoid(xw[xo + U + j]! + m[mo + U + j]!);
      const g = Math.tanh(xw[xo + 2 * U + j]! + m[mo + 2 * U + j]!);
      const o = sigmoid(xw[xo + 3 * U + j]! + m[mo + 3 * U + j]!);
      gates[go + j] = i;
      gates[go + U + j] = f;
      gates[go + 2 * U + j] = g;
      gates[go + 3 * U + j] = o;
      const k = t * BU + n * U + j;
      const c = f * cs[k]! + i * g;
      cs[k + BU] = c;
      const th = Math.tanh(c);
      tc[k] = th;
      hs[k + BU] = o * th;
    }
  }
}

/** One backward step: the gates' gradients into `dxw` and `dm`; `dh`, `dc` become those of step `t − 1`. */
function lstmBack(
  gemm: Gemm,
  b: LstmBuffers,
  Uw: Readonly<Float64Array>,
  dY: Readonly<Float64Array>,
  t: number,
  batch: number,
  T: number,
  U: number,
  returnSequences: boolean,
): void {
  const G = 4 * U;
  const BU = batch * U;
  const { cs, gates, tc, dxw, dm, dh, dc } = b;
  for (let n = 0; n < batch; n++) {
    const xo = (n * T + t) * G;
    const go = (t * batch + n) * G;
    for (let j = 0; j < U; j++) {
      const k = t * BU + n * U + j;
      const d = dOut(dh, dY, n, j, t, T, U, returnSequences);
      const i = gates[go + j]!;
      const f = gates[go + U + j]!;
      const g = gates[go + 2 * U + j]!;
      const o = gates[go + 3 * U + j]!;
      const th = tc[k]!;
      const dct = dc[n * U + j]! + d * o * (1 - th * th);
      const daI = dct * g * i * (1 - i);
      const daF = dct * cs[k]! * f * (1 - f);
      const daG = dct * i * (1 - g * g);
      const daO = d * th * o * (1 - o);
      dxw[xo + j] = dm[go + j] = daI;
      dxw[xo + U + j] = dm[go + U + j] = daF;
      dxw[xo + 2 * U + j] = dm[go + 2 * U + j] = daG;
      dxw[xo + 3 * U + j] = dm[go + 3 * U + j] = daO;
      dc[n * U + j] = dct * f;
    }
  }
  gemm.mmTB(dh, b.dmT[t]!, Uw, batch, G, U);
}

function throwNoContext(): never {
  throw new GradstreamError({
    code: 'invalid_state',
    path: 'lstm.backward',
    expected: 'the layer context of its forward pass (a model made by sequential)',
    received: 'none',
  });
}
