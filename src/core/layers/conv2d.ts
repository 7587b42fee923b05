import type { Conv2dLayerConfig } from '../config/modelConfig.js';
import { checkBoolean, checkFunction, checkInteger, checkOptions } from '../optimizers/checkOption.js';
import { glorotUniform, initializerName, zeros, type Initializer } from '../initializers.js';
import { addRowVector, sumRows } from '../kernels.js';
import type { Precision } from '../kernelsF32.js';
import { zerosIn } from '../params.js';
import type { Layer } from '../layer.js';
import { checkPadding, checkPair, checkShape, convGeometry, type ConvGeometry, type Padding } from './convGeometry.js';
import { deferredLayer } from './deferredLayer.js';
import { gemmFor } from './gemmFor.js';
import { col2im, im2col } from './im2col.js';

/** Options of {@link conv2d} (Keras' `Conv2D` names). */
export interface Conv2dOptions {
  /** Output channels (the number of kernels). */
  readonly filters: number;
  /** Kernel height and width: `3` or `[3, 3]`. */
  readonly kernelSize: number | readonly [number, number];
  /** Steps between windows (default 1). */
  readonly strides?: number | readonly [number, number];
  /** `'valid'` (default: no padding) or `'same'` (zero padding; output size `ceil(input / stride)`). */
  readonly padding?: Padding;
  /** `[height, width, channels]` of one input sample; without it, the output shape of the layer before. */
  readonly inputShape?: readonly number[];
  /** Add a bias per filter (default true). */
  readonly bias?: boolean;
  /** Initializer of the kernel (default {@link glorotUniform}, fan-in `kh·kw·channels`, fan-out `kh·kw·filters`). */
  readonly init?: Initializer;
  /** Initializer of the bias (default {@link zeros}). */
  readonly biasInit?: Initializer;
}

/**
 * A 2-D convolution over NHWC samples (Keras' `Conv2D`, `channels_last`): each sample is
 * `[height, width, channels]` row major, the output `[outHeight, outWidth, filters]`. The kernel
 * `W` has shape `[kh, kw, channels, filters]` (TensorFlow's layout), the bias `b` `[filters]`.
 *
 * Forward copies each window into a row (im2col) and multiplies by `W` viewed as a
 * `[kh·kw·channels, filters]` matrix on the matrix kernels (WebAssembly SIMD); backward is
 * `dW = colsᵀ·dY`, `db = Σ dY`, and `dX` the windows of `dY·Wᵀ` summed back (col2im). A 1×1
 * kernel with strides 1 multiplies the input rows directly.
 *
 * Without `inputShape` it takes the output shape of the layer before it in `sequential` (for
 * example `reshape([8, 8, 1])`).
 *
 * @example
 * import { conv2d, dense, flatten, maxPool2d, relu, reshape, sequential, softmax } from 'gradstream';
 * const model = sequential([
 *   reshape([8, 8, 1]),
 *   conv2d({ filters: 16, kernelSize: 3, padding: 'same' }),
 *   relu(),
 *   maxPool2d({ poolSize: 2 }),
 *   flatten(),
 *   dense(256, 10),
 *   softmax(),
 * ]);
 */
export function conv2d(options: Conv2dOptions): Layer {
  checkOptions('conv2d', options, CONV_OPTIONS, true);
  const filters = checkInteger('conv2d.filters', options.filters, 1, 'invalid_config');
  const kernel = checkPair('conv2d.kernelSize', options.kernelSize);
  const strides = options.strides === undefined ? ([1, 1] as [number, number]) : checkPair('conv2d.strides', options.strides);
  const padding = checkPadding('conv2d.padding', options.padding);
  const bias = checkBoolean('conv2d.bias', options.bias ?? true);
  const initW = checkFunction<Initializer>('conv2d.init', options.init ?? glorotUniform, 'an initializer (glorotUniform, heNormal, …)');
  const initB = checkFunction<Initializer>('conv2d.biasInit', options.biasInit ?? zeros, 'an initializer (zeros, …)');
  const build = (shape: readonly number[]): Layer => {
    const g = convGeometry('conv2d.inputShape', shape, kernel, strides, padding);
    const spec: ConvSpec = {
      g,
      filters,
      bias,
      initW,
      initB,
      config: () => convConfig(options, g, filters, kernel, strides, padding, bias),
    };
    return convLayer(spec, 'float64');
  };
  return options.inputShape === undefined ? deferredLayer('conv2d', build) : build(checkShape('conv2d.inputShape', options.inputShape));
}

