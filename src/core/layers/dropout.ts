import { GradstreamError, describeTyped } from '../errors.js';
import type { LayerContext } from '../layer.js';
import { mix32 } from '../rng.js';
import { isLayerSize, type ActivationLayer } from './activation.js';

const GOLDEN = 0x9e3779b9;
const TWO32 = 4294967296;

/**
 * The first number of the mask stream of layer `index` at `step`, from the run's key: masks are
 * a pure function of (key, layer, step, element), so a resumed run repeats them exactly.
 */
function maskBase(ctx: LayerContext): number {
  let h = mix32((ctx.key ^ Math.imul(ctx.index + 1, GOLDEN)) >>> 0);
  const step = ctx.step;
  if (step < 0) {
    // No step (a hand-written loop): a fresh key from the generator for every pass.
    return mix32((h ^ ctx.rng!.nextUint32()) >>> 0);
  }
  h = mix32((h ^ step) >>> 0);
  return mix32((h ^ Math.floor(step / TWO32)) >>> 0);
}

// Kept out of `forward` so that the hot path stays small.
function throwNoRng(ctx: LayerContext, rate: number): never {
  throw new GradstreamError({
    code: 'invalid_state',
    path: `layers[${ctx.index}] (dropout(${rate}))`,
    expected: 'a seeded generator for the dropout masks in training: train({ rng: createRng(seed), … })',
    received: 'no rng on the step record',
  });
}

/**
 * Inverted dropout (Keras' `Dropout`): in training, each input is zeroed with probability `rate`
 * and the others are scaled by `1 / (1 − rate)`, so the expected activation is unchanged; in
 * inference (`predict`, validation, evaluation) it is exactly the identity. Backward multiplies
 * `dY` by the same mask.
 *
 * The masks need the run's generator (`train({ rng })`; a clear error without it) but never
 * advance it: each mask is a pure function of a key read once from the generator's state, the
 * layer's index, the step and the element (a counter-based hash, like `fromArrays`' shuffles).
 * The same seed gives the same masks, and a run resumed from a checkpoint (whose generator state
 * is the one the run started with) repeats them bit for bit. Without a step (a hand-written loop
 * calling `model.forward(…, { training: true, rng })`), each pass draws a fresh key from `rng`.
 *
 * Without `size` it takes the width of the layer before it in `sequential`.
 *
 * @example
 * import { createRng, dense, dropout, relu, sequential } from 'gradstream';
 * const model = sequential([dense(2, 64), relu(), dropout(0.3), dense(64, 1)]);
 * // train({ …, rng: createRng(7) }) — predict(model, params, x) never drops
 */
export function dropout(rate: number, size?: number): ActivationLayer {
  if (typeof rate !== 'number' || !(rate >= 0 && rate < 1)) {
    throw new GradstreamError({
      code: 'invalid_value',
      path: 'dropout(rate)',
      expected: 'a number in [0, 1)',
      received: describeTyped(rate),
    });
  }
  if (size !== undefined && !isLayerSize(size)) {
    throw new GradstreamError({
      code: 'invalid_shape',
      path: 'dropout(size)',
      expected: 'a positive integer (or nothing: the size of the previous layer)',
      received: describeTyped(size),
    });
  }
  const n = size ?? 0;
  const scale = 1 / (1 - rate);
  const threshold = rate * TWO32; // drop where a uniform 32-bit hash is below
  const unsized = (): never => {
    throw new GradstreamError({
      code: 'invalid_shape',
      path: 'dropout',
      expected: 'a size: dropout(rate, n), or a place after a sized layer in sequential([...])',
      received: 'no size',
    });
  };
  return {
    kind: 'dropout',
    inputs: n,
    outputs: n,
    params: [],
    init() {},
    createScratch: (batch) => [new Float64Array(batch * n)],
    forward(_p, x, y, batch, ctx) {
      if (n === 0) unsized();
      const len = batch * n;
      if (ctx === undefined || !ctx.training || rate === 0) {
        y.set(x.subarray(0, len));
        return;
      }
      if (ctx.rng === undefined) throwNoRng(ctx, rate);
      const mask = ctx.scratch[0]!;
      const base = maskBase(ctx);
      for (let i = 0; i < len; i++) {
        const m = mix32((base ^ i) >>> 0) < threshold ? 0 : scale;
        mask[i] = m;
        y[i] = x[i]! * m;
      }
    },
    backward(_p, _x, _y, dY, dX, _g, batch, ctx) {
      if (dX === null) return;
      const len = batch * n;
      if (ctx === undefined || !ctx.training || rate === 0) {
        dX.set(dY.subarray(0, len));
        return;
      }
      const mask = ctx.scratch[0]!;
      for (let i = 0; i < len; i++) dX[i] = dY[i]! * mask[i]!;
    },
    withSize: (m) => dropout(rate, m),
    toConfig: () => ({ type: 'dropout', rate }),
  };
}
