import type { LayerConfig, ModelConfig } from './config/modelConfig.js';
import { GradstreamError, describeTyped } from './errors.js';
import { INFERENCE, type ForwardMode, type Layer, type LayerContext } from './layer.js';
import { isActivationLayer } from './layers/activation.js';
import { outputShapeOf } from './layerShape.js';
import type { ForwardCache, Model } from './model.js';
import type { Precision } from './kernelsF32.js';
import { createParamsIn, paramLayout, precisionOf, zerosIn, type ParamLayout, type Params } from './params.js';
import { rngKey, type Rng } from './rng.js';

/**
 * Composes layers into a {@link Model}. Parameters are named `"<layer index>.<name>"`
 * (`"0.W"`, `"0.b"`, `"2.W"`, …), in layer order. Activations made without a size (`relu()`)
 * take the size of the layer before them; layers made without an input shape (`conv2d({ filters,
 * kernelSize })`, `maxPool2d()`, `flatten()`) take the sample shape the layer before them gives
 * (its `outputShape`, kept through activations and dropout). Each batch is one `[batch, inputs]` matrix; the
 * forward pass runs every layer over the whole batch, the backward pass runs them in reverse
 * (skipping `∂L/∂input` of the first layer), all in buffers made once per batch size by
 * `createCache`.
 *
 * Errors with a `GradstreamError` (`invalid_shape`) when layer sizes do not chain, and at
 * `forward` when the input does not have the first layer's number of features.
 *
 * `options.precision` (`'float64'`, the default, or `'float32'`): with `'float32'` the
 * parameters, activations, gradients (and the optimizers' state, which follows the parameters)
 * are `Float32Array`s and dense and convolution layers run on the `f32x4` kernels (`matmulF32`,
 * …); each batch's float64 inputs are rounded into a float32 buffer of the cache. Every layer must
 * have a float32 form (every built-in layer but dropout and batchNorm does): batchNorm, dropout or a custom layer without `float32()`
 * is refused with a `GradstreamError` naming it. The static types do not change (buffers are
 * typed `Float64Array`); `model.precision` and `params.data instanceof Float32Array` tell.
 *
 * @example
 * import { createRng, dense, relu, sequential } from 'gradstream';
 * const model = sequential([dense(4, 4, { bias: false })]);
 * const params = model.init(createRng(42));
 * const fast = sequential([dense(784, 128), relu(), dense(128, 10)], { precision: 'float32' });
 */
export function sequential(layersIn: readonly Layer[], options: SequentialOptions = {}): SequentialModel {
  const precision = checkPrecision(options);
  if (!Array.isArray(layersIn)) {
    throw new GradstreamError({
      code: 'invalid_config',
      path: 'sequential(layers)',
      expected: 'an array of layers, e.g. [dense(4, 8), relu(), dense(8, 1)]',
      received: describeTyped(layersIn),
    });
  }
  if (layersIn.length === 0) {
    throw new GradstreamError({ code: 'invalid_shape', path: 'sequential(layers)', expected: 'at least one layer', received: 'none' });
  }
  const layers = resolveLayers(layersIn);
  if (precision === 'float32') toFloat32(layers);
  return modelOf(new SequentialNet(layers, precision));
}

/** The model object of `net`: own methods (a spread copy of a model keeps them) that call the net's. */
function modelOf(net: SequentialNet): SequentialModel {
  return {
    layers: Object.freeze(net.layers),
    ...(net.penalized ? { penalty: (params: Params) => net.penalty(params) } : {}),
    toConfig: () => net.toConfig(),
    layout: net.layout,
    inputs: net.inputs,
    outputs: net.outputs,
    precision: net.precision,
    init: (rng) => net.init(rng),
    createCache: (batchSize) => net.createCache(batchSize),
    forward: net.forward,
    backward: net.backward,
  };
}

