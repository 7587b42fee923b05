import { GradstreamError, describeTyped, describeValue } from './errors.js';
import type { Precision } from './kernelsF32.js';

/**
 * The names, shapes and places of a model's parameters inside one flat `Float64Array`.
 * Names follow `"<layer index>.W"` / `"<layer index>.b"`; every tensor is row major.
 */
export interface ParamLayout {
  readonly names: readonly string[];
  readonly shapes: readonly (readonly number[])[];
  /** Start of each tensor in the flat buffer. */
  readonly offsets: readonly number[];
  /** Number of elements of each tensor. */
  readonly sizes: readonly number[];
  /** Total number of parameters. */
  readonly size: number;
  /**
   * Whether each tensor is trained (true, the default) or is model state kept with the
   * parameters (false: batch normalization's moving statistics), which no optimizer changes.
   */
  readonly trainable: readonly boolean[];
  /** Number of values in trainable tensors (`size` when every tensor is trainable). */
  readonly trainableSize: number;
}

/**
 * A model's parameters: one flat buffer (`data`, what optimizers work on) and a view per
 * named tensor (`tensors`, in layout order). Views share memory with `data`. A float32 model's
 * (`sequential(layers, { precision: 'float32' })`) are `Float32Array`s at run time, still typed
 * `Float64Array` so that code written for float64 compiles unchanged ({@link precisionOf} tells).
 */
export interface Params {
  readonly layout: ParamLayout;
  readonly data: Float64Array;
  readonly tensors: readonly Float64Array[];
}

/** A tensor as plain data: its shape and its row-major values. */
export interface TensorData {
  readonly shape: readonly number[];
  readonly data: ArrayLike<number>;
}

/**
 * Builds a layout from `[name, shape]` pairs (or `[name, shape, trainable]`; trainable by
 * default), in order. Names must be unique.
 */
export function paramLayout(
  entries: readonly (readonly [string, readonly number[]] | readonly [string, readonly number[], boolean])[],
): ParamLayout {
  const names: string[] = [];
  const shapes: (readonly number[])[] = [];
  const offsets: number[] = [];
  const sizes: number[] = [];
  const trainable: boolean[] = [];
  let size = 0;
  let trainableSize = 0;
  if (!Array.isArray(entries)) {
    throw new GradstreamError({
      code: 'invalid_shape',
      path: 'paramLayout(entries)',
      expected: 'an array of [name, shape] pairs',
      received: describeTyped(entries),
    });
  }
  for (let e = 0; e < entries.length; e++) {
    const entry: unknown = entries[e];
    if (
      !Array.isArray(entry) ||
      typeof entry[0] !== 'string' ||
      !Array.isArray(entry[1]) ||
      (entry[2] !== undefined && typeof entry[2] !== 'boolean')
    ) {
      throw new GradstreamError({
        code: 'invalid_shape',
        path: `paramLayout(entries)[${e}]`,
        expected: 'a [name, shape] or [name, shape, trainable] entry (a string, an array of dimensions, a boolean)',
        received: describeTyped(entry),
      });
    }
    const name = entry[0];
    const shape = entry[1] as readonly unknown[];
    const isTrainable = (entry[2] as boolean | undefined) ?? true;
    if (names.includes(name)) {
      throw new GradstreamError({
        code: 'invalid_shape',
        path: `params[${JSON.stringify(name)}]`,
        expected: 'a unique parameter name',
        received: 'a duplicate',
      });
    }
    let n = 1;
    for (const d of shape) {
      if (typeof d !== 'number' || !Number.isSafeInteger(d) || d < 1) {
        const dims = shape.every((v) => typeof v === 'number') ? `[${shape.join(', ')}]` : `a dimension ${describeTyped(d)}`;
        throw new GradstreamError({
          code: 'invalid_shape',
          path: `params[${JSON.stringify(name)}].shape`,
          expected: 'positive integer dimensions',
          received: dims,
        });
      }
      n *= d;
    }
    if (!Number.isSafeInteger(size + n)) {
      throw new GradstreamError({
        code: 'invalid_shape',
        path: `params[${JSON.stringify(name)}].shape`,
        expected: 'a tensor of at most 2^53 values in all',
        received: `[${shape.join(', ')}]`,
      });
    }
    names.push(name);
    shapes.push(Object.freeze(shape.slice() as number[]));
    offsets.push(size);
    sizes.push(n);
    trainable.push(isTrainable);
    if (isTrainable) trainableSize += n;
    size += n;
  }
  return Object.freeze({
    names: Object.freeze(names),
    shapes: Object.freeze(shapes),
    offsets: Object.freeze(offsets),
    sizes: Object.freeze(sizes),
    size,
    trainable: Object.freeze(trainable),
    trainableSize,
  });
}

/**
 * Allocates zero-filled float64 parameters (or wraps `data`, a `Float64Array` — or the
 * `Float32Array` of float32 parameters — of `layout.size` elements).
 * Throws a `GradstreamError` when `layout` is not a layout or `data` does not fit it.
 */
