import { describe, expect, it } from 'vitest';
import { createGraph } from '../../../src/core/autodiff/graph.js';
import { fuseReduction } from '../../../src/core/autodiff/fuseReduction.js';
import type { Node, Tensor } from '../../../src/core/autodiff/node.js';
import { compileTape } from '../../../src/core/autodiff/tape.js';
import type { TensorOps } from '../../../src/core/autodiff/tensorOps.js';
import { createRng } from '../../../src/core/rng.js';

type Loss = (p: Tensor, t: Tensor, s: Tensor, T: TensorOps) => Tensor;
const rng = createRng(3);

/** The tape and the fused loop on the same expression of p, t ([4, 3]) and a scalar s. */
function both(fn: Loss) {
  const g = createGraph('test');
  const p = g.input(4, 3, true);
  const t = g.input(4, 3, false);
  const s = g.input(1, 1, true);
  const out = fn(p, t, s, g.ops) as Node;
  const tape = compileTape(g.nodes, out, false, 'test');
  return { fused: fuseReduction(g.nodes, out), tape, p, t, s };
}

const elementwise: [string, Loss][] = [
  ['mse', (p, t, _s, T) => T.mean(T.square(T.sub(p, t)))],
  ['logcosh', (p, t, _s, T) => T.mean(T.log(T.cosh(T.sub(p, t))))],
  ['pinball', (p, t, _s, T) => T.mean(T.maximum(T.mul(0.3, T.sub(t, p)), T.mul(-0.7, T.sub(t, p))))],
  [
    'huber by where',
    (p, t, s, T) => {
      const e = T.abs(T.sub(p, t));
      return T.sum(T.where(T.lessEqual(e, 1), T.mul(0.5, T.square(e)), T.sub(T.mul(s, e), 0.5)));
    },
  ],
  [
    'every unary',
    (p, t, s, T) =>
      T.mean(
        T.add(
          T.add(
            T.add(T.neg(T.pow(T.add(T.square(p), 1), -1.5)), T.exp(T.clip(p, -2, 2))),
            T.add(T.log1p(T.square(t)), T.sqrt(T.add(T.square(p), s))),
          ),
          T.add(
            T.add(T.tanh(p), T.sigmoid(T.mul(p, s))),
            T.add(T.relu(p), T.add(T.softplus(p), T.minimum(T.div(p, T.add(T.square(s), 1)), T.greater(p, t)))),
          ),
        ),
      ),
  ],
  ['a constant tensor', (p, _t, _s, T) => T.sum(T.mul(p, T.constant([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], [4, 3])))],
  ['p used alone', (p, _t, _s, T) => T.mean(p)],
];

describe('fuseReduction: one loop for element-wise losses', () => {
  for (const [name, fn] of elementwise) {
    it(`${name}: the same value and gradient as the tape`, () => {
      const { fused, tape, p, t, s } = both(fn);
      expect(fused).not.toBeNull();
      for (let round = 0; round < 3; round++) {
        p.val = Float64Array.from({ length: 12 }, () => rng.normal() * 2);
        t.val = Float64Array.from({ length: 12 }, () => rng.normal() * 2);
        s.val = new Float64Array([rng.uniform(0.5, 2)]);
        tape.forward();
        const want = tape.output.val[0]!;
        expect(fused!.value()).toBe(want);
        const gp = new Float64Array(12);
        const gs = new Float64Array(1);
        p.grad = gp;
        s.grad = gs;
        tape.zeroGrads();
        tape.output.grad![0] = 1;
        tape.backward();
        const wantP = Float64Array.from(gp);
        const wantS = Float64Array.from(gs);
        gp.fill(Number.NaN); // the fused loop writes every entry
        gs.fill(0); // (s is not in every expression; an unused input keeps its buffer)
        fused!.grad(1);
        expect(gp).toEqual(wantP);
        // a broadcast scalar's gradient sums over elements in another order: equal to rounding
        expect(Math.abs(gs[0]! - wantS[0]!)).toBeLessThanOrEqual(1e-14 * Math.abs(wantS[0]!));
      }
    });
  }
  it('leaves other forms to the tape', () => {
    expect(both((p, _t, _s, T) => T.neg(T.mean(T.pick(T.logSoftmax(p), T.constant([0, 1, 2, 0], [4, 1]))))).fused).toBeNull();
    expect(both((p, _t, _s, T) => T.mean(T.add(p, T.constant([1, 2, 3], [1, 3])))).fused).toBeNull();
    expect(both((p, _t, _s, T) => T.sum(T.mean(p, 1))).fused).toBeNull();
    expect(both((p, _t, _s, T) => T.mul(T.mean(p), 2)).fused).toBeNull();
  });
});
