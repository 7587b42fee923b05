import { GradstreamError } from '../errors.js';

/**
 * Throws a shape error unless `target` has exactly `rows × cols` values (or, with `labels`, one
 * class label per row). Shared by the losses and the metrics; `name` starts the error path.
 */
export function checkTarget(name: string, target: Readonly<Float64Array>, rows: number, cols: number, labels = false): void {
  if (target.length !== rows * cols && !(labels && target.length === rows)) throwTargetShape(name, target, rows, cols, labels);
}

// Kept out of checkTarget so that the hot check stays small enough to inline.
function throwTargetShape(name: string, target: Readonly<Float64Array>, rows: number, cols: number, labels: boolean): never {
  const values = `${rows * cols} values (${rows} rows × ${cols} outputs)`;
  throw new GradstreamError({
    code: 'invalid_shape',
    path: `${name}(target)`,
    expected: labels ? `${rows} class labels or ${values}` : values,
    received: String(target.length),
  });
}
