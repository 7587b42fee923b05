import { expect } from 'vitest';
import { createRng, type Layer, type LayerContext } from '../../../src/index.js';
import { expectClose } from '../../helpers/expectClose.js';
import { expectGradient } from '../gradcheck.js';

/** A layer's tensors, inputs and loss weights for one batch; float32 when `f32`. */
export interface LayerCase {
  readonly layer: Layer;
  readonly batch: number;
  readonly params: Float64Array[];
  readonly x: Float64Array;
  /** The loss is `Σ w ⊙ y`, so `dY = w`. */
  readonly w: Float64Array;
}

/** Tensors from `layer.init` (then biases made non-zero), random inputs and loss weights, from `seed`. */
export function layerCase(layer: Layer, batch: number, seed: number, x?: ArrayLike<number>): LayerCase {
  const rng = createRng(seed);
  const params = layer.params.map((p) => new Float64Array(p.shape.reduce((a, b) => a * b, 1)));
  layer.init(rng, params);
  const last = params[params.length - 1]!;
  if (layer.params[params.length - 1]!.name === 'b') for (let i = 0; i < last.length; i++) last[i]! += rng.uniform(-0.5, 0.5);
  const input = new Float64Array(batch * layer.inputs);
  for (let i = 0; i < input.length; i++) input[i] = x === undefined ? rng.uniform(-1, 1) : x[i]!;
  const w = new Float64Array(batch * layer.outputs);
  for (let i = 0; i < w.length; i++) w[i] = rng.uniform(-1, 1);
  return { layer, batch, params, x: input, w };
}

/** A layer context as `sequential` makes one. */
export function contextFor(layer: Layer, batch: number): LayerContext {
  return { index: 0, training: true, rng: undefined, step: 0, key: 0, scratch: layer.createScratch?.(batch) ?? [] };
}

/** `Σ w ⊙ layer(x)` with `params`. */
export function lossOf(c: LayerCase): number {
  const y = new Float64Array(c.batch * c.layer.outputs);
  c.layer.forward(c.params, c.x, y, c.batch, contextFor(c.layer, c.batch));
  let s = 0;
  for (let i = 0; i < y.length; i++) s += c.w[i]! * y[i]!;
  return s;
}

/** The forward output and the backward pass's gradients (of the tensors and the input) of `c`, in `layer`'s precision. */
export function passes(c: LayerCase, layer: Layer = c.layer, f32 = false): { y: Float64Array; grads: Float64Array[]; dX: Float64Array } {
  const make = (n: number | ArrayLike<number>): Float64Array =>
    f32 ? (new Float32Array(n as ArrayLike<number>) as unknown as Float64Array) : new Float64Array(n as ArrayLike<number>);
  const params = c.params.map((p) => make(p));
  const x = make(c.x);
  const y = make(c.batch * layer.outputs);
  const ctx = contextFor(layer, c.batch);
  layer.forward(params, x, y, c.batch, ctx);
  const grads = params.map((p) => make(p.length));
  const dX = make(x.length);
  layer.backward(params, x, y, make(c.w), dX, grads, c.batch, ctx);
  return { y, grads, dX };
}

/** The backward pass's gradients of every tensor of `c` and of its input equal finite differences of {@link lossOf}. */
export function expectGradientsMatchDifferences(c: LayerCase): void {
  const { grads, dX } = passes(c);
  c.layer.params.forEach((p, k) => expectGradient(p.name, () => lossOf(c), c.params[k]!, grads[k]!));
  expectGradient('x', () => lossOf(c), c.x, dX);
}

/** `layer.float32()` agrees with `layer` on a case of `batch` samples from `seed`: outputs to 2e-6, gradients to 1e-5 of their largest magnitude. */
export function expectFloat32Agrees(layer: Layer, batch: number, seed: number): void {
  const c = layerCase(layer, batch, seed);
  const a = passes(c);
  const b = passes(c, layer.float32!(), true);
  expect(b.y).toBeInstanceOf(Float32Array);
  const scale = (v: ArrayLike<number>): number => Math.max(...Array.from(v, Math.abs));
  expectClose(b.y, a.y, 2e-6 * scale(a.y));
  a.grads.forEach((g, k) => expectClose(b.grads[k]!, g, 1e-5 * scale(g)));
  expectClose(b.dX, a.dX, 1e-5 * scale(a.dX));
}
