import { GradstreamError, describeValue } from './errors.js';

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
 * named tensor (`tensors`, in layout order). Views share memory with `data`.
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
export function paramLayout(entries: readonly (readonly [string, readonly number[]] | readonly [string, readonly number[], boolean])[]): ParamLayout {
  const names: string[] = [];
  const shapes: (readonly number[])[] = [];
  const offsets: number[] = [];
  const sizes: number[] = [];
  const trainable: boolean[] = [];
  let size = 0;
  let trainableSize = 0;
  for (const entry of entries) {
    const [name, shape] = entry;
    if (names.includes(name)) {
      throw new GradstreamError({ code: 'invalid_shape', path: `params[${JSON.stringify(name)}]`, expected: 'a unique parameter name', received: 'a duplicate' });
    }
    let n = 1;
    for (const d of shape) {
      if (!Number.isInteger(d) || d < 1) {
        throw new GradstreamError({ code: 'invalid_shape', path: `params[${JSON.stringify(name)}].shape`, expected: 'positive integer dimensions', received: `[${shape.join(', ')}]` });
      }
      n *= d;
    }
    names.push(name);
    shapes.push(Object.freeze([...shape]));
    offsets.push(size);
    sizes.push(n);
    trainable.push(entry[2] ?? true);
    if (entry[2] ?? true) trainableSize += n;
    size += n;
  }
  return Object.freeze({ names: Object.freeze(names), shapes: Object.freeze(shapes), offsets: Object.freeze(offsets), sizes: Object.freeze(sizes), size, trainable: Object.freeze(trainable), trainableSize });
}

/** Allocates zero-filled parameters (or wraps `data`, which must have `layout.size` elements). */
export function createParams(layout: ParamLayout, data: Float64Array = new Float64Array(layout.size)): Params {
  if (data.length !== layout.size) {
    throw new GradstreamError({ code: 'invalid_shape', path: 'params.data', expected: `${layout.size} numbers`, received: String(data.length) });
  }
  const tensors = layout.names.map((_, i) => data.subarray(layout.offsets[i], layout.offsets[i]! + layout.sizes[i]!));
  return Object.freeze({ layout, data, tensors: Object.freeze(tensors) });
}

/** A deep copy: same layout, fresh buffer. */
export function cloneParams(params: Params): Params {
  return createParams(params.layout, params.data.slice());
}

/** Copies `src` into `out` (same layout size) and returns `out`. */
export function copyParams(out: Params, src: Params): Params {
  if (out.data.length !== src.data.length) {
    throw new GradstreamError({ code: 'invalid_shape', path: 'params', expected: `${out.data.length} numbers`, received: String(src.data.length) });
  }
  out.data.set(src.data);
  return out;
}

/** The index of a named tensor, or a clear error naming the known names. */
export function paramIndex(layout: ParamLayout, name: string): number {
  const i = layout.names.indexOf(name);
  if (i < 0) {
    throw new GradstreamError({ code: 'invalid_value', path: `params[${JSON.stringify(name)}]`, expected: `one of ${layout.names.map((n) => JSON.stringify(n)).join(', ')}`, received: 'an unknown name' });
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
export function paramsFrom(layout: ParamLayout, values: Readonly<Record<string, ArrayLike<number> | readonly (readonly number[])[]>>): Params {
  const params = createParams(layout);
  for (let i = 0; i < layout.names.length; i++) {
    const name = layout.names[i]!;
    const path = `params[${JSON.stringify(name)}]`;
    const raw = values[name];
    if (raw === undefined) {
      throw new GradstreamError({ code: 'invalid_value', path, expected: `shape [${layout.shapes[i]!.join(', ')}]`, received: 'nothing' });
    }
    const flat = flatten(raw, layout.shapes[i]!, path);
    params.tensors[i]!.set(flat);
  }
  for (const key of Object.keys(values)) paramIndex(layout, key);
  return params;
}

function flatten(raw: ArrayLike<number> | readonly (readonly number[])[], shape: readonly number[], path: string): ArrayLike<number> {
  const size = shape.reduce((a, b) => a * b, 1);
  const first = (raw as ArrayLike<unknown>)[0];
  let flat: ArrayLike<number>;
  if (Array.isArray(first)) {
    const rows = raw as readonly (readonly number[])[];
    const cols = shape[shape.length - 1]!;
    const out: number[] = [];
    for (let r = 0; r < rows.length; r++) {
      const row = rows[r]!;
      if (row.length !== cols) {
        throw new GradstreamError({ code: 'invalid_shape', path: `${path}[${r}]`, expected: `${cols} numbers`, received: String(row.length) });
      }
      for (const v of row) out.push(v);
    }
    flat = out;
  } else {
    flat = raw as ArrayLike<number>;
  }
  if (flat.length !== size) {
    throw new GradstreamError({ code: 'invalid_shape', path, expected: `${size} numbers (shape [${shape.join(', ')}])`, received: describeValue(flat) });
  }
  for (let k = 0; k < flat.length; k++) {
    if (typeof flat[k] !== 'number' || !Number.isFinite(flat[k])) {
      throw new GradstreamError({ code: 'invalid_value', path: `${path}[${k}]`, expected: 'a finite number', received: describeValue(flat[k]) });
    }
  }
  return flat;
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