/** The layers with their sizes and input shapes resolved from the layers before them, checked to chain. */
function resolveLayers(layersIn: readonly Layer[]): Layer[] {
  const layers: Layer[] = [];
  let shape: readonly number[] | undefined; // the shape of a sample after the layers so far
  for (let i = 0; i < layersIn.length; i++) {
    let cur = checkLayer(layersIn[i], i);
    const prev = layers[i - 1];
    if (cur.inputs === 0 && typeof cur.withInputShape === 'function') {
      cur = resolveShape(cur, shape, i);
    } else if (cur.inputs === 0 && isActivationLayer(cur)) {
      if (prev === undefined) {
        throw new GradstreamError({
          code: 'invalid_shape',
          path: 'layers[0]',
          expected: `a layer with a size first (e.g. dense), or ${cur.kind}(n)`,
          received: `${cur.kind} without a size`,
        });
      }
      cur = cur.withSize(prev.outputs);
    }
    if (prev !== undefined) checkChain(prev, cur, shape, i);
    layers.push(cur);
    shape = outputShapeOf(cur, shape);
  }
  return layers;
}

/** Layer `i` (`cur`) takes what layer `i − 1` (`prev`, giving samples of `shape`) gives, or a `GradstreamError`. */
function checkChain(prev: Layer, cur: Layer, shape: readonly number[] | undefined, i: number): void {
  if (prev.outputs !== cur.inputs) {
    throw new GradstreamError({
      code: 'invalid_shape',
      path: `layers[${i}]`,
      expected: `${prev.outputs} inputs (the outputs of ${describeLayer(prev)} at layer ${i - 1})`,
      received: describeLayer(cur),
    });
  }
  if (cur.inputShape !== undefined && shape !== undefined && shape.length > 1 && shape.join() !== cur.inputShape.join()) {
    throw new GradstreamError({
      code: 'invalid_shape',
      path: `layers[${i}]`,
      expected: `input shape [${shape.join(', ')}] (the output of ${describeLayer(prev)} at layer ${i - 1})`,
      received: describeLayer(cur),
    });
  }
}

/** Replaces each layer by its float32 form, or a `GradstreamError` naming the first without one. */
function toFloat32(layers: Layer[]): void {
  for (let i = 0; i < layers.length; i++) {
    const layer = layers[i]!;
    if (typeof layer.float32 !== 'function') {
      throw new GradstreamError({
        code: 'invalid_config',
        path: `layers[${i}]`,
        expected: "a layer with a float32 form for precision 'float32' (every layer but dropout and batchNorm)",
        received: `${describeLayer(layer)}, which computes in float64 only`,
      });
    }
    layers[i] = layer.float32();
  }
}

/**
 * The state and passes of a model made by {@link sequential}: one class for every model, so the
 * passes are the same functions in every run (V8 inlines them into the step).
 */
class SequentialNet {
  readonly layout: ParamLayout;
  readonly inputs: number;
  readonly outputs: number;
  readonly penalized: boolean;
  /** Index of each layer's first tensor in the layout. */
  private readonly first: number[] = [];
  /** The layer of a one-layer model (linear and logistic regression, the seed lesson): no loop per pass. */
  private readonly single: Layer | null;
  /** Layers before the first one with parameters (a `reshape` in front) need no input gradient. */
  private readonly firstWithParams: number;
  /** Per-layer tensor views of a Params object, computed once per Params object. */
  private readonly viewsOf = new WeakMap<Params, Float64Array[][]>();

  constructor(
    readonly layers: Layer[],
    readonly precision: Precision,
  ) {
    const entries: [string, readonly number[], boolean][] = [];
    for (let i = 0; i < layers.length; i++) {
      this.first.push(entries.length);
      for (const p of layers[i]!.params) entries.push([`${i}.${p.name}`, p.shape, p.trainable ?? true]);
    }
    this.layout = paramLayout(entries);
    this.single = layers.length === 1 ? layers[0]! : null;
    this.inputs = layers[0]!.inputs;
    this.outputs = layers[layers.length - 1]!.outputs;
    this.firstWithParams = Math.max(
      0,
      layers.findIndex((l) => l.params.length > 0),
    );
    this.penalized = layers.some((l) => l.penalty !== undefined);
  }