export function createParams(layout: ParamLayout, data?: Float64Array): Params {
  checkParamLayout('createParams(layout)', layout);
  if (data !== undefined && !(data instanceof Float64Array) && !((data as unknown) instanceof Float32Array)) {
    throw new GradstreamError({
      code: 'invalid_shape',
      path: 'params.data',
      expected: `a Float64Array of ${layout.size} numbers`,
      received: describeTyped(data),
    });
  }
  return wrapParams(layout, data ?? new Float64Array(layout.size));
}

/**
 * Zero-filled parameters of `layout` in `precision` (see `sequential`'s `precision` option):
 * `data` and the tensor views are `Float32Array`s for `'float32'`. The static type stays
 * `Params` (whose arrays are typed `Float64Array`) so that existing code compiles unchanged; the
 * run-time array type is the precision.
 *
 * @example
 * import { createParamsIn, paramLayout } from 'gradstream';
 * const p = createParamsIn(paramLayout([['w', [2]]]), 'float32'); // p.data instanceof Float32Array
 */
export function createParamsIn(layout: ParamLayout, precision: Precision): Params {
  checkParamLayout('createParamsIn(layout)', layout);
  if (precision !== 'float64' && precision !== 'float32') throwPrecision('createParamsIn(precision)', precision);
  return wrapParams(layout, zerosIn(precision, layout.size));
}

/**
 * The precision of a parameter (or any float) buffer: `'float32'` for a `Float32Array`, else
 * `'float64'`.
 *
 * @example
 * import { createRng, dense, precisionOf, sequential } from 'gradstream';
 * const model = sequential([dense(2, 1)], { precision: 'float32' });
 * precisionOf(model.init(createRng(1)).data); // 'float32'
 */
export function precisionOf(data: Readonly<Float64Array>): Precision {
  return (data as unknown) instanceof Float32Array ? 'float32' : 'float64';
}

/**
 * `n` zeros in `precision`: a `Float32Array` for `'float32'` (typed `Float64Array`, see
 * {@link createParamsIn}), else a `Float64Array`. Internal (caches, gradients).
 */
export function zerosIn(precision: Precision, n: number): Float64Array<ArrayBuffer> {
  return precision === 'float32' ? (new Float32Array(n) as unknown as Float64Array<ArrayBuffer>) : new Float64Array(n);
}

/**
 * `n` zeros (default `like.length`) of the array type of `like`: a custom optimizer allocates its
 * state with it so that the state follows the parameters' precision.
 *
 * @example
 * import { zerosLike, type GradientTransformation } from 'gradstream';
 * const init: GradientTransformation['init'] = (params) => ({ trace: zerosLike(params.data) });
 */
export function zerosLike(like: Readonly<Float64Array>, n = like.length): Float64Array<ArrayBuffer> {
  return zerosIn(precisionOf(like), n);
}

function throwPrecision(path: string, precision: unknown): never {
  throw new GradstreamError({ code: 'invalid_config', path, expected: "'float64' or 'float32'", received: describeTyped(precision) });
}

/** {@link createParams} for a layout known to be one (no check of the layout). */
function wrapParams(layout: ParamLayout, data: Float64Array): Params {
  if (data.length !== layout.size) {
    throw new GradstreamError({
      code: 'invalid_shape',
      path: 'params.data',
      expected: `${layout.size} numbers`,
      received: String(data.length),
    });
  }
  const tensors = layout.names.map((_, i) => data.subarray(layout.offsets[i], layout.offsets[i]! + layout.sizes[i]!));
  return Object.freeze({ layout, data, tensors: Object.freeze(tensors) });
}

/** A deep copy: same layout, fresh buffer. */
export function cloneParams(params: Params): Params {
  return wrapParams(params.layout, params.data.slice());
}

/** Copies `src` into `out` (same layout size) and returns `out`. */
export function copyParams(out: Params, src: Params): Params {
  if (out.data.length !== src.data.length) {
    throw new GradstreamError({
      code: 'invalid_shape',
      path: 'params',
      expected: `${out.data.length} numbers`,
      received: String(src.data.length),
    });
  }
  out.data.set(src.data);
  return out;
}

/** The index of a named tensor, or a clear error naming the known names. */
export function paramIndex(layout: ParamLayout, name: string): number {
  const i = layout.names.indexOf(name);
  if (i < 0) {
    throw new GradstreamError({
      code: 'invalid_value',
      path: `params[${JSON.stringify(name)}]`,
      expected: `one of ${layout.names.map((n) => JSON.stringify(n)).join(', ')}`,
      received: 'an unknown name',
    });
  }
  return i;
}

/** The view of a named tensor (shares memory with `params.data`). */
export function param(params: Params, name: string): Float64Array {
  return params.tensors[paramIndex(params.layout, name)]!;
}

/**
 * Fills parameters from plain values by name: nested row arrays (`[[…], […]]`), flat arrays or
 * typed arrays. Every layout name must be present with the right number of values, each a finite
 * number (a `GradstreamError` names the tensor and index otherwise).
 */
