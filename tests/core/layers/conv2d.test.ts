import { describe, expect, it } from 'vitest';
import {
  conv2d,
  createRng,
  dense,
  describeLayer,
  flatten,
  fromValues,
  GradstreamError,
  heNormal,
  modelFromConfig,
  ones,
  predict,
  relu,
  reshape,
  sequential,
  summary,
  type Conv2dOptions,
} from '../../../src/index.js';
import { expectClose } from '../../helpers/expectClose.js';
import { expectGradient } from '../gradcheck.js';
import { layerRun } from './convHarness.js';

const CASES: readonly { name: string; options: Conv2dOptions; out: number[] }[] = [
  { name: '3×3 valid, 2 channels', options: { inputShape: [5, 4, 2], filters: 3, kernelSize: 3 }, out: [3, 2, 3] },
  { name: '3×3 same', options: { inputShape: [4, 5, 2], filters: 2, kernelSize: 3, padding: 'same' }, out: [4, 5, 2] },
  {
    name: '2×3 same, strides 2',
    options: { inputShape: [5, 6, 3], filters: 2, kernelSize: [2, 3], strides: 2, padding: 'same' },
    out: [3, 3, 2],
  },
  {
    name: '2×2 valid, strides [2, 1], no bias',
    options: { inputShape: [5, 4, 1], filters: 3, kernelSize: 2, strides: [2, 1], bias: false },
    out: [2, 3, 3],
  },
  {
    name: '4×4 same (even kernel: the odd padding row below)',
    options: { inputShape: [5, 5, 1], filters: 2, kernelSize: 4, padding: 'same' },
    out: [5, 5, 2],
  },
  { name: '1×1', options: { inputShape: [3, 3, 4], filters: 2, kernelSize: 1 }, out: [3, 3, 2] },
];

