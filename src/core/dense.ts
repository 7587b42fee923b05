import { GradstreamError } from './errors.js';
import type { DenseLayerConfig } from '../schemas/modelConfig.js';
import { fromValues, glorotUniform, initializerName, zeros, type Initializer } from './initializers.js';
import { addRowVector, matmul, matmulTransA, matmulTransB, sumRows } from './kernels.js';
import type { Layer } from './layer.js';
import type { Regularizer } from './regularizers/regularizer.js';
import type { Rng } from './rng.js';

/** Options of {@link dense}. */
export interface DenseOptions {
  /** Add a bias `b` of length `units` (default true). */
  readonly bias?: boolean;
  /** Initializer of `W` (default {@link glorotUniform}). */
  readonly init?: Initializer;
  /** Initializer of `b` (default {@link zeros}). */
  readonly biasInit?: Initializer;
  /**
   * Explicit initial weights (overrides `init` / `biasInit`): `W` as `inputs` rows of `units`
   * numbers (or flat, row major), `b` as `units` numbers.
   */
  readonly weights?: {
    readonly W: ArrayLike<number> | readonly (readonly number[])[];
    readonly b?: ArrayLike<number>;
  };
  /**
   * A penalty on `W` (`l2(1e-4)`, `l1(…)`, `l1l2(…)`), added to the training loss; its gradient
   * is added to `W`'s by the backward pass.
   */
  readonly kernelRegularizer?: Regularizer;
}

/**
 * A fully connected layer `y = x·W (+ b)`, `W` of shape `[inputs, units]` (row major, rows =
 * inputs), `b` of length `units`.
 *
 * Forward: one `matmul` (plus a bias row); backward: `dW = xᵀ·dY` (plus the kernel
 * regularizer's gradient), `db = Σ_rows dY`, `dX = dY·Wᵀ` (skipped for the first layer of a model).
 *
 * @example
 * import { dense, heNormal, sequential } from 'gradstream';
 * const model = sequential([dense(4, 4, { bias: false })]); // the lesson's layer: params "0.W"
 * const hidden = dense(784, 128, { init: heNormal });
 * const fixed = dense(2, 1, { weights: { W: [[0.5], [-0.25]], b: [0.1] } });
 * const penalized = dense(2, 64, { kernelRegularizer: l2(1e-4) }); // import { l2 } too
 */
export function dense(inputs: number, units: number, options: DenseOptions = {}): Layer {
  for (const [name, v] of [['inputs', inputs], ['units', units]] as const) {
    if (!Number.isInteger(v) || v < 1) {
      throw new GradstreamError({ code: 'invalid_shape', path: `dense.${name}`, expected: 'a positive integer', received: String(v) });
    }
  }
  const bias = options.bias ?? true;
  const w = options.weights;
  const initW = w !== undefined ? fromValues(w.W, 'dense.weights.W') : (options.init ?? glorotUniform);
  const initB = w?.b !== undefined ? fromValues(w.b, 'dense.weights.b') : (options.biasInit ?? zeros);
  if (w !== undefined) {
    // Check the sizes now rather than at init time.
    initW(new Float64Array(inputs * units), inputs, units, NO_RNG);
    if (bias && w.b !== undefined) initB(new Float64Array(units), inputs, units, NO_RNG);
  }
  const reg = options.kernelRegularizer;
  return {
    kind: 'dense',
    inputs,
    outputs: units,
    params: bias ? [{ name: 'W', shape: [inputs, units] }, { name: 'b', shape: [units] }] : [{ name: 'W', shape: [inputs, units] }],
    init(rng, p) {
      initW(p[0]!, inputs, units, rng);
      if (bias) initB(p[1]!, inputs, units, rng);
    },
    forward(p, x, y, batch) {
      matmul(y, x, p[0]!, batch, inputs, units);
      if (bias) addRowVector(y, p[1]!, batch, units);
    },
    backward(p, x, _y, dY, dX, g, batch) {
      matmulTransA(g[0]!, x, dY, batch, inputs, units);
      if (reg !== undefined) reg.addGrad(g[0]!, p[0]!);
      if (bias) sumRows(g[1]!, dY, batch, units);
      if (dX !== null) matmulTransB(dX, dY, p[0]!, batch, units, inputs);
    },
    toConfig() {
      const c: { -readonly [K in keyof DenseLayerConfig]: DenseLayerConfig[K] } = { type: 'dense', inputs, units };
      if (!bias) c.bias = false;
      const wName = options.init === undefined ? undefined : initializerName(options.init);
      if (wName !== undefined && wName !== 'glorotUniform') c.init = wName;
      const bName = options.biasInit === undefined ? undefined : initializerName(options.biasInit);
      if (bias && bName !== undefined && bName !== 'zeros') c.biasInit = bName;
      if (reg !== undefined) c.kernelRegularizer = reg.toConfig();
      return c;
    },
    ...(reg === undefined ? {} : { penalty: (p: readonly Float64Array[]) => reg.value(p[0]!) }),
  };
}

const NO_RNG = null as unknown as Rng; // fromValues never draws
