import { GradstreamError } from '../errors.js';

/** Throws a shape error unless `target` has exactly `rows × cols` values. */
export function checkTarget(loss: string, target: Readonly<Float64Array>, rows: number, cols: number): void {
  if (target.length !== rows * cols) throwTargetShape(loss, target, rows, cols);
}

// Kept out of checkTarget so that the hot check stays small enough to inline.
function throwTargetShape(loss: string, target: Readonly<Float64Array>, rows: number, cols: number): never {
  throw new GradstreamError({
    code: 'invalid_shape',
    path: `${loss}(target)`,
    expected: `${rows * cols} values (${rows} rows × ${cols} outputs)`,
    received: String(target.length),
  });
}
