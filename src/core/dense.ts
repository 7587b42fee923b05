import { GradstreamError, describeTyped } from './errors.js';
import { checkBoolean, checkFunction, checkInteger, checkOptions } from './optimizers/checkOption.js';
import type { DenseLayerConfig } from './config/modelConfig.js';
import { fromValues, glorotUniform, initializerName, zeros, type Initializer } from './initializers.js';
import { addRowVector, matmul, matmulTransA, matmulTransB, sumRows } from './kernels.js';
import { denseF32 } from './denseF32.js';
import type { Layer } from './layer.js';
import type { Regularizer } from './regularizers/regularizer.js';

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
 * import { dense, heNormal, l2, sequential } from 'gradstream';
 * const model = sequential([dense(4, 4, { bias: false })]); // the lesson's layer: params "0.W"
 * const hidden = dense(784, 128, { init: heNormal });
 * const fixed = dense(2, 1, { weights: { W: [[0.5], [-0.25]], b: [0.1] } });
 * const penalized = dense(2, 64, { kernelRegularizer: l2(1e-4) });
 */
export function dense(inputs: number, units: number, options: DenseOptions = {}): Layer {
  checkInteger('dense.inputs', inputs, 1, 'invalid_shape');
  checkInteger('dense.units', units, 1, 'invalid_shape');
  checkOptions('dense', options, DENSE_OPTIONS);
  const bias = checkBoolean('dense.bias', options.bias ?? true);
  const w = options.weights === undefined ? undefined : checkWeights(options.weights);
  const initW =
    w !== undefined ? fromValues(w.W, 'dense.weights.W', inputs * units) : checkInitializer('dense.init', options.init ?? glorotUniform);
  const initB =
    w?.b !== undefined ? fromValues(w.b, 'dense.weights.b', units) : checkInitializer('dense.biasInit', options.biasInit ?? zeros);
  const reg = options.kernelRegularizer === undefined ? undefined : checkRegularizer(options.kernelRegularizer);
  return {
    kind: 'dense',
    inputs,
    outputs: units,
    params: bias
      ? [
          { name: 'W', shape: [inputs, units] },
          { name: 'b', shape: [units] },
        ]
      : [{ name: 'W', shape: [inputs, units] }],
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
    float32() {
      return denseF32(this, bias, reg);
    },
    ...(reg === undefined ? {} : { penalty: (p: readonly Float64Array[]) => reg.value(p[0]!) }),
  };
}

const DENSE_OPTIONS = ['bias', 'init', 'biasInit', 'weights', 'kernelRegularizer'];

function checkInitializer(path: string, init: unknown): Initializer {
  return checkFunction<Initializer>(path, init, 'an initializer (glorotUniform, heNormal, zeros, fromValues(…), …)');
}

function checkWeights(weights: unknown): NonNullable<DenseOptions['weights']> {
  const w = checkOptions('dense.weights', weights, ['W', 'b'], true) as NonNullable<DenseOptions['weights']>;
  if (w.W === undefined) {
    throw new GradstreamError({
      code: 'invalid_config',
      path: 'dense.weights.W',
      expected: 'the initial weights (inputs rows of units numbers)',
      received: 'nothing',
    });
  }
  return w;
}

function checkRegularizer(reg: unknown): Regularizer {
  const r = reg as Partial<Regularizer> | null;
  if (typeof r !== 'object' || r === null || typeof r.value !== 'function' || typeof r.addGrad !== 'function') {
    throw new GradstreamError({
      code: 'invalid_config',
      path: 'dense.kernelRegularizer',
      expected: 'a regularizer (l1(…), l2(…), l1l2(…))',
      received: describeTyped(reg),
    });
  }
  return r as Regularizer;
}
