import type { OnnxEmitter } from './layerCodec.js';
import { nchwToRows } from './nchwToRows.js';

/** Operators of one input that act on each number alone, so on either layout. */
const ELEMENTWISE = new Set(['Relu', 'LeakyRelu', 'Elu', 'Sigmoid', 'Tanh', 'Softplus']);

/**
 * `inner` keeping track of the NCHW tensors behind rows, so that consecutive image layers skip
 * the transposes between them: an elementwise operator on rows that have an NCHW form runs on
 * that form (its rows follow, for the layers that need them), and a window operator asks for the
 * NCHW form of its input (`nchw`) before transposing rows. The rows nobody reads are left for
 * `pruneOnnxGraph` to drop.
 */
export function withNchwLayouts(inner: OnnxEmitter): OnnxEmitter {
  const layouts = new Map<string, { readonly nchw: string; readonly shape: string }>();
  return {
    constant: (suffix, dims, values) => inner.constant(suffix, dims, values),
    int64Constant: (suffix, dims, values) => inner.int64Constant(suffix, dims, values),
    node(opType, inputs, attributes = [], output) {
      const known = inputs.length === 1 && ELEMENTWISE.has(opType) ? layouts.get(inputs[0]!) : undefined;
      if (known === undefined) return inner.node(opType, inputs, attributes, output);
      const z = inner.node(opType, [known.nchw], attributes);
      const rows = nchwToRows(inner, z);
      layouts.set(rows, { nchw: z, shape: known.shape });
      return rows;
    },
    nchw(x, shape) {
      const l = layouts.get(x);
      return l !== undefined && l.shape === shape.join() ? l.nchw : undefined;
    },
    rememberNchw(x, nchw, shape) {
      layouts.set(x, { nchw, shape: shape.join() });
    },
  };
}
