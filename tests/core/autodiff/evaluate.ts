/** Test support: evaluates an expression of the op set on given inputs, with its gradients. */
import { createGraph } from '../../../src/core/autodiff/graph.js';
import type { Node, Tensor } from '../../../src/core/autodiff/node.js';
import { compileTape } from '../../../src/core/autodiff/tape.js';
import type { TensorOps } from '../../../src/core/autodiff/tensorOps.js';

export type Build = (inputs: readonly Tensor[], T: TensorOps) => Tensor;

/**
 * Compiles `build` over inputs of `shapes` and returns `run(values)`: the scalar
 * `Σ weights ⊙ output` and the gradient with respect to each input (inputs listed in `diff`,
 * default all). `weights` (the output's shape) make every output element matter differently.
 */
export function evaluator(
  shapes: readonly (readonly [number, number])[],
  build: Build,
  weights?: (n: number) => Float64Array,
  diff?: readonly boolean[],
  float32 = false,
) {
  const g = createGraph('test');
  const ins = shapes.map(([r, c], i) => g.input(r, c, diff?.[i] ?? true));
  const out = build(ins, g.ops) as Node;
  const w =
    weights?.(out.rows * out.cols) ??
    Float64Array.from({ length: out.rows * out.cols }, (_, i) => 1 + 0.37 * ((i * 7) % 5) - 0.61 * (i % 2));
  const s = g.ops.sum(g.ops.mul(out, g.ops.constant(w, [out.rows, out.cols]))) as Node;
  const tape = compileTape(g.nodes, s, float32, 'test');
  const mk = (n: number) => (float32 ? (new Float32Array(n) as unknown as Float64Array) : new Float64Array(n));
  const grads = ins.map((n) => mk(n.rows * n.cols));
  return {
    output: out,
    value(values: readonly Float64Array[]): number {
      for (let i = 0; i < ins.length; i++) ins[i]!.val = values[i]!;
      tape.forward();
      return s.val[0]!;
    },
    grad(values: readonly Float64Array[]): Float64Array[] {
      for (let i = 0; i < ins.length; i++) {
        ins[i]!.val = values[i]!;
        if (ins[i]!.needsGrad) ins[i]!.grad = grads[i]!;
      }
      tape.forward();
      tape.zeroGrads();
      s.grad![0] = 1;
      tape.backward();
      return grads;
    },
  };
}
