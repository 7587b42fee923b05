import { describe, expect, it } from 'vitest';
import { batchNorm, dense, dropout, relu, sequential, softmax, summary, type Model } from '../../src/index.js';

describe('summary', () => {
  it('lists layers, output shapes and parameter counts', () => {
    expect(summary(sequential([dense(784, 128), relu(), dense(128, 10, { bias: false }), softmax()]))).toMatchInlineSnapshot(`
      "#  layer           output        params  names
      0  dense(784→128)  [batch, 128]  100480  0.W [784, 128], 0.b [128]
      1  relu(128)       [batch, 128]  0
      2  dense(128→10)   [batch, 10]   1280    2.W [128, 10]
      3  softmax(10)     [batch, 10]   0
      total: 101760 parameters; input [batch, 784] → output [batch, 10]"
    `);
  });

  it('describes models without a layer list by their sizes', () => {
    const { layers: _layers, ...bare } = sequential([dense(2, 3)]);
    expect(summary(bare as Model)).toBe('#  layer  output  params  names\ntotal: 9 parameters; input [batch, 2] → output [batch, 3]');
  });

  it('refuses what is not a model', () => {
    expect(() => summary(undefined as never)).toThrow(
      'summary(model): expected a model (sequential([...]) or modelFromConfig(…).model), received undefined',
    );
    expect(() => summary({ ...sequential([dense(2, 3)]), layout: null } as never)).toThrow(
      'summary(model).layout: expected a parameter layout (model.layout, or paramLayout([...])), received null',
    );
    expect(() => summary({ ...sequential([dense(2, 3)]), layers: 'dense' } as never)).toThrow(
      'summary(model).layers: expected an array of layers (or nothing), received "dense" (a string)',
    );
  });
});

describe('summary of a model with state', () => {
  it('counts the non-trainable tensors apart', () => {
    const text = summary(sequential([dense(2, 4), batchNorm(), dropout(0.5), dense(4, 1)]));
    expect(text.split('\n').slice(1)).toEqual([
      '0  dense(2→4)    [batch, 4]  12      0.W [2, 4], 0.b [4]',
      '1  batchNorm(4)  [batch, 4]  17      1.gamma [4], 1.beta [4], 1.movingMean [4], 1.movingVariance [4], 1.statsStep [1]',
      '2  dropout(4)    [batch, 4]  0',
      '3  dense(4→1)    [batch, 1]  5       3.W [4, 1], 3.b [1]',
      'total: 34 parameters (9 non-trainable: model state); input [batch, 2] → output [batch, 1]',
    ]);
  });
});
