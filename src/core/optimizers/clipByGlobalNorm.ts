import type { GradientTransformation, Hyper } from '../optimizer.js';
import { checkHyper, hyperValue } from './checkOption.js';

/** State of {@link clipByGlobalNorm}: none. */
export type ClipByGlobalNormState = Record<string, never>;

/**
 * Rescales updates so that their global L2 norm (over all parameters) is at most `clipNorm`
 * (> 0): `u ← u · clipNorm / max(‖u‖, clipNorm)`. A live `hyperParam` cell is read at every update.
 *
 * @param name - the prefix of error paths.
 * @example
 * import { adam, chain, clipByGlobalNorm } from 'gradstream';
 * const opt = chain(clipByGlobalNorm(1), adam({ lr: 0.001 }));
 */
export function clipByGlobalNorm(clipNorm: Hyper, name = 'clipByGlobalNorm'): GradientTransformation<ClipByGlobalNormState> {
  const path = `${name}.clipNorm`;
  checkHyper(path, clipNorm, '> 0');
  return {
    init: () => ({}),
    update(updates) {
      const c = hyperValue(path, clipNorm, '> 0');
      let sq = 0;
      for (let i = 0; i < updates.length; i++) sq += updates[i]! * updates[i]!;
      const norm = Math.sqrt(sq);
      if (!(norm > c)) return;
      const k = c / norm;
      for (let i = 0; i < updates.length; i++) updates[i]! *= k;
    },
  };
}
