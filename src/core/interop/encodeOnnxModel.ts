import { ProtoWriter } from './protoWriter.js';

/** A constant of an ONNX graph (an initializer): float32, or int64 (shapes, indices). */
export interface OnnxTensor {
  readonly name: string;
  readonly dims: readonly number[];
  readonly values: Float32Array | BigInt64Array;
}

/** An attribute of an ONNX node: a float, an integer or a list of integers (`perm`). */
export type OnnxAttribute =
  | { readonly name: string; readonly float: number }
  | { readonly name: string; readonly int: number }
  | { readonly name: string; readonly ints: readonly number[] };

/** One operator of an ONNX graph. */
export interface OnnxNode {
  readonly opType: string;
  readonly name: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attributes: readonly OnnxAttribute[];
}

/** A graph with one float32 input `[batch, inputs]` and one float32 output `[batch, outputs]`. */
export interface OnnxGraph {
  readonly name: string;
  readonly nodes: readonly OnnxNode[];
  readonly initializers: readonly OnnxTensor[];
  readonly input: { readonly name: string; readonly width: number };
  readonly output: { readonly name: string; readonly width: number };
  readonly opset: number;
}

// Field numbers and enum values from onnx/onnx.proto.
const IR_VERSION = 8;
const FLOAT = 1; // TensorProto.DataType.FLOAT
const INT64 = 7; // TensorProto.DataType.INT64
const ATTR_FLOAT = 1;
const ATTR_INT = 2;
const ATTR_INTS = 7;

/** Encodes `graph` as an ONNX `ModelProto` (protobuf bytes). */
export function encodeOnnxModel(graph: OnnxGraph): Uint8Array {
  return new ProtoWriter()
    .varint(1, IR_VERSION)
    .string(2, 'gradstream')
    .message(7, (g) => writeGraph(g, graph))
    .message(8, (o) => o.string(1, '').varint(2, graph.opset))
    .finish();
}

function writeGraph(w: ProtoWriter, graph: OnnxGraph): void {
  for (const n of graph.nodes) w.message(1, (m) => writeNode(m, n));
  w.string(2, graph.name);
  for (const t of graph.initializers) w.message(5, (m) => writeTensor(m, t));
  w.message(11, (m) => writeValueInfo(m, graph.input.name, graph.input.width));
  w.message(12, (m) => writeValueInfo(m, graph.output.name, graph.output.width));
}

function writeNode(w: ProtoWriter, n: OnnxNode): void {
  for (const i of n.inputs) w.string(1, i);
  for (const o of n.outputs) w.string(2, o);
  w.string(3, n.name);
  w.string(4, n.opType);
  for (const a of n.attributes) {
    w.message(5, (m) => {
      m.string(1, a.name);
      if ('float' in a) m.varint(20, ATTR_FLOAT).float(2, a.float);
      else if ('ints' in a) m.varint(20, ATTR_INTS).packedVarints(8, a.ints);
      else m.varint(20, ATTR_INT).varint(3, a.int);
    });
  }
}

function writeTensor(w: ProtoWriter, t: OnnxTensor): void {
  for (const d of t.dims) w.varint(1, d);
  const v = t.values;
  w.varint(2, v instanceof BigInt64Array ? INT64 : FLOAT);
  w.string(8, t.name);
  const raw = new Uint8Array(v.length * (v instanceof BigInt64Array ? 8 : 4));
  const view = new DataView(raw.buffer);
  if (v instanceof BigInt64Array) for (let i = 0; i < v.length; i++) view.setBigInt64(i * 8, v[i]!, true);
  else for (let i = 0; i < v.length; i++) view.setFloat32(i * 4, v[i]!, true);
  w.bytes(9, raw);
}

/** A float32 tensor `[batch, width]` with a symbolic batch dimension. */
function writeValueInfo(w: ProtoWriter, name: string, width: number): void {
  w.string(1, name);
  w.message(2, (type) =>
    type.message(1, (tensor) =>
      tensor.varint(1, FLOAT).message(2, (shape) => {
        shape.message(1, (d) => d.string(2, 'batch'));
        shape.message(1, (d) => d.varint(1, width));
      }),
    ),
  );
}
