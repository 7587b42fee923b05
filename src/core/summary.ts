import { checkModel } from './checkModel.js';
import { GradstreamError, describeTyped } from './errors.js';
import type { Layer } from './layer.js';
import type { Model } from './model.js';
import { outputShapeOf } from './layerShape.js';
import { describeLayer } from './sequential.js';

/**
 * A text table of a model: one line per layer (index, layer, output shape, parameter count and
 * the parameter names), then the total (and how many of them are non-trainable model state, such
 * as batch normalization's moving statistics, and `float32` for a float32 model). Models without a `layers` list (not made by
 * `sequential`) show their input and output sizes only. Throws a `GradstreamError` when `model` is
 * not a model.
 *
 * @example
 * import { dense, relu, sequential, summary } from 'gradstream';
 * console.log(summary(sequential([dense(784, 128), relu(), dense(128, 10)])));
 * // #  layer             output        params  names
 * // 0  dense(784→128)    [batch, 128]  100480  0.W [784, 128], 0.b [128]
 * // …
 * // total: 101770 parameters; input [batch, 784] → output [batch, 10]
 */
export function summary(model: Model & { readonly layers?: readonly Layer[] }): string {
  checkModel('summary(model)', model);
  if (model.layers !== undefined && !Array.isArray(model.layers)) {
    throw new GradstreamError({
      code: 'invalid_config',
      path: 'summary(model).layers',
      expected: 'an array of layers (or nothing)',
      received: describeTyped(model.layers),
    });
  }
  const header = ['#', 'layer', 'output', 'params', 'names'];
  const lines: string[][] = [header];
  const { names, shapes, sizes } = model.layout;
  if (model.layers !== undefined) {
    let shape: readonly number[] | undefined;
    model.layers.forEach((layer, i) => {
      shape = outputShapeOf(layer, shape);
      const prefix = `${i}.`;
      let count = 0;
      const own: string[] = [];
      for (let k = 0; k < names.length; k++) {
        if (names[k]!.startsWith(prefix)) {
          count += sizes[k]!;
          own.push(`${names[k]!} [${shapes[k]!.join(', ')}]`);
        }
      }
      lines.push([String(i), describeLayer(layer), `[batch, ${shape.join(', ')}]`, String(count), own.join(', ')]);
    });
  }
  const widths = header.map((_, c) => Math.max(...lines.map((l) => l[c]!.length)));
  const text = lines.map((l) =>
    l
      .map((cell, c) => (c === l.length - 1 ? cell : cell.padEnd(widths[c]!)))
      .join('  ')
      .trimEnd(),
  );
  const { size, trainableSize } = model.layout;
  const frozen = size === trainableSize ? '' : ` (${size - trainableSize} non-trainable: model state)`;
  const float32 = model.precision === 'float32' ? ', float32' : '';
  text.push(`total: ${size} parameters${frozen}${float32}; input [batch, ${model.inputs}] → output [batch, ${model.outputs}]`);
  return text.join('\n');
}
