import { GradstreamError } from '../core/errors.js';
import type { ParamLayout } from '../core/params.js';

const shapeText = (shape: readonly number[]): string => `[${shape.join(', ')}]`;

/**
 * Checks that the params a record carries fit the model: the same parameter names, in the same
 * order, with the same shapes. Params of another layout with the same size (a `dense(2, 8)`
 * checkpoint resumed on a `dense(4, 4)` model) would otherwise train silently. Throws a
 * `GradstreamError` (`invalid_shape`) naming the first parameter that differs and both shapes.
 */
export function checkParamsLayout(model: ParamLayout, params: ParamLayout): void {
  if (params === model) return;
  const n = Math.max(model.names.length, params.names.length);
  for (let i = 0; i < n; i++) {
    const want = model.names[i];
    const got = params.names[i];
    if (want === undefined) {
      throw new GradstreamError({
        code: 'invalid_shape',
        path: `params[${JSON.stringify(got)}]`,
        expected: `no such parameter (the model has ${model.names.join(', ')})`,
        received: `shape ${shapeText(params.shapes[i]!)}`,
      });
    }
    if (got !== want) {
      throw new GradstreamError({
        code: 'invalid_shape',
        path: `params[${JSON.stringify(want)}]`,
        expected: `shape ${shapeText(model.shapes[i]!)} (the model's parameter ${i + 1})`,
        received: got === undefined ? 'no such parameter' : `a parameter named ${JSON.stringify(got)}`,
      });
    }
    if (shapeText(model.shapes[i]!) !== shapeText(params.shapes[i]!)) {
      throw new GradstreamError({
        code: 'invalid_shape',
        path: `params[${JSON.stringify(want)}]`,
        expected: `shape ${shapeText(model.shapes[i]!)} (the model's)`,
        received: `shape ${shapeText(params.shapes[i]!)}`,
      });
    }
  }
}