  /** The per-layer tensor views of `params` (checked against the layout and precision once). */
  views(params: Params): Float64Array[][] {
    let v = this.viewsOf.get(params);
    if (v === undefined) {
      const layout = this.layout;
      if (params.layout.size !== layout.size) {
        throw new GradstreamError({
          code: 'invalid_shape',
          path: 'params',
          expected: `${layout.size} parameters (${layout.names.join(', ')})`,
          received: String(params.layout.size),
        });
      }
      if (precisionOf(params.data) !== this.precision) throwPrecision(this.precision, params.data);
      const first = this.first;
      v = this.layers.map((layer, i) => params.tensors.slice(first[i], first[i]! + layer.params.length) as Float64Array[]);
      this.viewsOf.set(params, v);
    }
    return v;
  }

  /** The views of `params`, bound to the cache until other params come. */
  private paramViews(c: BoundCache, params: Params): Float64Array[][] {
    if (c.params !== params) {
      c.paramViews = this.views(params);
      c.params = params;
    }
    return c.paramViews;
  }

  // The two passes are arrow functions made per model, which the model object holds itself (no
  // wrapper call per step, and a spread copy of the model keeps them).
  readonly forward = (params: Params, x: Readonly<Float64Array>, cache: ForwardCache, mode: ForwardMode = INFERENCE): Float64Array => {
    const c = cache as BoundCache;
    const batch = c.batchSize;
    if (x.length !== batch * this.inputs) throwInputShape(this.layers[0]!, this.inputs, batch, x.length);
    const v = this.paramViews(c, params);
    const acts = c.activations;
    const rng = mode.rng;
    if (rng !== c.keyRng) readKey(c, rng);
    if (c.input === null) acts[0] = x as Float64Array;
    else acts[0] = roundInput(c.input, x);
    const ctx = c.contexts[0]!;
    setContext(ctx, mode, c.key);
    const single = this.single;
    if (single !== null) {
      single.forward(v[0]!, acts[0]!, acts[1]!, batch, ctx);
      return acts[1]!;
    }
    return this.forwardLayers(c, v, mode);
  };

  // The passes of models with several layers (a one-layer model calls its layer directly); kept
  // out of `forward` and `backward` so that those stay small enough for V8 to inline.
  private forwardLayers(c: BoundCache, v: Float64Array[][], mode: ForwardMode): Float64Array {
    const acts = c.activations;
    const layers = this.layers;
    for (let i = 0; i < layers.length; i++) {
      const ctx = c.contexts[i]!;
      if (i > 0) setContext(ctx, mode, c.key);
      layers[i]!.forward(v[i]!, acts[i]!, acts[i + 1]!, c.batchSize, ctx);
    }
    return acts[layers.length]!;
  }

  readonly backward = (params: Params, cache: ForwardCache, dY: Readonly<Float64Array>, grads: Params): void => {
    const c = cache as BoundCache;
    const v = this.paramViews(c, params);
    let g = c.gradViews;
    if (c.grads !== grads) {
      g = c.gradViews = this.views(grads);
      c.grads = grads;
    }
    const single = this.single;
    if (single !== null) {
      const acts = c.activations;
      single.backward(v[0]!, acts[0]!, acts[1]!, dY, null, g[0]!, c.batchSize, c.contexts[0]);
      return;
    }
    this.backwardLayers(c, v, g, dY);
  };

  private backwardLayers(c: BoundCache, v: Float64Array[][], g: Float64Array[][], dY: Readonly<Float64Array>): void {
    const acts = c.activations;
    const layers = this.layers;
    const firstWithParams = this.firstWithParams;
    let delta: Readonly<Float64Array> = dY;
    for (let i = layers.length - 1; i >= firstWithParams; i--) {
      const dX = i > firstWithParams ? c.deltas[i]! : null;
      layers[i]!.backward(v[i]!, acts[i]!, acts[i + 1]!, delta, dX, g[i]!, c.batchSize, c.contexts[i]);
      if (dX !== null) delta = dX;
    }
  }

  penalty(params: Params): number {
    const v = this.views(params);
    const layers = this.layers;
    let s = 0;
    for (let i = 0; i < layers.length; i++) {
      const layer = layers[i]!;
      if (layer.penalty !== undefined) s += layer.penalty(v[i]!);
    }
    return s;
  }

  init(rng: Rng): Params {
    const params = createParamsIn(this.layout, this.precision);
    const v = this.views(params);
    this.layers.forEach((layer, i) => layer.init(rng, v[i]!));
    return params;
  }

