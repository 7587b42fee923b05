import { describe, expect, it } from 'vitest';
import { adagrad, hyperParam, momentum, nesterov, sgd } from '../../../src/index.js';
import { expectClose } from '../../helpers/expectClose.js';
import { stepper } from './problems.js';
import { runSeed } from './seedRun.js';

const ones = { grad: (out: Float64Array) => out.fill(1) };

describe('sgd', () => {
  it('keeps sgd({ lr }) as plain gradient descent: the lesson stops after 6 updates', async () => {
    const records = await runSeed(sgd({ lr: 0.01 }));
    expect(records.at(-1)!.step).toBe(6);
    expectClose([records.at(-1)!.loss!], [2.381266365508548], 1e-12);
    expect(sgd({ lr: 0.01 }).init(stepper(sgd(), ones, [0]).params)).toEqual([{ count: 0 }]);
  });

  it('defaults to lr 0.01, momentum 0 (Keras)', () => {
    const s = stepper(sgd(), ones, [0]);
    s.step();
    expect(s.params.data[0]).toBe(-0.01);
  });

  it('with momentum is tfjs momentum: a ← m·a + g, params −= lr·a', () => {
    const s = stepper(sgd({ lr: 0.1, momentum: 0.5 }), ones, [0]);
    s.step();
    s.step();
    expectClose(s.params.data, [-0.1 - 0.15], 1e-15);
  });

  it('momentum({}) defaults to momentum 0.9 and nesterov({}) adds the look-ahead', () => {
    const m = stepper(momentum(), ones, [0]);
    m.step();
    m.step();
    expectClose(m.params.data, [-0.01 - 0.019], 1e-15);
    const n = stepper(nesterov(), ones, [0]);
    n.step();
    expectClose(n.params.data, [-0.01 * 1.9], 1e-15);
    expect(() => nesterov({ momentum: 1.1 })).toThrow('nesterov.momentum: expected a number in [0, 1], received 1.1');
    expect(() => momentum({ lr: -1 })).toThrow('momentum.lr: expected a finite number ≥ 0, received -1');
  });

  it('accepts a momentum cell (always keeps the trace)', () => {
    const m = hyperParam(0);
    const s = stepper(sgd({ lr: 1, momentum: m }), ones, [0]);
    s.step();
    m.value = 1;
    s.step();
    expect(s.params.data[0]).toBe(-3);
  });

  it('prepends clipping: clipNorm, then clipValue', () => {
    const s = stepper(sgd({ lr: 1, clipNorm: 1, clipValue: 0.5 }), { grad: (out) => out.set([30, 40]) }, [0, 0]);
    s.step();
    expectClose(s.params.data, [-0.5, -0.5], 1e-15);
    expect(s.state).toHaveLength(3);
    expect(() => sgd({ nesterov: 1 as never })).toThrow('sgd.nesterov: expected a boolean, received 1');
  });
});

describe('adagrad', () => {
  it('is tfjs Adagrad: s ← 0.1 + Σg², params −= lr·g/√(s+ε) (defaults lr 0.001)', () => {
    const s = stepper(adagrad(), { grad: (out) => out.set([2]) }, [0]);
    s.step();
    expectClose(s.params.data, [(-0.001 * 2) / Math.sqrt(4.1 + 1e-7)], 1e-15);
    expect(() => adagrad({ epsilon: 0 })).toThrow('adagrad.epsilon: expected a finite number > 0, received 0');
    expect(() => adagrad({ initialAccumulatorValue: -0.1 })).toThrow(
      'adagrad.initialAccumulatorValue: expected a finite number ≥ 0, received -0.1',
    );
  });
});
