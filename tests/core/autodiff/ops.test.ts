import { describe, expect, it } from 'vitest';
import { createRng } from '../../../src/core/rng.js';
import { expectGradient } from '../gradcheck.js';
import { evaluator, type Build } from './evaluate.js';

type Shape = readonly [number, number];
const rng = createRng(23);

/** Values in ±[0.2, 2] (away from the kinks at 0), or in [lo, hi] when given. */
function values(shape: Shape, range?: readonly [number, number]): Float64Array {
  const n = shape[0] * shape[1];
  return Float64Array.from({ length: n }, () =>
    range ? rng.uniform(range[0], range[1]) : (rng.next() < 0.5 ? -1 : 1) * rng.uniform(0.2, 2),
  );
}

/** Gradient check of every input by finite differences (float64). */
function check(label: string, shapes: readonly Shape[], build: Build, range?: readonly [number, number]): void {
  const e = evaluator(shapes, build);
  const v = shapes.map((s) => values(s, range));
  const g = e.grad(v).map((x) => Float64Array.from(x));
  for (let i = 0; i < v.length; i++) expectGradient(`${label} ∂input${i}`, () => e.value(v), v[i]!, g[i]!, 1e-7);
}

const M: Shape = [3, 4];
const unary: [string, Build, (readonly [number, number])?][] = [
  ['neg', ([x], T) => T.neg(x!)],
  ['square', ([x], T) => T.square(x!)],
  ['pow 3', ([x], T) => T.pow(x!, 3)],
  ['pow -1.5', ([x], T) => T.pow(x!, -1.5), [0.3, 2]],
  ['exp', ([x], T) => T.exp(x!)],
  ['log', ([x], T) => T.log(x!), [0.2, 3]],
  ['log1p', ([x], T) => T.log1p(x!), [-0.7, 3]],
  ['sqrt', ([x], T) => T.sqrt(x!), [0.2, 3]],
  ['abs', ([x], T) => T.abs(x!)],
  ['tanh', ([x], T) => T.tanh(x!)],
  ['sigmoid', ([x], T) => T.sigmoid(x!)],
  ['relu', ([x], T) => T.relu(x!)],
  ['softplus', ([x], T) => T.softplus(x!)],
  ['cosh', ([x], T) => T.cosh(x!)],
  ['clip', ([x], T) => T.clip(x!, -1, 1)],
];
const binary: [string, Build][] = [
  ['add', ([a, b], T) => T.add(a!, b!)],
  ['sub', ([a, b], T) => T.sub(a!, b!)],
  ['mul', ([a, b], T) => T.mul(a!, b!)],
  ['div', ([a, b], T) => T.div(a!, b!)],
  ['maximum', ([a, b], T) => T.maximum(a!, b!)],
  ['minimum', ([a, b], T) => T.minimum(a!, b!)],
];

describe('autodiff: every operation against finite differences (float64)', () => {
  for (const [name, build, range] of unary) it(name, () => check(name, [M], build, range));
  for (const [name, build] of binary) {
    it(`${name}, same shapes`, () => check(name, [M, M], build));
    it(`${name}, a row vector broadcast`, () => check(name, [M, [1, 4]], build));
    it(`${name}, a column vector broadcast`, () => check(name, [[3, 1], M], build));
    it(`${name}, a scalar broadcast`, () => check(name, [[1, 1], M], build));
  }
  it('numbers as operands', () => check('affine', [M], ([x], T) => T.add(T.mul(2.5, x!), -1)));
  for (const cmp of ['greater', 'greaterEqual', 'less', 'lessEqual', 'equal'] as const) {
    it(`where(${cmp}(a, b), a, b)`, () => check(cmp, [M, [1, 4]], ([a, b], T) => T.where(T[cmp](a!, b!), T.mul(a!, b!), T.sub(a!, b!))));
  }
  for (const axis of [undefined, 0, 1] as const) {
    it(`sum axis ${String(axis)}`, () => check('sum', [M], ([x], T) => T.sum(x!, axis)));
    it(`mean axis ${String(axis)}`, () => check('mean', [M], ([x], T) => T.mean(x!, axis)));
    it(`logSumExp axis ${String(axis)}`, () => check('logSumExp', [M], ([x], T) => T.logSumExp(x!, axis)));
  }
  for (const axis of [0, 1] as const) {
    it(`softmax axis ${axis}`, () => check('softmax', [M], ([x], T) => T.softmax(x!, axis)));
    it(`logSoftmax axis ${axis}`, () => check('logSoftmax', [M], ([x], T) => T.logSoftmax(x!, axis)));
  }
  it('matmul', () =>
    check(
      'matmul',
      [
        [3, 5],
        [5, 2],
      ],
      ([a, b], T) => T.matmul(a!, b!),
    ));
  it('matmul of a tensor with itself (gradients added)', () => check('matmul', [[3, 3]], ([a], T) => T.matmul(a!, a!)));
  it('matmul feeding a tensor used twice', () =>
    check(
      'matmul',
      [
        [3, 5],
        [5, 2],
      ],
      ([a, b], T) => T.add(T.matmul(a!, b!), T.sum(T.square(a!))),
    ));
  it('transpose', () => check('transpose', [M], ([x], T) => T.matmul(T.transpose(x!), x!)));
  it('pick', () => {
    const e = evaluator([M, [3, 1]], ([x, l], T) => T.pick(x!, l!), undefined, [true, false]);
    const v = [values(M), new Float64Array([2, 0, 3])];
    const g = Float64Array.from(e.grad(v)[0]!);
    expectGradient('pick', () => e.value(v), v[0]!, g, 1e-7);
    e.value(v);
    expect(e.output.val).toEqual(new Float64Array([v[0]![2]!, v[0]![4]!, v[0]![11]!]));
  });
});