  createCache(batchSize: number): BoundCache {
    if (!Number.isInteger(batchSize) || batchSize < 1) {
      throw new GradstreamError({
        code: 'invalid_shape',
        path: 'batchSize',
        expected: 'a positive integer',
        received: describeTyped(batchSize),
      });
    }
    const { layers, precision } = this;
    return {
      batchSize,
      activations: [new Float64Array(0), ...layers.map((l) => zerosIn(precision, batchSize * l.outputs))],
      deltas: layers.map((l, i) => zerosIn(precision, i === 0 ? 0 : batchSize * l.inputs)),
      params: null,
      paramViews: [],
      grads: null,
      gradViews: [],
      contexts: layers.map((l, index) => createContext(l, index, batchSize)),
      keyRng: undefined,
      key: 0,
      input: precision === 'float32' ? zerosIn(precision, batchSize * this.inputs) : null,
    };
  }

  toConfig(): ModelConfig {
    const specs: LayerConfig[] = [];
    const layers = this.layers;
    for (let i = 0; i < layers.length; i++) {
      const layer = layers[i]!;
      if (layer.toConfig === undefined) {
        throw new GradstreamError({
          code: 'invalid_config',
          path: `layers[${i}]`,
          expected: 'a layer that can be saved as config (a built-in layer, or one with toConfig)',
          received: `${describeLayer(layer)} without toConfig`,
        });
      }
      specs.push(layer.toConfig());
    }
    return this.precision === 'float32' ? { layers: specs, precision: this.precision } : { layers: specs };
  }
}

/** A layer's context in a new cache: inference until a forward pass sets it. */
function createContext(layer: Layer, index: number, batchSize: number): LayerContext {
  return {
    index,
    training: false,
    rng: undefined,
    step: -1,
    foldStats: true,
    key: 0,
    scratch: layer.createScratch?.(batchSize) ?? [],
  };
}

/**
 * The caches `sequential` makes also remember the per-layer tensor views of the last params and
 * grads they were used with: one identity check per step instead of a lookup.
 */
interface BoundCache extends ForwardCache {
  params: Params | null;
  paramViews: Float64Array[][];
  grads: Params | null;
  gradViews: Float64Array[][];
  /** One context per layer, set by each forward pass. */
  contexts: LayerContext[];
  /** The generator `key` was read from. */
  keyRng: Rng | undefined;
  key: number;
  /** float32 models: the buffer each batch's input is rounded into (null in float64). */
  input: Float64Array | null;
}

/** Options of {@link sequential}. */
export interface SequentialOptions {
  /**
   * The number type of parameters, activations, gradients and optimizer state: `'float64'`
   * (the default) or `'float32'` (about twice as fast on large dense layers, to float32
   * round-off).
   */
  readonly precision?: Precision;
}

function checkPrecision(options: unknown): Precision {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new GradstreamError({
      code: 'invalid_config',
      path: 'sequential(options)',
      expected: "an options object ({ precision: 'float32' })",
      received: describeTyped(options),
    });
  }
  for (const key of Object.keys(options)) {
    if (key !== 'precision')
      throw new GradstreamError({
        code: 'invalid_config',
        path: `sequential.${key}`,
        expected: 'a known option (precision)',
        received: 'an unknown option',
      });
  }
  const p = (options as SequentialOptions).precision ?? 'float64';
  if (p !== 'float64' && p !== 'float32') {
    throw new GradstreamError({
      code: 'invalid_config',
      path: 'sequential.precision',
      expected: "'float64' or 'float32'",
      received: describeTyped(p),
    });
  }
  return p;
}

// Kept out of `forward` so that the hot path stays small enough to inline.
function roundInput(buffer: Float64Array, x: Readonly<Float64Array>): Float64Array {
  buffer.set(x);
  return buffer;
}

function throwPrecision(precision: Precision, data: Readonly<Float64Array>): never {
  const made = precision === 'float32' ? "model.init(rng) or createParamsIn(layout, 'float32')" : 'model.init(rng) or createParams(layout)';
  throw new GradstreamError({
    code: 'invalid_value',
    path: 'params.data',
    expected: `a ${precision === 'float32' ? 'Float32Array' : 'Float64Array'} (the model's precision is ${precision}: ${made})`,
    received: `a ${precisionOf(data) === 'float32' ? 'Float32Array' : 'Float64Array'}`,
  });
}

