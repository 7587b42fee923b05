import { GradstreamError, describeTyped, describeValue } from './errors.js';
import { isHyperParam, type HyperParam } from './isHyperParam.js';
import { checkOptions } from './optimizers/checkOption.js';

export { isHyperParam, type HyperParam } from './isHyperParam.js';

/** Options of {@link hyperParam}: the range {@link setHyperParam} accepts (inclusive). */
export interface HyperParamOptions {
  readonly min?: number;
  readonly max?: number;
}

/**
 * A cell holding `initial` (a finite number), optionally bounded by `min` / `max`.
 *
 * @example
 * import { adam, hyperParam } from 'gradstream';
 * const lr = hyperParam(0.01, { min: 0 });
 * const opt = adam({ lr });
 * lr.value = 0.001; // the next update uses 0.001
 */
export function hyperParam(initial: number, options: HyperParamOptions = {}): HyperParam {
  const o = checkOptions('hyperParam', options, ['min', 'max']);
  const min = o.min as number | undefined;
  const max = o.max as number | undefined;
  for (const [name, v] of [
    ['min', min],
    ['max', max],
  ] as const) {
    if (v !== undefined && (typeof v !== 'number' || Number.isNaN(v))) {
      throw new GradstreamError({ code: 'invalid_config', path: `hyperParam.${name}`, expected: 'a number', received: describeTyped(v) });
    }
  }
  if (min !== undefined && max !== undefined && min > max) {
    throw new GradstreamError({
      code: 'invalid_config',
      path: 'hyperParam.max',
      expected: `a number ≥ min (${min})`,
      received: String(max),
    });
  }
  const cell: { value: number; min?: number; max?: number } = { value: checkValue(initial, min, max, 'hyperParam') };
  if (min !== undefined) cell.min = min;
  if (max !== undefined) cell.max = max;
  return cell;
}

/**
 * Writes a value that comes from outside (a UI slider, an HTTP query string, a message) into
 * `cell`, or refuses it: a finite number — or a string that is entirely one, such as `"0.01"` —
 * within the cell's `min` / `max` (or `fallbackMin` when the cell has no `min`) is written; anything
 * else (`"abc"`, `NaN`, `-1` below the range, `null`) leaves the cell at its last good value.
 *
 * Returns `undefined` when the value was written, else the `GradstreamError` (`invalid_value`,
 * at `path`) describing the refusal — it never throws for a bad value, so a bad input cannot end a
 * training run (only a `cell`, `path` or `fallbackMin` of the wrong type, a programming error, throws).
 *
 * @example
 * import { hyperParam, setHyperParam } from 'gradstream';
 * const lr = hyperParam(0.01, { min: 0 });
 * setHyperParam(lr, '0.001'); // undefined: lr.value === 0.001
 * setHyperParam(lr, 'abc');   // GradstreamError "lr: expected a finite number, received \"abc\""; lr.value stays 0.001
 */
export function setHyperParam(cell: HyperParam, value: unknown, path = 'hyperParam', fallbackMin?: number): GradstreamError | undefined {
  if (!isHyperParam(cell)) {
    throw new GradstreamError({
      code: 'invalid_config',
      path: 'setHyperParam(cell)',
      expected: 'a hyperParam cell (hyperParam(0.01))',
      received: describeTyped(cell),
    });
  }
  if (typeof path !== 'string') {
    throw new GradstreamError({
      code: 'invalid_config',
      path: 'setHyperParam(path)',
      expected: 'a string (where the value came from)',
      received: describeTyped(path),
    });
  }
  if (fallbackMin !== undefined && (typeof fallbackMin !== 'number' || Number.isNaN(fallbackMin))) {
    throw new GradstreamError({
      code: 'invalid_config',
      path: 'setHyperParam(fallbackMin)',
      expected: 'a number or nothing',
      received: describeTyped(fallbackMin),
    });
  }
  let v: number;
  if (typeof value === 'number') v = value;
  else if (typeof value === 'string' && value.trim() !== '') v = Number(value);
  else v = Number.NaN;
  if (!Number.isFinite(v)) {
    return new GradstreamError({ code: 'invalid_value', path, expected: 'a finite number', received: describeValue(value) });
  }
  const min = cell.min ?? fallbackMin;
  const max = cell.max;
  if ((min !== undefined && v < min) || (max !== undefined && v > max)) {
    return new GradstreamError({
      code: 'invalid_value',
      path,
      expected: `a number in ${rangeText(min, max)}`,
      received: describeValue(value),
    });
  }
  cell.value = v;
  return undefined;
}

function checkValue(v: number, min: number | undefined, max: number | undefined, path: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    throw new GradstreamError({ code: 'invalid_config', path, expected: 'a finite number', received: describeTyped(v) });
  }
  if ((min !== undefined && v < min) || (max !== undefined && v > max)) {
    throw new GradstreamError({ code: 'invalid_config', path, expected: `a number in ${rangeText(min, max)}`, received: String(v) });
  }
  return v;
}

function rangeText(min: number | undefined, max: number | undefined): string {
  return `[${min ?? '-Infinity'}, ${max ?? 'Infinity'}]`;
}
