import { createRng, type Layer, type LayerContext } from '../../../src/index.js';

/** A layer run on its own: parameters, an input of well-separated values (no ties in max pooling), a weighting of the outputs. */
export interface LayerRun {
  readonly params: Float64Array[];
  readonly x: Float64Array;
  /** `∂L/∂y` of the loss `L = Σ y ⊙ r`. */
  readonly r: Float64Array;
  readonly ctx: LayerContext;
  /** `L` at the current params and input. */
  loss(): number;
  /** The output, `∂L/∂params` and `∂L/∂x` at the current params and input. */
  passes(): { y: Float64Array; grads: Float64Array[]; dX: Float64Array };
}

const size = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

export function layerRun(layer: Layer, batch: number, seed = 1, training = false): LayerRun {
  const rng = createRng(seed);
  const params = layer.params.map((p) => new Float64Array(size(p.shape)));
  layer.init(rng, params);
  for (const p of params) for (let i = 0; i < p.length; i++) p[i] = p[i]! + (rng.next() - 0.5) * 0.2; // biases away from 0
  const n = batch * layer.inputs;
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng.next() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const x = Float64Array.from(order, (k) => (k - n / 2) * (2 / n)); // distinct values in [-1, 1), 2/n apart
  const r = Float64Array.from({ length: batch * layer.outputs }, () => rng.next() * 2 - 1);
  const ctx: LayerContext = { index: 0, training, rng: undefined, step: -1, key: 0, scratch: layer.createScratch?.(batch) ?? [] };
  const y = new Float64Array(batch * layer.outputs);
  const loss = (): number => {
    layer.forward(params, x, y, batch, ctx);
    let s = 0;
    for (let i = 0; i < y.length; i++) s += y[i]! * r[i]!;
    return s;
  };
  const passes = () => {
    layer.forward(params, x, y, batch, ctx);
    const grads = params.map((p) => new Float64Array(p.length));
    const dX = new Float64Array(n);
    layer.backward(params, x, y, r, dX, grads, batch, ctx);
    return { y: Float64Array.from(y), grads, dX };
  };
  return { params, x, r, ctx, loss, passes };
}
