/**
 * Image and sequence layers in one model: both travel on the same sample-shape mechanism (the
 * TensorFlow.js emitter's reshapes, the import's shapes). Structure and an import checked against
 * gradstream itself: no runtime loaded, so `npm test` runs it.
 */
import { describe, expect, it } from 'vitest';
import {
  conv2d,
  createRng,
  dense,
  flatten,
  fromTfjsLayers,
  lstm,
  predict,
  reshape,
  sequential,
  toOnnx,
  toTfjsLayers,
} from '../../../src/index.js';
import { pruneOnnxGraph } from '../../../src/core/interop/pruneOnnxGraph.js';
import { expectSamePredictions } from './exportCases.js';

/** The operator types of an ONNX model, in order (read from the node protobufs' `op_type` strings). */
function opTypes(bytes: Uint8Array): string[] {
  const text = new TextDecoder('latin1').decode(bytes);
  const out: string[] = [];
  for (const m of text.matchAll(/\x22([\x01-\x20])([A-Z][A-Za-z]+)/g)) if (m[1]!.charCodeAt(0) === m[2]!.length) out.push(m[2]!);
  return out;
}

const mixed = () =>
  sequential([
    conv2d({ inputShape: [4, 4, 1], filters: 2, kernelSize: 3 }),
    flatten(),
    reshape([2, 4]),
    lstm(3, { timesteps: 2, features: 4, returnSequences: true }),
    lstm(2, { timesteps: 3, features: 2 }),
    dense(2, 1),
  ]);

describe('image and sequence layers in one model', () => {
  it('exports to TensorFlow.js with one Reshape per change of shape, and imports back with the same predictions', () => {
    const model = mixed();
    const params = model.init(createRng(4));
    const { modelJson, weightData } = toTfjsLayers(model, params);
    expect(modelJson.modelTopology.config.layers.map((l) => l.class_name)).toEqual([
      'Reshape',
      'Conv2D',
      'Flatten',
      'Reshape',
      'LSTM',
      'Reshape',
      'LSTM',
      'Dense',
    ]);
    const back = fromTfjsLayers(JSON.parse(JSON.stringify(modelJson)), weightData);
    const rng = createRng(5);
    const x = Array.from({ length: 5 }, () => Array.from({ length: 16 }, () => rng.uniform(-1, 1)));
    expectSamePredictions(predict(back.model, back.params, x), predict(model, params, x), 1);
  });

  it('exports to ONNX: the image operators in NCHW, then the recurrent operators on rows', () => {
    const model = mixed();
    expect(opTypes(toOnnx(model, model.init(createRng(4))))).toEqual([
      'Reshape',
      'Transpose',
      'Conv',
      'Transpose',
      'Flatten',
      'Identity',
      'Identity',
      'Reshape',
      'Transpose',
      'LSTM',
      'Transpose',
      'Reshape',
      'Reshape',
      'Transpose',
      'LSTM',
      'Reshape',
      'Gemm',
    ]);
  });

  it('pruning keeps an operator read through a later output only, and ignores optional inputs left out', () => {
    const nodes = [
      { opType: 'LSTM', name: 'a', inputs: ['input', 'W', 'R', 'B', ''], outputs: ['', 'a'], attributes: [] },
      { opType: 'Relu', name: 'unused', inputs: ['input'], outputs: [''], attributes: [] },
      { opType: 'Reshape', name: 'b', inputs: ['a', 'shape'], outputs: ['output'], attributes: [] },
    ];
    const w = { dims: [1], values: new Float32Array(1) };
    const { nodes: kept, initializers } = pruneOnnxGraph(
      nodes,
      ['W', 'R', 'B', 'shape', 'X'].map((name) => ({ name, ...w })),
      'output',
    );
    expect(kept.map((n) => n.name)).toEqual(['a', 'b']);
    expect(initializers.map((t) => t.name)).toEqual(['W', 'R', 'B', 'shape']);
  });
});
