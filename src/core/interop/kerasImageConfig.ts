import { GradstreamError } from '../errors.js';
import { checkPadding, checkPair, type Padding } from '../layers/convGeometry.js';
import type { TfjsLayerJson } from './layerCodec.js';

/** Reads the options of an imported Keras image layer; errors name the layer's field. */
export interface KerasImageConfig {
  /** A size or `[height, width]` pair option (`kernel_size`, `strides`), `fallback` when absent or null. */
  pair(key: string, fallback?: [number, number]): [number, number];
  /** `padding`: `'valid'` (default) or `'same'`. */
  padding(): Padding;
  /** Errors unless option `key` is absent, null or one of `allowed`. */
  only(key: string, allowed: readonly unknown[], expected: string): void;
}

/**
 * The options reader of Keras image layer `json`, after checking it runs channels last
 * (`data_format` absent, null or `'channels_last'`) and, unless `anyShape`, that its samples have
 * shape `[height, width, channels]`.
 */
export function kerasImageConfig(json: TfjsLayerJson, shape: readonly number[], anyShape = false): KerasImageConfig {
  const at = (key: string): string => `${json.path}.config.${key}`;
  const c = json.config;
  const reader: KerasImageConfig = {
    pair(key, fallback) {
      const v = c[key];
      if ((v === undefined || v === null) && fallback !== undefined) return fallback;
      return checkPair(at(key), v);
    },
    padding: () => checkPadding(at('padding'), c.padding),
    only(key, allowed, expected) {
      const v = c[key];
      if (v === undefined || v === null || allowed.some((a) => JSON.stringify(a) === JSON.stringify(v))) return;
      throw new GradstreamError({ code: 'invalid_config', path: at(key), expected, received: JSON.stringify(v) });
    },
  };
  reader.only('data_format', ['channels_last'], "'channels_last' (gradstream samples are NHWC)");
  if (!anyShape && shape.length !== 3) {
    throw new GradstreamError({
      code: 'invalid_shape',
      path: json.path,
      expected: `samples of shape [height, width, channels] for ${json.className} (a Reshape before it)`,
      received: `[${shape.join(', ')}]`,
    });
  }
  return reader;
}
