import { GradstreamError, describeTyped } from '../errors.js';
import type { Regularizer } from './regularizer.js';

/** The one implementation behind `l1`, `l2` and `l1l2` (`kind` names the factory in errors). */
export function weightPenalty(kind: Regularizer['kind'], l1: number, l2: number): Regularizer {
  for (const [name, v] of [
    ['l1', l1],
    ['l2', l2],
  ] as const) {
    if (typeof v !== 'number' || !(v >= 0) || !Number.isFinite(v)) {
      throw new GradstreamError({
        code: 'invalid_value',
        path: kind === 'l1l2' ? `l1l2.${name}` : `${kind}(${name})`,
        expected: 'a finite number ≥ 0',
        received: describeTyped(v),
      });
    }
  }
  const twoL2 = 2 * l2;
  return {
    kind,
    l1,
    l2,
    value(w) {
      let a = 0;
      let q = 0;
      for (let i = 0; i < w.length; i++) {
        const v = w[i]!;
        a += Math.abs(v);
        q += v * v;
      }
      return l1 * a + l2 * q;
    },
    addGrad(grad, w) {
      for (let i = 0; i < w.length; i++) {
        const v = w[i]!;
        grad[i]! += (v > 0 ? l1 : v < 0 ? -l1 : 0) + twoL2 * v;
      }
    },
    toConfig: () => (kind === 'l1' ? { l1 } : kind === 'l2' ? { l2 } : { l1, l2 }),
  };
}