/** A {@link Model} made by {@link sequential}: also lists its layers (sizes resolved). */
export interface SequentialModel extends Model {
  readonly layers: readonly Layer[];
  /** `'float64'` (the default) or `'float32'` (`sequential(layers, { precision })`). */
  readonly precision: Precision;
  /**
   * The model as config data: each layer's kind and options, without weights (a checkpoint
   * stores those). `modelFromConfig(model.toConfig())` rebuilds a model of the same layout.
   * Errors with a `GradstreamError` (`invalid_config`) when a layer has no `toConfig` (custom).
   */
  toConfig(): ModelConfig;
}

/**
 * `value` if it has the shape of a {@link Layer} (a kind, integer sizes, a list of parameter specs
 * and the init / forward / backward functions), else a `GradstreamError` naming `layers[i]`.
 */
function checkLayer(value: unknown, i: number): Layer {
  const l = value as Partial<Layer> | null;
  const size = (n: unknown): boolean => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;
  const ok =
    typeof l === 'object' &&
    l !== null &&
    typeof l.kind === 'string' &&
    size(l.inputs) &&
    size(l.outputs) &&
    Array.isArray(l.params) &&
    typeof l.init === 'function' &&
    typeof l.forward === 'function' &&
    typeof l.backward === 'function';
  if (!ok) {
    throw new GradstreamError({
      code: 'invalid_config',
      path: `layers[${i}]`,
      expected: 'a layer (dense(…), relu(), dropout(…), … or an object implementing Layer)',
      received: describeTyped(value),
    });
  }
  return l as Layer;
}

/** `dense(4→8)`, `relu(8)`, `conv2d(8×8×1→8×8×16)`: a layer's kind and sizes, for messages and summaries. */
export function describeLayer(layer: Layer): string {
  if (layer.inputShape !== undefined || layer.outputShape !== undefined) {
    return `${layer.kind}(${(layer.inputShape ?? [layer.inputs]).join('×')}→${(layer.outputShape ?? [layer.outputs]).join('×')})`;
  }
  return layer.inputs === layer.outputs && (layer.params.length === 0 || isActivationLayer(layer))
    ? `${layer.kind}(${layer.inputs})`
    : `${layer.kind}(${layer.inputs}→${layer.outputs})`;
}

/** A layer made without an input shape, for the shape after the layers before it (layer `i`). */
function resolveShape(layer: Layer, shape: readonly number[] | undefined, i: number): Layer {
  if (shape === undefined) {
    throw new GradstreamError({
      code: 'invalid_shape',
      path: 'layers[0]',
      expected: `an input shape first: ${layer.kind}({ inputShape: [height, width, channels], … }), or a layer before it (e.g. reshape([8, 8, 1]))`,
      received: `${layer.kind} without an input shape`,
    });
  }
  const resolved = layer.withInputShape!(shape);
  return checkLayer(resolved, i);
}

/** Sets a layer's context for a forward pass in `mode` (step −1 when the mode has none). */
function setContext(ctx: LayerContext, mode: ForwardMode, key: number): void {
  ctx.training = mode.training;
  ctx.rng = mode.rng;
  ctx.step = mode.step ?? -1;
  ctx.foldStats = mode.foldStats !== false;
  ctx.key = key;
}

// Kept out of `forward` so that the hot path stays small enough to inline.
function readKey(c: BoundCache, rng: Rng | undefined): void {
  c.key = rng === undefined ? 0 : rngKey(rng);
  c.keyRng = rng;
}

// Kept out of `forward` so that the hot path stays small enough to inline.
function throwInputShape(first: Layer, inputs: number, batch: number, received: number): never {
  const features = received / batch;
  throw new GradstreamError({
    code: 'invalid_shape',
    path: `layers[0] (${describeLayer(first)})`,
    expected: `input rows of ${inputs} features (${batch} rows: ${batch * inputs} numbers)`,
    received: Number.isInteger(features) ? `input with ${features} features` : `${received} numbers for ${batch} rows`,
  });
}
