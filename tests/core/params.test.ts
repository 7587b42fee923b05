import { describe, expect, it } from 'vitest';
import {
  GradstreamError,
  cloneParams,
  copyParams,
  createParams,
  formatError,
  param,
  paramIndex,
  paramLayout,
  paramsFrom,
  paramsToObject,
  toRows,
} from '../../src/index.js';
import { describeValue } from '../../src/core/errors.js';

const layout = paramLayout([
  ['0.W', [2, 3]],
  ['0.b', [3]],
]);

describe('params', () => {
  it('lays tensors out contiguously in one buffer', () => {
    expect(layout.names).toEqual(['0.W', '0.b']);
    expect(layout.offsets).toEqual([0, 6]);
    expect(layout.sizes).toEqual([6, 3]);
    expect(layout.size).toBe(9);
    const p = createParams(layout);
    param(p, '0.b')[1] = 5;
    expect(p.data[7]).toBe(5);
    expect(paramIndex(layout, '0.b')).toBe(1);
  });

  it('fills from nested rows or flat arrays, and copies', () => {
    const p = paramsFrom(layout, {
      '0.W': [
        [1, 2, 3],
        [4, 5, 6],
      ],
      '0.b': [7, 8, 9],
    });
    expect(Array.from(p.data)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const c = cloneParams(p);
    c.data[0] = 100;
    expect(p.data[0]).toBe(1);
    copyParams(p, c);
    expect(p.data[0]).toBe(100);
    expect(paramsToObject(p)).toEqual({ '0.W': { shape: [2, 3], data: [100, 2, 3, 4, 5, 6] }, '0.b': { shape: [3], data: [7, 8, 9] } });
    expect(toRows(param(p, '0.W'), 3)).toEqual([
      [100, 2, 3],
      [4, 5, 6],
    ]);
  });

  it('names the field on bad input', () => {
    expect(() =>
      paramLayout([
        ['a', [2]],
        ['a', [3]],
      ]),
    ).toThrow('params["a"]: expected a unique parameter name, received a duplicate');
    expect(() => paramLayout([['a', [0]]])).toThrow('params["a"].shape: expected positive integer dimensions, received [0]');
    expect(() => createParams(layout, new Float64Array(3))).toThrow('params.data: expected 9 numbers, received 3');
    expect(() => createParams(undefined as never)).toThrow(
      'createParams(layout): expected a parameter layout (model.layout, or paramLayout([...])), received undefined',
    );
    expect(() => createParams(layout, [1, 2, 3, 4, 5, 6, 7, 8, 9] as never)).toThrow(
      'params.data: expected a Float64Array of 9 numbers, received an array of length 9',
    );
    expect(() => copyParams(createParams(layout), createParams(paramLayout([['x', [1]]])))).toThrow(
      'params: expected 9 numbers, received 1',
    );
    expect(() => param(createParams(layout), 'W')).toThrowErrorMatchingInlineSnapshot(
      `[GradstreamError: params["W"]: expected one of "0.W", "0.b", received an unknown name]`,
    );
    expect(() => paramsFrom(layout, { '0.W': [[1, 2, 3]], '0.b': [1, 2, 3] })).toThrow(
      'params["0.W"]: expected 6 numbers (shape [2, 3]), received an array of length 3',
    );
    expect(() =>
      paramsFrom(layout, {
        '0.W': [
          [1, 2, 3],
          [4, 5],
        ],
        '0.b': [1, 2, 3],
      }),
    ).toThrow('params["0.W"][1]: expected 3 numbers, received 2');
    expect(() => paramsFrom(layout, { '0.b': [1, 2, 3] })).toThrow('params["0.W"]: expected shape [2, 3], received nothing');
    expect(() => paramsFrom(layout, { '0.W': [1, 2, 3, 4, 5, Number.NaN], '0.b': [1, 2, 3] })).toThrow(
      'params["0.W"][5]: expected a finite number, received NaN',
    );
    expect(() => paramsFrom(layout, { '0.W': [1, 2, 3, 4, 5, 6], '0.b': [1, Number.POSITIVE_INFINITY, 3] })).toThrow(
      'params["0.b"][1]: expected a finite number, received Infinity',
    );
    expect(() =>
      paramsFrom(layout, {
        '0.W': [
          [1, 2, 3],
          [4, 5, Number.NEGATIVE_INFINITY],
        ],
        '0.b': [1, 2, 3],
      }),
    ).toThrow('params["0.W"][5]: expected a finite number, received -Infinity');
    expect(() => paramsFrom(layout, { '0.W': [1, 2, 3, 4, 5, 6], '0.b': [1, 2, 3], extra: [1] })).toThrow('params["extra"]');
    expect(() => paramsFrom(layout, { '0.W': [1, 2, 3, 4, 5, '6'], '0.b': [1, 2, 3] } as never)).toThrow(
      'params["0.W"][5]: expected a finite number, received "6" (a string)',
    );
    expect(() => paramsFrom(layout, { '0.W': [[1, 2, 3], null], '0.b': [1, 2, 3] } as never)).toThrow(
      'params["0.W"][1]: expected 3 numbers, received null',
    );
    expect(() => paramsFrom(layout, { '0.W': 6, '0.b': [1, 2, 3] } as never)).toThrow(
      'params["0.W"]: expected 6 numbers (shape [2, 3]), flat or as rows, received 6',
    );
    expect(() => paramsFrom(layout, null as never)).toThrow('params: expected an object of tensors by name ("0.W", "0.b"), received null');
    expect(() => paramsFrom({} as never, {})).toThrow(
      'paramsFrom(layout): expected a parameter layout (model.layout, or paramLayout([...])), received an object',
    );
    expect(() => paramLayout('a' as never)).toThrow(
      'paramLayout(entries): expected an array of [name, shape] pairs, received "a" (a string)',
    );
    expect(() => paramLayout([['a', 2]] as never)).toThrow(
      'paramLayout(entries)[0]: expected a [name, shape] or [name, shape, trainable] entry (a string, an array of dimensions, a boolean), received an array of length 2',
    );
    expect(() => paramLayout([['a', [2, '3']]] as never)).toThrow(
      'params["a"].shape: expected positive integer dimensions, received a dimension "3" (a string)',
    );
    expect(() => paramLayout([['a', [2 ** 30, 2 ** 30]]])).toThrow('params["a"].shape: expected a tensor of at most 2^53 values in all');
  });

  it('structures errors as code, path, expected, received', () => {
    const e = new GradstreamError({ code: 'invalid_shape', path: 'x', expected: '4 numbers', received: '3' });
    expect([e.code, e.path, e.expected, e.received, e.name]).toEqual(['invalid_shape', 'x', '4 numbers', '3', 'GradstreamError']);
    expect(formatError({ code: 'invalid_value', path: '', expected: 'a', received: 'b' })).toBe('expected a, received b');
    expect([
      describeValue('x'.repeat(50)),
      describeValue(null),
      describeValue(undefined),
      describeValue(new Float64Array(2)),
      describeValue({}),
    ]).toEqual([`"${'x'.repeat(40)}…"`, 'null', 'undefined', 'a Float64Array of length 2', 'object']);
  });
});
