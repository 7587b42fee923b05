import { GradstreamError, describeValue } from '../core/errors.js';

/**
 * A reader of the value a sink monitors on each record: a field (`'loss'`, `'valLoss'`) or a
 * dotted path (`'metrics.accuracy'`). Returns the number there, or `undefined` when the record has
 * none (e.g. a validation loss computed once per epoch). Built once; reading allocates nothing.
 */
export function monitorReader(path: string, where: string): (r: object) => number | undefined {
  if (typeof path !== 'string' || !/^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*$/.test(path)) {
    throw new GradstreamError({
      code: 'invalid_config',
      path: where,
      expected: "a record field such as 'loss', 'valLoss' or 'metrics.accuracy'",
      received: describeValue(path),
    });
  }
  const keys = path.split('.');
  return (r) => {
    let v: unknown = r;
    for (let i = 0; i < keys.length; i++) {
      if (typeof v !== 'object' || v === null) return undefined;
      v = (v as Record<string, unknown>)[keys[i]!];
    }
    return typeof v === 'number' ? v : undefined;
  };
}
