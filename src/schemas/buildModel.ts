import { dense } from '../core/dense.js';
import { GradstreamError } from '../core/errors.js';
import { INITIALIZERS } from '../core/initializers.js';
import type { Layer } from '../core/layer.js';
import { batchNorm } from '../core/layers/batchNorm.js';
import { dropout } from '../core/layers/dropout.js';
import { elu } from '../core/layers/elu.js';
import { identity } from '../core/layers/identity.js';
import { leakyRelu } from '../core/layers/leakyRelu.js';
import { relu } from '../core/layers/relu.js';
import { sigmoid } from '../core/layers/sigmoid.js';
import { softmax } from '../core/layers/softmax.js';
import { softplus } from '../core/layers/softplus.js';
import { tanh } from '../core/layers/tanh.js';
import type { Params } from '../core/params.js';
import { l1 } from '../core/regularizers/l1.js';
import { l1l2 } from '../core/regularizers/l1l2.js';
import { l2 } from '../core/regularizers/l2.js';
import type { Regularizer } from '../core/regularizers/regularizer.js';
import { outputShapeOf } from '../core/layerShape.js';
import { createRng } from '../core/rng.js';
import { describeLayer, sequential, type SequentialModel } from '../core/sequential.js';
import { MAX_MODEL_PARAMS } from './limits.js';
import type {
  DenseLayerConfig,
  KernelRegularizerConfig,
  LayerConfig,
  ModelConfig,
  SequenceLayerConfig,
  ShapeLayerConfig,
} from './modelConfig.js';
import { checkExport, moduleExport, withConfig, type ModuleExports, type ModuleRef } from './moduleExports.js';
import { isSequenceLayerConfig, sequenceLayerFrom } from './sequenceLayerFrom.js';
import { isShapeLayerConfig, shapeLayerFrom } from './shapeLayerFrom.js';

/** What `modelFromConfig` (and `buildModel`) builds. */
export interface ModelFromConfig {
  readonly model: SequentialModel;
  /**
   * The initial parameters when the config fixes them all (every dense layer has `weights`;
   * biases default to zeros): no generator needed. Otherwise undefined: call `model.init(rng)`
   * (layers with `weights` still start from them).
   */
  readonly params?: Params;
}

/**
 * Builds the sequential model of a config that has passed the `ModelConfig` schema already (see
 * `modelFromConfig`, which validates first): the checks that need more than the schema — layers
 * that chain, weights of the right shape — with the same errors. Imports no schema library, so a
 * worker thread rebuilding its replica from `model.toConfig()` starts without loading one.
 */
export function buildModel(config: ModelConfig, root = 'model', modules?: ModuleExports): ModelFromConfig {
  const specs = config.layers;
  const layers: Layer[] = [];
  let width = 0; // the outputs of the layer before (0 before the first)
  let shape: readonly number[] | undefined; // the shape of a sample after the layer before
  let fixed = true; // every parameter comes from the config
  let size = 0; // parameters so far
  for (let i = 0; i < specs.length; i++) {
    const spec = specs[i]!;
    const path = `${root}.layers[${i}]`;
    let layer: Layer;
    if (isShapeLayerConfig(spec)) {
      layer = shapeLayerFrom(spec, shape, path);
      if (layer.params.length > 0) fixed = false;
    } else if (spec.type === 'dense') {
      layer = denseFrom(spec, i === 0 ? undefined : width, path, i === 0 ? '' : `layer ${i - 1}, ${describeLayer(layers[i - 1]!)}`);
      if (!isFixed(spec)) fixed = false;
      size += layer.inputs * layer.outputs + ((spec.bias ?? true) ? layer.outputs : 0);
      if (size > MAX_MODEL_PARAMS) {
        throw new GradstreamError({
          code: 'invalid_config',
          path: `${path}.units`,
          expected: `a model of at most ${MAX_MODEL_PARAMS.toLocaleString('en-US')} parameters (1 GiB as float64)`,
          received: `${size.toLocaleString('en-US')} up to this layer`,
        });
      }
    } else if (isSequenceLayerConfig(spec)) {
      layer = sequenceLayerFrom(specs, layers, i, path);
      fixed = false;
    } else if (spec.type === 'module') {
      layer = moduleLayer(spec, modules, i === 0 ? undefined : width, path);
      if (layer.params.length > 0) fixed = false;
    } else {
      if (i === 0) {
        throw new GradstreamError({
          code: 'invalid_config',
          path: `${path}.type`,
          expected: 'a layer with a width first (e.g. "dense" with "inputs")',
          received: JSON.stringify(spec.type),
        });
      }
      layer = activationFrom(spec, width);
    }
    layers.push(layer);
    width = layer.outputs;
    shape = outputShapeOf(layer, shape);
  }
  const precision = config.precision;
  const model = sequential(layers, precision === undefined ? {} : { precision });
  // Fixed tensors draw nothing: any generator gives the same parameters.
  return fixed ? { model, params: model.init(createRng(0)) } : { model };
}

