import { activationCodec } from './activationCodec.js';
import { batchNormCodec } from './batchNormCodec.js';
import { denseCodec } from './denseCodec.js';
import { dropoutCodec } from './dropoutCodec.js';
import { embeddingCodec } from './embeddingCodec.js';
import { gruCodec } from './gruCodec.js';
import { lstmCodec } from './lstmCodec.js';
import type { LayerCodec } from './layerCodec.js';

/** Every layer type that can be exported and imported: a new layer type adds its codec here. */
export const LAYER_CODECS: readonly LayerCodec[] = [
  denseCodec,
  activationCodec,
  dropoutCodec,
  batchNormCodec,
  embeddingCodec,
  lstmCodec,
  gruCodec,
];
