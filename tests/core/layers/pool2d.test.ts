import { describe, expect, it } from 'vitest';
import {
  avgPool2d,
  conv2d,
  createRng,
  dense,
  describeLayer,
  flatten,
  globalAvgPool2d,
  GradstreamError,
  maxPool2d,
  modelFromConfig,
  predict,
  relu,
  reshape,
  sequential,
  summary,
  type Layer,
} from '../../../src/index.js';
import { expectGradient } from '../gradcheck.js';
import { layerRun } from './convHarness.js';

const LAYERS: readonly { name: string; make: () => Layer; out: readonly number[] }[] = [
  { name: 'maxPool2d 2×2', make: () => maxPool2d({ inputShape: [4, 6, 3] }), out: [2, 3, 3] },
  {
    name: 'maxPool2d 3×3 strides 2 same',
    make: () => maxPool2d({ inputShape: [5, 6, 2], poolSize: 3, strides: 2, padding: 'same' }),
    out: [3, 3, 2],
  },
  {
    name: 'maxPool2d [2, 3] strides 1 valid',
    make: () => maxPool2d({ inputShape: [4, 5, 2], poolSize: [2, 3], strides: 1 }),
    out: [3, 3, 2],
  },
  { name: 'avgPool2d 2×2', make: () => avgPool2d({ inputShape: [4, 6, 3] }), out: [2, 3, 3] },
  {
    name: 'avgPool2d 3×3 strides 2 same',
    make: () => avgPool2d({ inputShape: [5, 6, 2], poolSize: 3, strides: 2, padding: 'same' }),
    out: [3, 3, 2],
  },
  {
    name: 'avgPool2d 2×2 strides 1 same (edge windows)',
    make: () => avgPool2d({ inputShape: [3, 3, 2], strides: 1, padding: 'same' }),
    out: [3, 3, 2],
  },
  { name: 'globalAvgPool2d', make: () => globalAvgPool2d({ inputShape: [3, 4, 5] }), out: [5] },
  { name: 'flatten', make: () => flatten({ inputShape: [3, 4, 2] }), out: [24] },
  { name: 'reshape', make: () => reshape([2, 3, 4]), out: [2, 3, 4] },
];

