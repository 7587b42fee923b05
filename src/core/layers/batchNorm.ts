import { GradstreamError, describeTyped } from '../errors.js';
import type { BatchNormLayerConfig } from '../config/modelConfig.js';
import { checkNumber, checkOptions } from '../optimizers/checkOption.js';
import type { LayerContext, LayerParamSpec } from '../layer.js';
import type { Rng } from '../rng.js';
import { isLayerSize, type ActivationLayer } from './activation.js';

/** Options of {@link batchNorm} (Keras' names and defaults). */
export interface BatchNormOptions {
  /** Weight of the old value in the moving statistics' update (default 0.99). */
  readonly momentum?: number;
  /** Added to the variance before its square root (default 1e-3). */
  readonly epsilon?: number;
}

/**
 * Batch normalization (Keras' `BatchNormalization` over the feature axis): each feature is
 * normalized, then scaled and shifted by the learned `gamma` (ones) and `beta` (zeros):
 * `y = gamma · (x − μ) / sqrt(σ² + epsilon) + beta`.
 *
 * - Training: `μ`, `σ²` are the batch's mean and (biased) variance per feature, and the layer
 *   folds them into its moving statistics, `moving = momentum · moving + (1 − momentum) · batch`
 *   (Keras' rule, biased variance as in Keras). The backward pass goes through the batch
 *   statistics.
 * - Inference (`predict`, validation, evaluation): `μ`, `σ²` are the moving mean (zeros at
 *   first) and moving variance (ones).
 *
 * Its tensors are `"<i>.gamma"`, `"<i>.beta"` (trained) and the model state `"<i>.movingMean"`,
 * `"<i>.movingVariance"`, `"<i>.statsStep"` (non-trainable: every optimizer leaves them alone,
 * checkpoints keep them). `statsStep` (not in Keras) is 1 + the step whose batch was last folded
 * in: the training pass of a step folds its batch once, so re-running the step a checkpoint was
 * written at (a resume) does not fold it twice. Without a step (a hand-written loop), every
 * training pass folds. The run's final record (`stopReason` set: `forward` passes
 * `foldStats: false`) is evaluated on the batch's statistics but never folded: its update is
 * not applied, and at the end of the data it re-runs the last batch.
 *
 * Without `size` it takes the width of the layer before it in `sequential`.
 *
 * @example
 * import { batchNorm, dense, relu, sequential } from 'gradstream';
 * const model = sequential([dense(2, 32), batchNorm(), relu(), dense(32, 1)]);
 */
export function batchNorm(options: BatchNormOptions = {}, size?: number): ActivationLayer {
  const o = checkOptions('batchNorm', options, ['momentum', 'epsilon']);
  const momentum = checkNumber('batchNorm.momentum', o.momentum ?? 0.99, '[0, 1]', 'invalid_value');
  const epsilon = checkNumber('batchNorm.epsilon', o.epsilon ?? 1e-3, '> 0', 'invalid_value');
  if (size !== undefined && !isLayerSize(size)) {
    throw new GradstreamError({
      code: 'invalid_shape',
      path: 'batchNorm(size)',
      expected: 'a positive integer (or nothing: the size of the previous layer)',
      received: describeTyped(size),
    });
  }
  return new BatchNormLayer(options, momentum, epsilon, size ?? 0);
}

/**
 * The layer {@link batchNorm} makes. Tensors, in order: gamma, beta, movingMean, movingVariance,
 * statsStep. Scratch, in order: xHat (batch × n), 1 / sqrt(σ² + ε) per feature, μ per feature.
 */
class BatchNormLayer implements ActivationLayer {
  readonly kind = 'batchNorm';
  readonly inputs: number;
  readonly outputs: number;
  readonly params: LayerParamSpec[];

  /**
   * @param options the options as given, for {@link BatchNormLayer.withSize}
   * @param n features per row; 0 until `sequential` gives the size
   */
  constructor(
    private readonly options: BatchNormOptions,
    private readonly momentum: number,
    private readonly epsilon: number,
    private readonly n: number,
  ) {
    this.inputs = n;
    this.outputs = n;
    this.params =
      n === 0
        ? []
        : [
            { name: 'gamma', shape: [n] },
            { name: 'beta', shape: [n] },
            { name: 'movingMean', shape: [n], trainable: false },
            { name: 'movingVariance', shape: [n], trainable: false },
            { name: 'statsStep', shape: [1], trainable: false },
          ];
  }

  init(_rng: Rng, p: readonly Float64Array[]): void {
    p[0]!.fill(1);
    p[1]!.fill(0);
    p[2]!.fill(0);
    p[3]!.fill(1);
    p[4]!.fill(0);
  }

