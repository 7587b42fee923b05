import { activationCodec } from './activationCodec.js';
import { batchNormCodec } from './batchNormCodec.js';
import { conv2dCodec } from './conv2dCodec.js';
import { denseCodec } from './denseCodec.js';
import { dropoutCodec } from './dropoutCodec.js';
import { embeddingCodec } from './embeddingCodec.js';
import { flattenCodec } from './flattenCodec.js';
import { globalAvgPool2dCodec } from './globalAvgPool2dCodec.js';
import { gruCodec } from './gruCodec.js';
import type { LayerCodec } from './layerCodec.js';
import { lstmCodec } from './lstmCodec.js';
import { pool2dCodec } from './pool2dCodec.js';
import { reshapeCodec } from './reshapeCodec.js';

/** Every layer type that can be exported and imported: a new layer type adds its codec here. */
export const LAYER_CODECS: readonly LayerCodec[] = [
  denseCodec,
  activationCodec,
  dropoutCodec,
  batchNormCodec,
  conv2dCodec,
  pool2dCodec,
  globalAvgPool2dCodec,
  flattenCodec,
  reshapeCodec,
  embeddingCodec,
  lstmCodec,
  gruCodec,
];
