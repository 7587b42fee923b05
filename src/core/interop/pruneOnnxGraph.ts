import type { OnnxNode, OnnxTensor } from './encodeOnnxModel.js';

/** The nodes and initializers that `output` depends on, in their order (a node none of whose outputs is read is dropped). */
export function pruneOnnxGraph(
  nodes: readonly OnnxNode[],
  initializers: readonly OnnxTensor[],
  output: string,
): { nodes: OnnxNode[]; initializers: OnnxTensor[] } {
  const needed = new Set([output]);
  const kept: OnnxNode[] = [];
  for (let i = nodes.length - 1; i >= 0; i--) {
    const n = nodes[i]!;
    if (!n.outputs.some((o) => needed.has(o))) continue;
    kept.push(n);
    for (const input of n.inputs) if (input !== '') needed.add(input); // '': an optional input left out
  }
  return { nodes: kept.reverse(), initializers: initializers.filter((t) => needed.has(t.name)) };
}