describe('conv2d', () => {
  it('has TensorFlow shapes: kernel [kh, kw, channels, filters], bias [filters], output [outHeight, outWidth, filters]', () => {
    for (const c of CASES) {
      const layer = conv2d(c.options);
      expect(layer.outputShape, c.name).toEqual(c.out);
      expect(layer.outputs).toBe(c.out[0]! * c.out[1]! * c.out[2]!);
      const [kh, kw] = typeof c.options.kernelSize === 'number' ? [c.options.kernelSize, c.options.kernelSize] : c.options.kernelSize;
      expect(layer.params[0]!.shape).toEqual([kh, kw, c.options.inputShape![2], c.options.filters]);
      expect(layer.params.length).toBe(c.options.bias === false ? 1 : 2);
    }
    expect(describeLayer(conv2d({ inputShape: [8, 8, 1], filters: 16, kernelSize: 3, padding: 'same' }))).toBe('conv2d(8×8×1→8×8×16)');
  });

  it('computes a hand-checked convolution (2×2 kernel of ones, valid: sums of 2×2 windows, plus the bias)', () => {
    const layer = conv2d({ inputShape: [3, 3, 1], filters: 1, kernelSize: 2, init: ones, biasInit: fromValues([0.5]) });
    const model = sequential([layer]);
    const y = predict(model, model.init(createRng(1)), [[1, 2, 3, 4, 5, 6, 7, 8, 9]]);
    expect(Array.from(y)).toEqual([12.5, 16.5, 24.5, 28.5]);
    const same = sequential([conv2d({ inputShape: [3, 3, 1], filters: 1, kernelSize: 2, padding: 'same', init: ones })]);
    // 'same' with an even kernel pads below and to the right only (TensorFlow)
    expect(Array.from(predict(same, same.init(createRng(1)), [[1, 2, 3, 4, 5, 6, 7, 8, 9]]))).toEqual([12, 16, 9, 24, 28, 15, 15, 17, 9]);
  });

  for (const c of CASES) {
    it(`matches finite differences for the kernel, bias and input (float64): ${c.name}`, () => {
      const run = layerRun(conv2d(c.options), 2, 3);
      const { grads, dX } = run.passes();
      expectGradient('W', run.loss, run.params[0]!, grads[0]!);
      if (c.options.bias !== false) expectGradient('b', run.loss, run.params[1]!, grads[1]!);
      expectGradient('x', run.loss, run.x, dX);
    });
  }

  it('computes the same in training and in inference, and in float32 to float32 round-off', () => {
    for (const c of CASES) {
      const layer = conv2d(c.options);
      const a = layerRun(layer, 3, 5, false).passes();
      const b = layerRun(layer, 3, 5, true).passes();
      expect(Array.from(b.y)).toEqual(Array.from(a.y));
      expect(Array.from(b.dX)).toEqual(Array.from(a.dX));
      const f32 = layer.float32!();
      const run = layerRun(layer, 3, 5);
      const p32 = run.params.map((p) => Float32Array.from(p) as unknown as Float64Array);
      const y32 = new Float32Array(3 * layer.outputs) as unknown as Float64Array;
      const ctx = { ...run.ctx, scratch: f32.createScratch!(3) };
      f32.forward(p32, Float32Array.from(run.x) as unknown as Float64Array, y32, 3, ctx);
      expectClose(y32, a.y, 2e-6 * Math.max(...a.y.map(Math.abs)));
      const g32 = p32.map((p) => new Float32Array(p.length) as unknown as Float64Array);
      const dX32 = new Float32Array(run.x.length) as unknown as Float64Array;
      f32.backward(
        p32,
        Float32Array.from(run.x) as unknown as Float64Array,
        y32,
        Float32Array.from(run.r) as unknown as Float64Array,
        dX32,
        g32,
        3,
        ctx,
      );
      expectClose(g32[0]!, a.grads[0]!, 2e-6 * Math.max(...a.grads[0]!.map(Math.abs)));
      expectClose(dX32, a.dX, 2e-6 * Math.max(...a.dX.map(Math.abs)));
    }
  });

  it('takes its input shape from the layer before in sequential, and saves and rebuilds as config', () => {
    const model = sequential([
      reshape([6, 6, 2]),
      conv2d({ filters: 4, kernelSize: 3, strides: 2, padding: 'same', init: heNormal }),
      relu(),
      flatten(),
      dense(36, 2),
    ]);
    expect(model.layers[1]!.inputShape).toEqual([6, 6, 2]);
    expect(model.layout.names).toEqual(['1.W', '1.b', '4.W', '4.b']);
    const config = model.toConfig();
    expect(config.layers[1]).toEqual({
      type: 'conv2d',
      inputShape: [6, 6, 2],
      filters: 4,
      kernelSize: 3,
      strides: 2,
      padding: 'same',
      init: 'heNormal',
    });
    const rebuilt = modelFromConfig(JSON.parse(JSON.stringify(config))).model;
    expect(rebuilt.toConfig()).toEqual(config);
    const params = model.init(createRng(4));
    const x = Array.from({ length: 3 }, (_, r) => Array.from({ length: 72 }, (_, i) => Math.sin(i * 0.3 + r)));
    expect(Array.from(predict(rebuilt, params, x))).toEqual(Array.from(predict(model, params, x)));
    expect(summary(model).split('\n')[2]).toMatch(/^1 {2}conv2d\(6×6×2→3×3×4\) +\[batch, 3, 3, 4\] +76 +1\.W \[3, 3, 2, 4\], 1\.b \[4\]$/);
  });

  it('initializes with fan-in kh·kw·channels and fan-out kh·kw·filters (Keras)', () => {
    const seen: number[][] = [];
    const layer = conv2d({
      inputShape: [5, 5, 3],
      filters: 7,
      kernelSize: [2, 4],
      init: (out, fanIn, fanOut) => void seen.push([out.length, fanIn, fanOut]),
    });
    layer.init(createRng(1), [new Float64Array(2 * 4 * 3 * 7), new Float64Array(7)]);
    expect(seen).toEqual([[168, 24, 56]]);
  });

  it('refuses bad options and shapes with GradstreamErrors that say where', () => {
    expect(() => conv2d({ filters: 0, kernelSize: 3 })).toThrow('conv2d.filters');
    expect(() => conv2d({ filters: 2, kernelSize: [3] as unknown as number })).toThrow(
      'conv2d.kernelSize: expected a positive integer or a pair of them ([height, width])',
    );
    expect(() => conv2d({ filters: 2, kernelSize: 3, padding: 'full' as 'same' })).toThrow("conv2d.padding: expected 'valid' or 'same'");
    expect(() => conv2d({ inputShape: [2, 2, 1], filters: 2, kernelSize: 3 })).toThrow(
      "conv2d.inputShape: expected a 3×3 window inside the 2×2 input ('valid' padding), or padding 'same'",
    );
    expect(() => conv2d({ filters: 2, kernelSize: 3, stride: 2 } as Conv2dOptions)).toThrow(GradstreamError);
    expect(() => sequential([conv2d({ filters: 2, kernelSize: 3 })])).toThrow('layers[0]: expected an input shape first');
    expect(() => sequential([dense(4, 64), conv2d({ filters: 2, kernelSize: 3 })])).toThrow(
      'conv2d.inputShape: expected samples of shape [height, width, channels] (e.g. reshape([8, 8, 1]) before it), received [64]',
    );
    expect(() => sequential([reshape([4, 4, 2]), conv2d({ inputShape: [8, 4, 1], filters: 2, kernelSize: 3 })])).toThrow(
      'layers[1]: expected input shape [4, 4, 2]',
    );
  });
});