  createScratch(batch: number): Float64Array[] {
    return [new Float64Array(batch * this.n), new Float64Array(this.n), new Float64Array(this.n)];
  }

  forward(p: readonly Float64Array[], x: Readonly<Float64Array>, y: Float64Array, batch: number, ctx?: LayerContext): void {
    const n = this.n;
    if (n === 0) unsized();
    const gamma = p[0]!;
    const beta = p[1]!;
    const training = ctx?.training;
    if (training) this.trainingStats(p, x, batch, ctx);
    const xHat = ctx === undefined ? null : ctx.scratch[0]!;
    const invStd = ctx === undefined ? null : ctx.scratch[1]!;
    const len = batch * n;
    for (let j = 0; j < n; j++) {
      const mu = training ? ctx.scratch[2]![j]! : p[2]![j]!;
      const s = training ? invStd![j]! : 1 / Math.sqrt(p[3]![j]! + this.epsilon);
      if (invStd !== null) invStd[j] = s;
      const g = gamma[j]!;
      const b = beta[j]!;
      for (let o = j; o < len; o += n) {
        const h = (x[o]! - mu) * s;
        if (xHat !== null) xHat[o] = h;
        y[o] = g * h + b;
      }
    }
  }

  backward(
    p: readonly Float64Array[],
    _x: Readonly<Float64Array>,
    _y: Readonly<Float64Array>,
    dY: Readonly<Float64Array>,
    dX: Float64Array | null,
    g: readonly Float64Array[],
    batch: number,
    ctx?: LayerContext,
  ): void {
    const n = this.n;
    if (n === 0) unsized();
    if (ctx === undefined) {
      throw new GradstreamError({
        code: 'invalid_state',
        path: 'batchNorm.backward',
        expected: 'the layer context of its forward pass (a model made by sequential)',
        received: 'none',
      });
    }
    const gamma = p[0]!;
    const xHat = ctx.scratch[0]!;
    const invStd = ctx.scratch[1]!;
    const training = ctx.training;
    const dGamma = g[0]!;
    const dBeta = g[1]!;
    g[2]!.fill(0);
    g[3]!.fill(0);
    g[4]!.fill(0);
    const len = batch * n;
    for (let j = 0; j < n; j++) {
      let sg = 0;
      let sb = 0;
      for (let o = j; o < len; o += n) {
        const d = dY[o]!;
        sg += d * xHat[o]!;
        sb += d;
      }
      dGamma[j] = sg;
      dBeta[j] = sb;
      if (dX === null) continue;
      const k = gamma[j]! * invStd[j]!;
      if (training) {
        const a = sb / batch;
        const c = sg / batch;
        for (let o = j; o < len; o += n) dX[o] = k * (dY[o]! - a - xHat[o]! * c);
      } else {
        for (let o = j; o < len; o += n) dX[o] = k * dY[o]!;
      }
    }
  }

  withSize(m: number): ActivationLayer {
    return batchNorm(this.options, m);
  }

  toConfig(): BatchNormLayerConfig {
    return { type: 'batchNorm', momentum: this.momentum, epsilon: this.epsilon };
  }

  /** The batch's mean (scratch[2]) and 1/sqrt(var + ε) (scratch[1]); folds them into the moving statistics once per step. */
  private trainingStats(p: readonly Float64Array[], x: Readonly<Float64Array>, batch: number, ctx: LayerContext): void {
    const n = this.n;
    const { momentum, epsilon } = this;
    const mean = ctx.scratch[2]!;
    const invStd = ctx.scratch[1]!;
    const movingMean = p[2]!;
    const movingVar = p[3]!;
    const statsStep = p[4]!;
    const fold = ctx.foldStats !== false && (ctx.step < 0 || statsStep[0] !== ctx.step + 1);
    const len = batch * n;
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let o = j; o < len; o += n) s += x[o]!;
      const mu = s / batch;
      let q = 0;
      for (let o = j; o < len; o += n) {
        const d = x[o]! - mu;
        q += d * d;
      }
      const variance = q / batch;
      mean[j] = mu;
      invStd[j] = 1 / Math.sqrt(variance + epsilon);
      if (fold) {
        movingMean[j] = momentum * movingMean[j]! + (1 - momentum) * mu;
        movingVar[j] = momentum * movingVar[j]! + (1 - momentum) * variance;
      }
    }
    if (fold && ctx.step >= 0) statsStep[0] = ctx.step + 1;
  }
}

function unsized(): never {
  throw new GradstreamError({
    code: 'invalid_shape',
    path: 'batchNorm',
    expected: 'a size: batchNorm(options, n), or a place after a sized layer in sequential([...])',
    received: 'no size',
  });
}