export function paramsFrom(
  layout: ParamLayout,
  values: Readonly<Record<string, ArrayLike<number> | readonly (readonly number[])[]>>,
): Params {
  checkParamLayout('paramsFrom(layout)', layout);
  if (typeof values !== 'object' || values === null || Array.isArray(values) || ArrayBuffer.isView(values)) {
    throw new GradstreamError({
      code: 'invalid_value',
      path: 'params',
      expected: `an object of tensors by name (${layout.names.map((n) => JSON.stringify(n)).join(', ')})`,
      received: describeTyped(values),
    });
  }
  const params = createParams(layout);
  for (let i = 0; i < layout.names.length; i++) {
    const name = layout.names[i]!;
    const path = `params[${JSON.stringify(name)}]`;
    const raw: unknown = Object.hasOwn(values, name) ? values[name] : undefined;
    if (raw === undefined) {
      throw new GradstreamError({ code: 'invalid_value', path, expected: `shape [${layout.shapes[i]!.join(', ')}]`, received: 'nothing' });
    }
    const flat = flatten(raw, layout.shapes[i]!, path);
    params.tensors[i]!.set(flat);
  }
  for (const key of Object.keys(values)) paramIndex(layout, key);
  return params;
}

/**
 * Throws a `GradstreamError` naming `path` unless `layout` has the shape of a {@link ParamLayout}
 * (as `paramLayout` and `model.layout` give): names, shapes, offsets and sizes of one length, and
 * a size.
 */
export function checkParamLayout(path: string, layout: unknown): asserts layout is ParamLayout {
  const l = layout as Partial<ParamLayout> | null;
  const ok =
    typeof l === 'object' &&
    l !== null &&
    Array.isArray(l.names) &&
    Array.isArray(l.shapes) &&
    Array.isArray(l.offsets) &&
    Array.isArray(l.sizes) &&
    l.shapes.length === l.names.length &&
    l.sizes.length === l.names.length &&
    l.offsets.length === l.names.length &&
    typeof l.size === 'number' &&
    Number.isSafeInteger(l.size) &&
    l.size >= 0 &&
    typeof l.trainableSize === 'number' &&
    l.shapes.every((s) => Array.isArray(s));
  if (!ok) {
    throw new GradstreamError({
      code: 'invalid_value',
      path,
      expected: 'a parameter layout (model.layout, or paramLayout([...]))',
      received: describeTyped(layout),
    });
  }
}

function isList(v: unknown): v is ArrayLike<unknown> {
  return Array.isArray(v) || (ArrayBuffer.isView(v) && !(v instanceof DataView));
}

function flatten(raw: unknown, shape: readonly number[], path: string): ArrayLike<number> {
  const size = shape.reduce((a, b) => a * b, 1);
  if (!isList(raw)) {
    throw new GradstreamError({
      code: 'invalid_value',
      path,
      expected: `${size} numbers (shape [${shape.join(', ')}]), flat or as rows`,
      received: describeTyped(raw),
    });
  }
  let flat: ArrayLike<unknown>;
  if (Array.isArray(raw[0])) {
    const cols = shape[shape.length - 1]!;
    const out: unknown[] = [];
    for (let r = 0; r < raw.length; r++) {
      const row = raw[r];
      if (!Array.isArray(row) || row.length !== cols) {
        throw new GradstreamError({
          code: 'invalid_shape',
          path: `${path}[${r}]`,
          expected: `${cols} numbers`,
          received: Array.isArray(row) ? String(row.length) : describeTyped(row),
        });
      }
      for (const v of row) out.push(v);
    }
    flat = out;
  } else {
    flat = raw;
  }
  if (flat.length !== size) {
    throw new GradstreamError({
      code: 'invalid_shape',
      path,
      expected: `${size} numbers (shape [${shape.join(', ')}])`,
      received: describeValue(flat),
    });
  }
  for (let k = 0; k < flat.length; k++) {
    const v = flat[k];
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new GradstreamError({ code: 'invalid_value', path: `${path}[${k}]`, expected: 'a finite number', received: describeTyped(v) });
    }
  }
  return flat as ArrayLike<number>;
}

/** Plain `{ name: { shape, data } }` copies of every tensor (for logs, checkpoints, tests). */
export function paramsToObject(params: Params): Record<string, { shape: number[]; data: number[] }> {
  const out: Record<string, { shape: number[]; data: number[] }> = {};
  const { names, shapes } = params.layout;
  for (let i = 0; i < names.length; i++) {
    out[names[i]!] = { shape: [...shapes[i]!], data: Array.from(params.tensors[i]!) };
  }
  return out;
}

/** The rows of a 2-D tensor as nested arrays (copies). */
export function toRows(values: ArrayLike<number>, cols: number): number[][] {
  const rows: number[][] = [];
  for (let r = 0; r * cols < values.length; r++) rows.push(Array.from({ length: cols }, (_, c) => values[r * cols + c]!));
  return rows;
}
