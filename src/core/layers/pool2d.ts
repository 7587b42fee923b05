import type { Pool2dLayerConfig } from '../config/modelConfig.js';
import { checkOptions } from '../optimizers/checkOption.js';
import type { Layer } from '../layer.js';
import { checkPadding, checkPair, checkShape, convGeometry, type ConvGeometry, type Padding } from './convGeometry.js';
import { deferredLayer } from './deferredLayer.js';

/** Options of `maxPool2d` and `avgPool2d` (Keras' names). */
export interface Pool2dOptions {
  /** Window height and width: `2` or `[2, 2]` (default 2). */
  readonly poolSize?: number | readonly [number, number];
  /** Steps between windows (default: the pool size, windows side by side). */
  readonly strides?: number | readonly [number, number];
  /** `'valid'` (default) or `'same'` (windows reaching past the edge cover only the cells inside). */
  readonly padding?: Padding;
  /** `[height, width, channels]` of one input sample; without it, the output shape of the layer before. */
  readonly inputShape?: readonly number[];
}

/** The passes of one pooling kind; `scratch` has `batch · outputs` numbers (max pooling keeps its choices there). */
export interface PoolKernels {
  forward(x: Readonly<Float64Array>, y: Float64Array, g: ConvGeometry, batch: number, scratch: Float64Array): void;
  backward(dY: Readonly<Float64Array>, dX: Float64Array, g: ConvGeometry, batch: number, scratch: Readonly<Float64Array>): void;
}

/**
 * A parameter-free pooling layer of `kind` over NHWC samples: windows of `poolSize` moved by
 * `strides`, each channel on its own; the output is `[outHeight, outWidth, channels]`.
 */
export function pool2d(kind: 'maxPool2d' | 'avgPool2d', options: Pool2dOptions, kernels: PoolKernels): Layer {
  checkOptions(kind, options, ['poolSize', 'strides', 'padding', 'inputShape']);
  const pool = options.poolSize === undefined ? ([2, 2] as [number, number]) : checkPair(`${kind}.poolSize`, options.poolSize);
  const strides = options.strides === undefined ? pool : checkPair(`${kind}.strides`, options.strides);
  const padding = checkPadding(`${kind}.padding`, options.padding);
  const build = (shape: readonly number[]): Layer => {
    const g = convGeometry(`${kind}.inputShape`, shape, pool, strides, padding);
    const outputs = g.oh * g.ow * g.c;
    let own = new Float64Array(0); // the scratch of passes without a context (a layer used alone)
    const scratchFor = (scratch: readonly Float64Array[] | undefined, batch: number): Float64Array => {
      const s = scratch?.[0];
      if (s !== undefined && s.length >= batch * outputs) return s;
      if (own.length < batch * outputs) own = new Float64Array(batch * outputs);
      return own;
    };
    const config: Pool2dLayerConfig = {
      type: kind,
      inputShape: [g.h, g.w, g.c],
      poolSize: pair(pool),
      ...(strides === pool ? {} : { strides: pair(strides) }),
      ...(padding === 'valid' ? {} : { padding }),
    };
    const layer: Layer = {
      kind,
      inputs: g.h * g.w * g.c,
      outputs,
      inputShape: Object.freeze([g.h, g.w, g.c]),
      outputShape: Object.freeze([g.oh, g.ow, g.c]),
      params: [],
      init() {},
      createScratch: (batch) => [new Float64Array(batch * outputs)],
      forward(_p, x, y, batch, ctx) {
        kernels.forward(x, y, g, batch, scratchFor(ctx?.scratch, batch));
      },
      backward(_p, _x, _y, dY, dX, _g, batch, ctx) {
        if (dX !== null) kernels.backward(dY, dX, g, batch, scratchFor(ctx?.scratch, batch));
      },
      toConfig: () => structuredClone(config),
      // Pooling compares and averages in JavaScript on either array type: the float32 form is the layer itself.
      float32: () => layer,
    };
    return layer;
  };
  return options.inputShape === undefined ? deferredLayer(kind, build) : build(checkShape(`${kind}.inputShape`, options.inputShape));
}

function pair(p: readonly [number, number]): number | [number, number] {
  return p[0] === p[1] ? p[0] : [p[0], p[1]];
}
