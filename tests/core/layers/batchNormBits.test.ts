import { describe, expect, it } from 'vitest';
import { batchNorm, type LayerContext } from '../../../src/index.js';

const batch = 4;
const n = 3;
const x = Float64Array.from({ length: batch * n }, (_, i) => Math.sin(i * 1.7) * 3 + i * 0.1);
const dY = Float64Array.from({ length: batch * n }, (_, i) => Math.cos(i * 0.9) - 0.2);

/** One layer's forward and backward passes over steps, every buffer recorded. */
function run(training: boolean, steps: readonly number[], foldStats?: boolean): Record<string, number[]> {
  const layer = batchNorm({ momentum: 0.8, epsilon: 1e-2 }, n);
  const p = layer.params.map((s) => new Float64Array(s.shape.reduce((a, b) => a * b, 1)));
  layer.init(undefined as never, p);
  p[0]!.set([1.5, -0.5, 2]);
  p[1]!.set([0.25, 0, -1]);
  const ctx: LayerContext = { index: 0, training, rng: undefined, step: -1, key: 0, scratch: layer.createScratch!(batch) };
  if (foldStats !== undefined) ctx.foldStats = foldStats;
  const y = new Float64Array(batch * n);
  const dX = new Float64Array(batch * n);
  const g = layer.params.map((s) => new Float64Array(s.shape.reduce((a, b) => a * b, 1)).fill(Number.NaN));
  for (const step of steps) {
    ctx.step = step;
    layer.forward(p, x, y, batch, ctx);
  }
  layer.backward(p, x, y, dY, dX, g, batch, ctx);
  const yPlain = new Float64Array(batch * n);
  layer.forward(p, x, yPlain, batch);
  const out: Record<string, number[]> = { y: [...y], dX: [...dX], yNoContext: [...yPlain] };
  layer.params.forEach((s, i) => {
    out[s.name] = [...p[i]!];
    out[`d${s.name}`] = [...g[i]!];
  });
  return out;
}

describe('batchNorm bits', () => {
  it.each([
    ['training, steps 0 1 1 2', true, [0, 1, 1, 2], undefined],
    ['training without a step, twice', true, [-1, -1], undefined],
    ['training, foldStats false', true, [3], false],
    ['inference', false, [0], undefined],
  ] as const)('pins outputs, gradients and moving statistics bit for bit: %s', (_name, training, steps, fold) => {
    expect(run(training, steps, fold)).toMatchSnapshot();
  });

  it('backward without dX writes the parameter gradients only', () => {
    const layer = batchNorm({}, n);
    const p = layer.params.map((s) => new Float64Array(s.shape.reduce((a, b) => a * b, 1)));
    layer.init(undefined as never, p);
    const ctx: LayerContext = { index: 0, training: true, rng: undefined, step: 0, key: 0, scratch: layer.createScratch!(batch) };
    const y = new Float64Array(batch * n);
    layer.forward(p, x, y, batch, ctx);
    const g = layer.params.map((s) => new Float64Array(s.shape.reduce((a, b) => a * b, 1)));
    layer.backward(p, x, y, dY, null, g, batch, ctx);
    expect(g.map((t) => [...t])).toMatchSnapshot();
  });
});
