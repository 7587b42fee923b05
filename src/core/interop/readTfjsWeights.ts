import { GradstreamError, describeTyped } from '../errors.js';

/**
 * The weights of a TensorFlow.js weights manifest, by name, read from `weightData` (the manifest's
 * files concatenated in order, as `tf.io.fromMemory` takes them). Only float32 weights without
 * quantization are read; errors with a `GradstreamError` naming the manifest entry otherwise, and
 * when the data is shorter or longer than the manifest says.
 */
export function readTfjsWeights(
  manifest: unknown,
  weightData: ArrayBuffer | ArrayBufferView,
): Map<string, { shape: number[]; values: Float32Array }> {
  const bytes = toBytes(weightData);
  if (!Array.isArray(manifest)) throw invalid('weightsManifest', 'a list of weight groups ({ paths, weights })', manifest);
  const out = new Map<string, { shape: number[]; values: Float32Array }>();
  let at = 0;
  manifest.forEach((group: unknown, g) => {
    const weights = (group as { weights?: unknown } | null)?.weights;
    if (!Array.isArray(weights)) throw invalid(`weightsManifest[${g}].weights`, 'a list of weights ({ name, shape, dtype })', weights);
    weights.forEach((w: unknown, i) => {
      const path = `weightsManifest[${g}].weights[${i}]`;
      const spec = (typeof w === 'object' && w !== null ? w : {}) as Record<string, unknown>;
      if (typeof spec.name !== 'string') throw invalid(`${path}.name`, 'a weight name', spec.name);
      if ((spec.dtype ?? 'float32') !== 'float32') throw invalid(`${path}.dtype`, '"float32"', spec.dtype);
      if (spec.quantization !== undefined) throw invalid(`${path}.quantization`, 'no quantization (float32 weights)', spec.quantization);
      const shape = spec.shape;
      if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && (d as number) >= 0))
        throw invalid(`${path}.shape`, 'a list of sizes', shape);
      const count = (shape as number[]).reduce((a, b) => a * b, 1);
      if (at + count * 4 > bytes.byteLength) {
        throw new GradstreamError({
          code: 'invalid_dataset',
          path: 'weightData',
          expected: `at least ${at + count * 4} bytes (the manifest up to ${spec.name})`,
          received: `${bytes.byteLength} bytes`,
        });
      }
      const view = new DataView(bytes.buffer, bytes.byteOffset + at, count * 4);
      const values = new Float32Array(count);
      for (let k = 0; k < count; k++) values[k] = view.getFloat32(k * 4, true);
      out.set(spec.name, { shape: shape as number[], values });
      at += count * 4;
    });
  });
  if (at !== bytes.byteLength)
    throw new GradstreamError({
      code: 'invalid_dataset',
      path: 'weightData',
      expected: `${at} bytes (the weights the manifest lists)`,
      received: `${bytes.byteLength} bytes`,
    });
  return out;
}

function toBytes(data: ArrayBuffer | ArrayBufferView): Uint8Array {
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  throw invalid('weightData', 'the weights file as an ArrayBuffer or Uint8Array', data);
}

function invalid(path: string, expected: string, value: unknown): GradstreamError {
  return new GradstreamError({ code: 'invalid_config', path, expected, received: describeTyped(value) });
}