function denseFrom(spec: DenseLayerConfig, prevWidth: number | undefined, path: string, prevName: string): Layer {
  const inputs = spec.inputs ?? prevWidth;
  if (inputs === undefined) {
    throw new GradstreamError({
      code: 'invalid_config',
      path: `${path}.inputs`,
      expected: 'the number of input features (required on the first layer)',
      received: 'nothing',
    });
  }
  if (prevWidth !== undefined && inputs !== prevWidth) {
    throw new GradstreamError({
      code: 'invalid_config',
      path: `${path}.inputs`,
      expected: `${prevWidth} (the width of ${prevName})`,
      received: String(inputs),
    });
  }
  const { units } = spec;
  const bias = spec.bias ?? true;
  if (spec.weights !== undefined) checkMatrix(spec.weights, inputs, units, `${path}.weights`);
  if (spec.biases !== undefined) {
    if (!bias)
      throw new GradstreamError({
        code: 'invalid_config',
        path: `${path}.biases`,
        expected: 'no biases ("bias" is false)',
        received: `${spec.biases.length} numbers`,
      });
    if (spec.biases.length !== units)
      throw new GradstreamError({
        code: 'invalid_config',
        path: `${path}.biases`,
        expected: `${units} numbers (units)`,
        received: String(spec.biases.length),
      });
  }
  const W = spec.weights;
  return dense(inputs, units, {
    bias,
    init: INITIALIZERS[spec.init ?? 'glorotUniform'],
    biasInit: INITIALIZERS[spec.biasInit ?? 'zeros'],
    ...(W === undefined ? {} : { weights: spec.biases === undefined ? { W } : { W, b: spec.biases } }),
    ...(spec.kernelRegularizer === undefined ? {} : { kernelRegularizer: regularizerFrom(spec.kernelRegularizer) }),
  });
}

function regularizerFrom(c: KernelRegularizerConfig): Regularizer {
  if (c.l1 !== undefined && c.l2 !== undefined) return l1l2({ l1: c.l1, l2: c.l2 });
  return c.l1 !== undefined ? l1(c.l1) : l2(c.l2);
}

/** Whether a dense layer's tensors are all fixed by its config (explicit, zeros or ones). */
function isFixed(spec: DenseLayerConfig): boolean {
  if (spec.weights === undefined) return false;
  return (
    spec.bias === false || spec.biases !== undefined || spec.biasInit === undefined || spec.biasInit === 'zeros' || spec.biasInit === 'ones'
  );
}

function checkMatrix(rows: readonly (readonly number[])[], inputs: number, units: number, path: string): void {
  if (rows.length !== inputs)
    throw new GradstreamError({
      code: 'invalid_config',
      path,
      expected: `${inputs} rows (inputs) of ${units} numbers (units)`,
      received: `${rows.length} rows`,
    });
  for (let r = 0; r < rows.length; r++) {
    if (rows[r]!.length !== units)
      throw new GradstreamError({
        code: 'invalid_config',
        path: `${path}[${r}]`,
        expected: `${units} numbers (units)`,
        received: String(rows[r]!.length),
      });
  }
}

function moduleLayer(ref: ModuleRef, modules: ModuleExports | undefined, prevWidth: number | undefined, path: string): Layer {
  const layer = moduleExport(ref, modules, path);
  checkExport(ref, layer, 'a layer (init, forward, backward), e.g. from defineLayer', ['init', 'forward', 'backward'], path);
  const l = layer as Layer;
  if (prevWidth !== undefined && l.inputs !== prevWidth) {
    throw new GradstreamError({
      code: 'invalid_config',
      path,
      expected: `a layer of ${prevWidth} inputs (the width of the layer before)`,
      received: `${describeLayer(l)} of ${l.inputs} inputs`,
    });
  }
  return withConfig(l, ref);
}

function activationFrom(
  spec: Exclude<LayerConfig, DenseLayerConfig | SequenceLayerConfig | ShapeLayerConfig | ModuleRef>,
  width: number,
): Layer {
  switch (spec.type) {
    case 'relu':
      return relu(width);
    case 'leakyRelu':
      return leakyRelu(spec.alpha, width);
    case 'elu':
      return elu(spec.alpha, width);
    case 'sigmoid':
      return sigmoid(width);
    case 'tanh':
      return tanh(width);
    case 'softplus':
      return softplus(width);
    case 'identity':
      return identity(width);
    case 'softmax':
      return softmax(width);
    case 'dropout':
      return dropout(spec.rate, width);
    case 'batchNorm':
      return batchNorm(
        {
          ...(spec.momentum === undefined ? {} : { momentum: spec.momentum }),
          ...(spec.epsilon === undefined ? {} : { epsilon: spec.epsilon }),
        },
        width,
      );
  }
}