const CONV_OPTIONS = ['filters', 'kernelSize', 'strides', 'padding', 'inputShape', 'bias', 'init', 'biasInit'];

interface ConvSpec {
  readonly g: ConvGeometry;
  readonly filters: number;
  readonly bias: boolean;
  readonly initW: Initializer;
  readonly initB: Initializer;
  readonly config: () => Conv2dLayerConfig;
}

/** The resolved layer computing in `precision` (the float64 or the `f32x4` matrix products). */
function convLayer(s: ConvSpec, precision: Precision): Layer {
  const k = gemmFor(precision);
  const { g, filters: f, bias } = s;
  const patch = g.kh * g.kw * g.c; // the inner size of the products
  const positions = g.oh * g.ow;
  // A 1×1 kernel moved by 1 without padding: each input row is its own patch (no copy).
  const pointwise = g.kh === 1 && g.kw === 1 && g.sh === 1 && g.sw === 1;
  let own: Float64Array = zerosIn(precision, 0); // the patches when a pass has no context (a layer used alone)
  const colsFor = (scratch: readonly Float64Array[] | undefined, batch: number): Float64Array => {
    const c = scratch?.[0];
    if (c !== undefined && c.length >= batch * positions * patch) return c;
    if (own.length < batch * positions * patch) own = zerosIn(precision, batch * positions * patch);
    return own;
  };
  const layer: Layer = {
    kind: 'conv2d',
    inputs: g.h * g.w * g.c,
    outputs: positions * f,
    inputShape: Object.freeze([g.h, g.w, g.c]),
    outputShape: Object.freeze([g.oh, g.ow, f]),
    params: bias
      ? [
          { name: 'W', shape: [g.kh, g.kw, g.c, f] },
          { name: 'b', shape: [f] },
        ]
      : [{ name: 'W', shape: [g.kh, g.kw, g.c, f] }],
    init(rng, p) {
      s.initW(p[0]!, patch, g.kh * g.kw * f, rng);
      if (bias) s.initB(p[1]!, patch, g.kh * g.kw * f, rng);
    },
    createScratch: (batch) => [zerosIn(precision, pointwise ? 0 : batch * positions * patch)],
    forward(p, x, y, batch, ctx) {
      let cols = x as Float64Array;
      if (!pointwise) im2col((cols = colsFor(ctx?.scratch, batch)), x, g, batch);
      k.mm(y, cols, p[0]!, batch * positions, patch, f);
      if (bias) addRowVector(y, p[1]!, batch * positions, f);
    },
    backward(p, x, _y, dY, dX, grads, batch, ctx) {
      const cols = pointwise ? (x as Float64Array) : colsFor(ctx?.scratch, batch);
      const rows = batch * positions;
      k.mmTA(grads[0]!, cols, dY, rows, patch, f);
      if (bias) sumRows(grads[1]!, dY, rows, f);
      if (dX === null) return;
      if (pointwise) {
        k.mmTB(dX, dY, p[0]!, rows, f, patch);
        return;
      }
      k.mmTB(cols, dY, p[0]!, rows, f, patch); // the patches are no longer needed: their gradient goes in their place
      col2im(dX, cols, g, batch);
    },
    toConfig: s.config,
    float32: () => f32(),
  };
  let single: Layer | undefined;
  const f32 = (): Layer => (precision === 'float32' ? layer : (single ??= convLayer(s, 'float32')));
  return layer;
}

function convConfig(
  o: Conv2dOptions,
  g: ConvGeometry,
  filters: number,
  kernel: [number, number],
  strides: [number, number],
  padding: Padding,
  bias: boolean,
): Conv2dLayerConfig {
  const c: { -readonly [K in keyof Conv2dLayerConfig]: Conv2dLayerConfig[K] } = {
    type: 'conv2d',
    inputShape: [g.h, g.w, g.c],
    filters,
    kernelSize: kernel[0] === kernel[1] ? kernel[0] : [kernel[0], kernel[1]],
  };
  if (strides[0] !== 1 || strides[1] !== 1) c.strides = strides[0] === strides[1] ? strides[0] : [strides[0], strides[1]];
  if (padding !== 'valid') c.padding = padding;
  if (!bias) c.bias = false;
  const wName = o.init === undefined ? undefined : initializerName(o.init);
  if (wName !== undefined && wName !== 'glorotUniform') c.init = wName;
  const bName = o.biasInit === undefined ? undefined : initializerName(o.biasInit);
  if (bias && bName !== undefined && bName !== 'zeros') c.biasInit = bName;
  return c;
}
