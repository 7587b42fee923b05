import { GradstreamError, describeTyped } from '../errors.js';
import { glorotUniform, zeros, type Initializer } from '../initializers.js';
import type { Layer, LayerContext, LayerParamSpec } from '../layer.js';
import type { LayerConfig } from '../config/modelConfig.js';
import { createGraph } from './graph.js';
import { Op, type Node, type Tensor } from './node.js';
import { compileTape, type Tape } from './tape.js';
import type { TensorOps } from './tensorOps.js';

/** One parameter of a {@link defineLayer} layer: its shape (1 or 2 dimensions) and initializer. */
export interface LayerParamDefinition {
  readonly shape: readonly [number] | readonly [number, number];
  /** Default: `glorotUniform` for matrices (fan-in = rows, fan-out = columns), `zeros` for vectors. */
  readonly init?: Initializer;
}

/** What {@link defineLayer} takes. */
export interface LayerDefinition<P extends string = string> {
  /** The layer's kind in summaries. */
  readonly name: string;
  readonly inputs: number;
  readonly outputs: number;
  /** The parameters by name (a shape, or a shape and initializer), in the order they are stored. */
  readonly params?: Readonly<Record<P, LayerParamDefinition | readonly [number] | readonly [number, number]>>;
  /**
   * The output `[batch, outputs]` of the input `x` (`[batch, inputs]`); a one-dimensional
   * parameter is a row vector `[1, n]`. `training` says which mode is recorded: it may change
   * the expression, never per call.
   */
  forward(x: Tensor, p: Readonly<Record<P, Tensor>>, T: TensorOps, training: boolean): Tensor;
  /** Where the layer is exported from, for `toConfig()` (`{ type: 'module', module, export }`). */
  readonly module?: string | URL;
  readonly export?: string;
}

interface Compiled {
  readonly batch: number;
  readonly training: boolean;
  readonly float32: boolean;
  readonly dx: boolean;
  readonly tape: Tape;
  readonly x: Node;
  readonly params: readonly Node[];
  /** Where `∂x` goes when the tape computes it but the caller wants none. */
  readonly dxScratch: Float64Array;
}

/**
 * Defines a layer by its forward expression; the backward pass comes from reverse-mode automatic
 * differentiation. The expression is recorded once per batch size, mode and precision and
 * replayed from a tape with preallocated buffers (no allocation per step). The layer works in
 * `sequential` like a built-in one, in float64 and float32 models.
 *
 * @example
 * import { defineLayer, sequential, softmaxCrossEntropy } from 'gradstream';
 * const myDense = defineLayer({
 *   name: 'myDense',
 *   inputs: 4,
 *   outputs: 3,
 *   params: { W: [4, 3], b: [3] },
 *   forward: (x, p, T) => T.add(T.matmul(x, p.W), p.b),
 * });
 * const model = sequential([myDense]);
 * const loss = softmaxCrossEntropy();
 */
export function defineLayer<P extends string>(def: LayerDefinition<P>): Layer {
  const d = checkDefinition(def);
  const where = `defineLayer("${d.name}")`;
  const entries = Object.entries(d.params ?? {}) as [string, LayerParamDefinition | readonly number[]][];
  const specs = entries.map(([name, v]) => paramSpec(where, name, v));
  const get = tapeStore(d, where, specs);
  let current: Compiled | undefined;
  let wantDx = true;
  const run = (c: Compiled, p: readonly Float64Array[], x: Readonly<Float64Array>): void => {
    for (let i = 0; i < c.params.length; i++) c.params[i]!.val = p[i]!;
    c.x.val = x as Float64Array;
    c.tape.forward();
    current = c;
  };
  const layer: Layer = {
    kind: d.name,
    inputs: d.inputs,
    outputs: d.outputs,
    params: specs.map((s) => ({ name: s.name, shape: s.shape })),
    init(rng, p) {
      for (let i = 0; i < specs.length; i++) {
        const s = specs[i]!;
        s.init(p[i]!, s.shape.length === 2 ? s.shape[0]! : d.inputs, s.shape.length === 2 ? s.shape[1]! : s.shape[0]!, rng);
      }
    },
    forward(p, x, y, batch, ctx?: LayerContext) {
      const c = get(current, batch, ctx?.training ?? false, y instanceof Float32Array, wantDx);
      run(c, p, x);
      y.set(c.tape.output.val);
    },
    backward(p, x, _y, dY, dX, grads, batch, ctx?: LayerContext) {
      wantDx = dX !== null;
      let c = current;
      // the recorded pass must be this layer's last forward pass, with dX computed when asked
      if (c === undefined || c.batch !== batch || c.x.val !== x || (dX !== null && !c.dx)) {
        c = get(current, batch, ctx?.training ?? false, dY instanceof Float32Array, dX !== null);
        run(c, p, x);
      }
      for (let i = 0; i < c.params.length; i++) c.params[i]!.grad = grads[i]!;
      if (c.dx) c.x.grad = dX ?? c.dxScratch;
      c.tape.zeroGrads();
      c.tape.output.grad!.set(dY);
      c.tape.backward();
    },
    float32() {
      return this;
    },
  };
  const m = d.module;
  if (m === undefined) return layer;
  const config: LayerConfig = { type: 'module', module: typeof m === 'string' ? m : m.href, export: d.export ?? d.name };
  return { ...layer, toConfig: () => ({ ...config }) };
}

