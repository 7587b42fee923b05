import { GradstreamError, describeTyped } from '../errors.js';
import { embedding } from '../layers/embedding.js';
import type { EmbeddingLayerConfig } from '../config/modelConfig.js';
import type { LayerCodec } from './layerCodec.js';

/** ONNX's `TensorProto.DataType.INT64`, the type `Cast` makes of the ids. */
const INT64 = 7;

/**
 * Embedding tables: in ONNX, the float ids are cast to int64 (`Cast`) and look up the table's rows
 * (`Gather`), each sample's rows side by side (`Reshape`); a Keras `Embedding` (samples of
 * `inputLength` ids, output `[inputLength, outputDim]`). Imported `Embedding`s with `mask_zero`
 * are refused (gradstream has no masks).
 */
export const embeddingCodec: LayerCodec = {
  types: ['embedding'],
  toOnnx(config, tensors, x, onnx) {
    const { inputDim, outputDim, inputLength = 1 } = config as EmbeddingLayerConfig;
    const table = onnx.constant('embeddings', [inputDim, outputDim], tensors[0]!);
    const ids = onnx.node('Cast', [x], [{ name: 'to', int: INT64 }]);
    const rows = onnx.node('Gather', [table, ids], [{ name: 'axis', int: 0 }]);
    return onnx.node('Reshape', [rows, onnx.int64Constant('rows', [2], [-1, inputLength * outputDim])]);
  },
  toTfjs(config, tensors, tfjs) {
    const { inputDim, outputDim, inputLength = 1 } = config as EmbeddingLayerConfig;
    tfjs.layer(
      'Embedding',
      { input_dim: inputDim, output_dim: outputDim, input_length: inputLength, mask_zero: false },
      [{ suffix: 'embeddings', shape: [inputDim, outputDim], values: tensors[0]! }],
      { input: [inputLength], output: [inputLength, outputDim] },
    );
  },
  tfjsClasses: ['Embedding'],
  fromTfjs(json, inputs, shape) {
    const c = json.config;
    const at = (key: string): string => `${json.path}.config.${key}`;
    if (shape.length !== 1)
      throw new GradstreamError({
        code: 'invalid_shape',
        path: json.path,
        expected: 'rows of ids ([null, ids] before the Embedding)',
        received: `[${shape.join(', ')}]`,
      });
    if (c.mask_zero !== undefined && c.mask_zero !== null && c.mask_zero !== false)
      throw new GradstreamError({
        code: 'invalid_config',
        path: at('mask_zero'),
        expected: 'false (gradstream has no masks)',
        received: describeTyped(c.mask_zero),
      });
    const inputDim = size(c.input_dim, at('input_dim'));
    const outputDim = size(c.output_dim, at('output_dim'));
    const table = json.weight('embeddings', [inputDim, outputDim])!;
    return [{ layer: embedding(inputDim, outputDim, { inputLength: inputs }), tensors: [table], shape: [inputs, outputDim] }];
  },
  shapedInputs: true,
};

function size(v: unknown, path: string): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1)
    throw new GradstreamError({ code: 'invalid_config', path, expected: 'an integer ≥ 1', received: describeTyped(v) });
  return v;
}
