import type { GradientTransformation, Hyper } from '../optimizer.js';
import { checkHyper, hyperValue } from './checkOption.js';

/** State of {@link clipByValue}: none. */
export type ClipByValueState = Record<string, never>;

/**
 * Clamps every update to `[−clipValue, clipValue]` (`clipValue` > 0). A live `hyperParam` cell is
 * read at every update.
 *
 * @param name - the prefix of error paths.
 * @example
 * import { chain, clipByValue, sgd } from 'gradstream';
 * const opt = chain(clipByValue(0.5), sgd({ lr: 0.01 }));
 */
export function clipByValue(clipValue: Hyper, name = 'clipByValue'): GradientTransformation<ClipByValueState> {
  const path = `${name}.clipValue`;
  checkHyper(path, clipValue, '> 0');
  return {
    init: () => ({}),
    update(updates) {
      const c = hyperValue(path, clipValue, '> 0');
      for (let i = 0; i < updates.length; i++) {
        const u = updates[i]!;
        if (u > c) updates[i] = c;
        else if (u < -c) updates[i] = -c;
      }
    },
  };
}
