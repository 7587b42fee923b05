import { GradstreamError } from '../core/errors.js';
import { minMaxFrom } from '../streams/minMax.js';
import type { Scaler } from '../streams/scaler.js';
import { standardizeFrom } from '../streams/standardize.js';
import { fromZodError } from './fromZodError.js';
import { ScalerJson } from './scalerJson.js';

/**
 * Rebuilds a fitted scaler from `scaler.toJSON()` (e.g. read back from a checkpoint), checking it:
 * finite numbers, one value per input in each list, a positive `std`.
 *
 * @example
 * import { scalerFromJSON, standardize } from 'gradstream';
 * const again = scalerFromJSON(JSON.parse(JSON.stringify(standardize().fit([[1], [3]]))));
 */
export function scalerFromJSON(json: unknown): Scaler {
  const parsed = ScalerJson.safeParse(json, { reportInput: true });
  if (!parsed.success) throw fromZodError('invalid_config', 'scaler', parsed.error);
  const s = parsed.data;
  const [a, b, names] = s.type === 'standardize' ? [s.mean, s.std, ['mean', 'std']] : [s.min, s.max, ['min', 'max']];
  if (a.length !== b.length) {
    throw new GradstreamError({
      code: 'invalid_config',
      path: `scaler.${names[1]}`,
      expected: `${a.length} numbers (as ${names[0]})`,
      received: String(b.length),
    });
  }
  return s.type === 'standardize' ? standardizeFrom(s.mean, s.std) : minMaxFrom(s.min, s.max);
}