describe('autodiff: gradients at kinks follow TensorFlow', () => {
  const at = (build: Build, x: number[], y?: number[]) => {
    const shapes: Shape[] =
      y === undefined
        ? [[1, x.length]]
        : [
            [1, x.length],
            [1, y.length],
          ];
    const e = evaluator(shapes, build, (n) => new Float64Array(n).fill(1));
    return e.grad(y === undefined ? [Float64Array.from(x)] : [Float64Array.from(x), Float64Array.from(y)]).map((g) => Array.from(g));
  };
  it("relu'(0) = 0, abs'(0) = 0", () => {
    expect(at(([x], T) => T.relu(x!), [0, 1, -1])[0]).toEqual([0, 1, 0]);
    expect(at(([x], T) => T.abs(x!), [0, 1, -1])[0]).toEqual([0, 1, -1]);
  });
  it('maximum and minimum send a tie to the first operand', () => {
    expect(at(([a, b], T) => T.maximum(a!, b!), [1, 2, 3], [1, 1, 4])).toEqual([
      [1, 1, 0],
      [0, 0, 1],
    ]);
    expect(at(([a, b], T) => T.minimum(a!, b!), [1, 2, 3], [1, 1, 4])).toEqual([
      [1, 0, 1],
      [0, 1, 0],
    ]);
  });
  it('clip passes the gradient at its bounds', () => {
    expect(at(([x], T) => T.clip(x!, -1, 1), [-1, 1, 1.5, -2, 0])[0]).toEqual([1, 1, 0, 0, 1]);
  });
});

describe('autodiff: numerics and errors', () => {
  it('logSoftmax and logSumExp stay finite for logits of ±1000', () => {
    const e = evaluator([[2, 3]], ([x], T) => T.add(T.logSoftmax(x!), T.logSumExp(x!, 1)));
    const v = [new Float64Array([1000, -1000, 0, -1000, 1000, 999])];
    expect(Number.isFinite(e.value(v))).toBe(true);
    expect(e.grad(v)[0]!.every(Number.isFinite)).toBe(true);
  });
  it('float32 buffers compute in float32', () => {
    const e = evaluator([M, [4, 2]], ([a, b], T) => T.tanh(T.matmul(a!, b!)), undefined, undefined, true);
    const e64 = evaluator([M, [4, 2]], ([a, b], T) => T.tanh(T.matmul(a!, b!)));
    const v = [values(M), values([4, 2])];
    const g = e.grad(v.map((x) => Float32Array.from(x) as unknown as Float64Array));
    expect(g[0]).toBeInstanceOf(Float32Array);
    const g64 = e64.grad(v);
    for (let i = 0; i < 2; i++) for (let j = 0; j < g64[i]!.length; j++) expect(g[i]![j]!).toBeCloseTo(g64[i]![j]!, 5);
  });
  it('errors name the operation and the shapes', () => {
    expect(() =>
      evaluator(
        [
          [2, 3],
          [3, 2],
        ],
        ([a, b], T) => T.add(a!, b!),
      ),
    ).toThrow('test: T.add: expected shapes that broadcast with [2, 3], received [3, 2]');
    expect(() =>
      evaluator(
        [
          [2, 3],
          [2, 3],
        ],
        ([a, b], T) => T.matmul(a!, b!),
      ),
    ).toThrow('test: T.matmul: expected b with 3 rows (a is [2, 3]), received [2, 3]');
    expect(() => evaluator([[2, 3]], ([a], T) => T.sum(a!, 2 as 0))).toThrow(
      'test: T.sum(axis): expected 0 (down the columns) or 1 (along the rows), received 2',
    );
  });
});
