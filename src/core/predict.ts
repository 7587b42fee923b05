import { GradstreamError, describeTyped } from './errors.js';
import { checkModel } from './checkModel.js';
import { INFERENCE } from './layer.js';
import type { Model } from './model.js';
import type { ParamLayout, Params } from './params.js';

/**
 * Runs `model` on `rows` input rows (`x`: `rows × inputs`, row major; nested rows accepted) and
 * returns a fresh `rows × outputs` array of outputs, in inference mode (dropout off, batch
 * normalization with its moving statistics). Allocates its buffers per call: for evaluation, not
 * for the training loop.
 *
 * @example
 * import { createRng, dense, predict, sequential } from 'gradstream';
 * const model = sequential([dense(2, 1)]);
 * const out = predict(model, model.init(createRng(1)), [[0, 1], [1, 0]]); // 2 outputs
 */
export function predict(
  model: Model,
  params: Params,
  x: Readonly<Float64Array> | readonly (readonly number[])[],
  rows?: number,
): Float64Array {
  checkModel('predict(model)', model);
  checkParams(model, params);
  const inputs = model.inputs;
  let flat: Float64Array;
  if (x instanceof Float64Array) {
    for (let i = 0; i < x.length; i++) if (!Number.isFinite(x[i])) throwValue(`predict(x)[${i}]`, x[i]);
    flat = x;
  } else if (Array.isArray(x)) {
    flat = new Float64Array(x.length * inputs);
    for (let r = 0; r < x.length; r++) {
      const row: unknown = x[r];
      if (!Array.isArray(row) || row.length !== inputs) {
        throw new GradstreamError({
          code: 'invalid_shape',
          path: `predict(x)[${r}]`,
          expected: `${inputs} features`,
          received: Array.isArray(row) ? String(row.length) : describeTyped(row),
        });
      }
      for (let c = 0; c < inputs; c++) {
        const v: unknown = row[c];
        if (typeof v !== 'number' || !Number.isFinite(v)) throwValue(`predict(x)[${r}][${c}]`, v);
        flat[r * inputs + c] = v;
      }
    }
  } else {
    throw new GradstreamError({
      code: 'invalid_value',
      path: 'predict(x)',
      expected: `rows of ${inputs} numbers (nested arrays or a Float64Array)`,
      received: describeTyped(x),
    });
  }
  const n = rows ?? flat.length / inputs;
  if (!Number.isInteger(n) || n < 1 || n * inputs !== flat.length) {
    const what = rows === undefined ? `${flat.length} numbers` : `rows ${describeTyped(rows)} for ${flat.length} numbers`;
    throw new GradstreamError({ code: 'invalid_shape', path: 'predict(x)', expected: `rows of ${inputs} features`, received: what });
  }
  const cache = model.createCache(n);
  const out = model.forward(params, flat, cache, INFERENCE);
  // A float32 model's outputs are returned as float64 (exactly: every float32 is a float64).
  return (out as unknown) instanceof Float32Array ? Float64Array.from(out) : out.slice();
}

function throwValue(path: string, v: unknown): never {
  throw new GradstreamError({ code: 'invalid_value', path, expected: 'a finite number', received: describeTyped(v) });
}

/** Throws unless `params` are parameters of `model`'s layout (the same names and shapes). */
function checkParams(model: Model, params: unknown): asserts params is Params {
  const p = params as Partial<Params> | null;
  if (
    typeof p !== 'object' ||
    p === null ||
    !(p.data instanceof Float64Array || (p.data as unknown) instanceof Float32Array) ||
    typeof p.layout !== 'object' ||
    p.layout === null ||
    !Array.isArray(p.tensors)
  ) {
    throw new GradstreamError({
      code: 'invalid_value',
      path: 'predict(params)',
      expected: "parameters (model.init(rng), paramsFrom(model.layout, …), a checkpoint's params)",
      received: describeTyped(params),
    });
  }
  const want = model.layout;
  const got = p.layout;
  if (got !== want && (layoutText(got) !== layoutText(want) || (p.data as Float64Array).length !== want.size)) {
    throw new GradstreamError({
      code: 'invalid_shape',
      path: 'predict(params)',
      expected: `the model's parameters (${layoutText(want)})`,
      received: layoutText(got),
    });
  }
}

/** `0.W [2, 3], 0.b [3]`: a layout's names and shapes, to compare and to show. */
function layoutText(layout: Partial<ParamLayout>): string {
  const { names, shapes } = layout;
  if (!Array.isArray(names) || !Array.isArray(shapes)) return 'no parameter layout';
  const text = (v: unknown): string => (typeof v === 'string' || typeof v === 'number' ? String(v) : describeTyped(v));
  return names
    .map((n: unknown, i) => `${text(n)} [${Array.isArray(shapes[i]) ? (shapes[i] as unknown[]).map(text).join(', ') : '?'}]`)
    .join(', ');
}