describe('pooling, flatten and reshape', () => {
  it('have the output shapes of Keras', () => {
    for (const c of LAYERS) expect(c.make().outputShape ?? [c.make().outputs], c.name).toEqual(c.out);
    expect(describeLayer(maxPool2d({ inputShape: [8, 8, 16] }))).toBe('maxPool2d(8×8×16→4×4×16)');
    expect(describeLayer(globalAvgPool2d({ inputShape: [8, 8, 16] }))).toBe('globalAvgPool2d(8×8×16→16)');
    expect(describeLayer(reshape([8, 8, 1]))).toBe('reshape(64→8×8×1)');
  });

  for (const c of LAYERS) {
    it(`${c.name}: backward matches finite differences (float64), the same in training and inference`, () => {
      const layer = c.make();
      const run = layerRun(layer, 2, 7);
      const { y, dX } = run.passes();
      expectGradient('x', run.loss, run.x, dX);
      const t = layerRun(layer, 2, 7, true).passes();
      expect(Array.from(t.y)).toEqual(Array.from(y));
      expect(Array.from(t.dX)).toEqual(Array.from(dX));
      expect(layer.float32!()).toBe(layer); // element-wise on either array type
    });
  }

  it('compute hand-checked values', () => {
    const x = [[1, 5, 2, 0, 3, 4, 9, 8, -1, 6, 7, 2, 0, 0, 1, 1]]; // 4×4, one channel
    const max = sequential([maxPool2d({ inputShape: [4, 4, 1] })]);
    expect(Array.from(predict(max, max.init(createRng(1)), x))).toEqual([5, 9, 6, 7]);
    const avg = sequential([avgPool2d({ inputShape: [4, 4, 1] })]);
    expect(Array.from(predict(avg, avg.init(createRng(1)), x))).toEqual([3.25, 4.75, 1.25, 2.75]);
    const edge = sequential([avgPool2d({ inputShape: [2, 2, 1], strides: 1, padding: 'same' })]);
    expect(Array.from(predict(edge, edge.init(createRng(1)), [[1, 2, 3, 4]]))).toEqual([2.5, 3, 3.5, 4]);
    const global = sequential([globalAvgPool2d({ inputShape: [2, 2, 2] })]);
    expect(Array.from(predict(global, global.init(createRng(1)), [[1, 10, 2, 20, 3, 30, 4, 40]]))).toEqual([2.5, 25]);
  });

  it('take their input shape from the layer before, and save and rebuild as config', () => {
    const model = sequential([
      reshape([8, 8, 1]),
      conv2d({ filters: 4, kernelSize: 3, padding: 'same' }),
      relu(),
      maxPool2d({ poolSize: 2 }),
      avgPool2d({ poolSize: [2, 1], strides: [2, 1], padding: 'same' }),
      conv2d({ filters: 3, kernelSize: 1 }),
      globalAvgPool2d(),
      dense(3, 2),
    ]);
    expect(model.layers.map(describeLayer)).toEqual([
      'reshape(64→8×8×1)',
      'conv2d(8×8×1→8×8×4)',
      'relu(256)',
      'maxPool2d(8×8×4→4×4×4)',
      'avgPool2d(4×4×4→2×4×4)',
      'conv2d(2×4×4→2×4×3)',
      'globalAvgPool2d(2×4×3→3)',
      'dense(3→2)',
    ]);
    const config = model.toConfig();
    expect(config.layers.slice(3, 5)).toEqual([
      { type: 'maxPool2d', inputShape: [8, 8, 4], poolSize: 2 },
      { type: 'avgPool2d', inputShape: [4, 4, 4], poolSize: [2, 1], strides: [2, 1], padding: 'same' },
    ]);
    const rebuilt = modelFromConfig(JSON.parse(JSON.stringify(config))).model;
    expect(rebuilt.toConfig()).toEqual(config);
    // configs written by hand may leave the input shapes out after the first layer
    const short = modelFromConfig({
      layers: [
        { type: 'reshape', shape: [8, 8, 1] },
        { type: 'conv2d', filters: 4, kernelSize: 3, padding: 'same' },
        { type: 'relu' },
        { type: 'maxPool2d' },
        { type: 'flatten' },
        { type: 'dense', units: 2 },
      ],
    }).model;
    expect(summary(short)).toContain('3  maxPool2d(8×8×4→4×4×4)  [batch, 4, 4, 4]');
    expect(short.layers[5]!.inputs).toBe(64);
  });

  it('refuse bad options and shapes with GradstreamErrors that say where', () => {
    expect(() => maxPool2d({ poolSize: 0 })).toThrow('maxPool2d.poolSize: expected a positive integer or a pair of them');
    expect(() => avgPool2d({ pool: 2 } as never)).toThrow(GradstreamError);
    expect(() => reshape([8, 0])).toThrow('reshape(shape): expected a sample shape: positive integers');
    expect(() => sequential([dense(2, 6), globalAvgPool2d()])).toThrow(
      'globalAvgPool2d.inputShape: expected samples of shape [height, width, channels]',
    );
    expect(() => sequential([maxPool2d()])).toThrow('layers[0]: expected an input shape first');
    expect(() => maxPool2d().forward([], new Float64Array(1), new Float64Array(1), 1)).toThrow('maxPool2d: expected an input shape');
    expect(() => modelFromConfig({ layers: [{ type: 'conv2d', filters: 2, kernelSize: 3 }] })).toThrow(
      'model.layers[0].inputShape: expected the shape of one input sample',
    );
    expect(() =>
      modelFromConfig({
        layers: [
          { type: 'reshape', shape: [4, 4, 1] },
          { type: 'conv2d', inputShape: [4, 4, 2], filters: 2, kernelSize: 3 },
        ],
      }),
    ).toThrow('model.layers[1].inputShape: expected [4, 4, 1] (the output shape of the layer before), received [4, 4, 2]');
    expect(() =>
      modelFromConfig({
        layers: [
          { type: 'reshape', shape: [2, 2, 1] },
          { type: 'conv2d', filters: 2, kernelSize: 3 },
        ],
      }),
    ).toThrow('model.layers[1] (conv2d.inputShape): expected a 3×3 window inside the 2×2 input');
    expect(() => modelFromConfig({ layers: [{ type: 'reshape', shape: [4, 4] }, { type: 'maxPool2d' }] })).toThrow(
      'model.layers[1] (maxPool2d.inputShape): expected samples of shape [height, width, channels]',
    );
    expect(() =>
      modelFromConfig({
        layers: [
          { type: 'reshape', shape: [4, 4, 1] },
          { type: 'maxPool2d', poolSize: 0 },
        ],
      }),
    ).toThrow(GradstreamError);
  });
});