/** The tapes of a layer by batch size, mode, precision and whether `∂x` is wanted; `last` is tried first. */
function tapeStore(d: LayerDefinition, where: string, specs: readonly ParamSpec[]) {
  const compiled: Compiled[] = [];
  return (last: Compiled | undefined, batch: number, training: boolean, float32: boolean, dx: boolean): Compiled => {
    if (last !== undefined && last.batch === batch && last.training === training && last.float32 === float32 && last.dx === dx) return last;
    let found = compiled.find((e) => e.batch === batch && e.training === training && e.float32 === float32 && e.dx === dx);
    if (found === undefined) {
      found = record(d, where, specs, batch, training, float32, dx);
      compiled.push(found);
    }
    return found;
  };
}

interface ParamSpec extends LayerParamSpec {
  readonly shape: readonly number[];
  readonly init: Initializer;
}

function record(
  d: LayerDefinition,
  where: string,
  specs: readonly ParamSpec[],
  batch: number,
  training: boolean,
  float32: boolean,
  dx: boolean,
): Compiled {
  const g = createGraph(where);
  const x = g.input(batch, d.inputs, dx);
  const params = specs.map((s) => g.input(s.shape.length === 2 ? s.shape[0]! : 1, s.shape.length === 2 ? s.shape[1]! : s.shape[0]!, true));
  const p: Record<string, Tensor> = {};
  for (let i = 0; i < specs.length; i++) p[specs[i]!.name] = params[i]!;
  const out = d.forward(x, p, g.ops, training) as unknown;
  if (!g.nodes.includes(out as Node))
    throw new GradstreamError({
      code: 'invalid_value',
      path: `${where}: forward's result`,
      expected: 'a tensor built with T',
      received: describeTyped(out),
    });
  // an input returned as it is gets a node of its own: the output's gradient buffer is the tape's
  const o = (out as Node).op === Op.input ? (g.ops.add(out as Node, 0) as Node) : (out as Node);
  if (o.rows !== batch || o.cols !== d.outputs)
    throw new GradstreamError({
      code: 'invalid_shape',
      path: `${where}: forward's result`,
      expected: `[${batch}, ${d.outputs}] (batch × outputs)`,
      received: `[${o.rows}, ${o.cols}]`,
    });
  if (!o.needsGrad) o.needsGrad = true;
  const tape = compileTape(g.nodes, o, float32, where);
  const n = dx ? batch * d.inputs : 0;
  const dxScratch = float32 ? (new Float32Array(n) as unknown as Float64Array) : new Float64Array(n);
  return { batch, training, float32, dx, tape, x, params, dxScratch };
}

function paramSpec(where: string, name: string, v: LayerParamDefinition | readonly number[]): ParamSpec {
  const def: LayerParamDefinition = Array.isArray(v) ? { shape: v as unknown as readonly [number] } : (v as LayerParamDefinition);
  const shape = def.shape as readonly number[] | undefined;
  if (!Array.isArray(shape) || shape.length < 1 || shape.length > 2 || !shape.every((k) => Number.isInteger(k) && k >= 1)) {
    throw new GradstreamError({
      code: 'invalid_shape',
      path: `${where}.params.${name}`,
      expected: 'a shape of 1 or 2 positive integers',
      received: describeTyped(shape),
    });
  }
  if (def.init !== undefined && typeof def.init !== 'function') {
    throw new GradstreamError({
      code: 'invalid_config',
      path: `${where}.params.${name}.init`,
      expected: 'an initializer (glorotUniform, heNormal, zeros, …)',
      received: describeTyped(def.init),
    });
  }
  return { name, shape, init: def.init ?? (shape.length === 2 ? glorotUniform : zeros) };
}

function checkDefinition<P extends string>(def: LayerDefinition<P>): LayerDefinition<P> {
  if (typeof def !== 'object' || def === null)
    throw new GradstreamError({
      code: 'invalid_config',
      path: 'defineLayer',
      expected: 'a definition { name, inputs, outputs, params, forward }',
      received: describeTyped(def),
    });
  if (typeof def.name !== 'string' || def.name === '')
    throw new GradstreamError({
      code: 'invalid_config',
      path: 'defineLayer.name',
      expected: 'a non-empty string',
      received: describeTyped(def.name),
    });
  for (const k of ['inputs', 'outputs'] as const) {
    if (!Number.isInteger(def[k]) || def[k] < 1)
      throw new GradstreamError({
        code: 'invalid_shape',
        path: `defineLayer("${def.name}").${k}`,
        expected: 'an integer ≥ 1',
        received: describeTyped(def[k]),
      });
  }
  if (typeof def.forward !== 'function')
    throw new GradstreamError({
      code: 'invalid_config',
      path: `defineLayer("${def.name}").forward`,
      expected: 'a function (x, p, T, training) => tensor',
      received: describeTyped(def.forward),
    });
  return def;
}
