import { describe, expect, it } from 'vitest';
import {
  GradstreamError,
  createRng,
  dense,
  elu,
  minMax,
  predict,
  sequential,
  toOnnx,
  withScaler,
  type SequentialModel,
  type Params,
} from '../../../src/index.js';
import { activationLayer } from '../../../src/core/layers/activation.js';
import { EXPORT_CASES, caseModel, expectSamePredictions, rawRows } from './exportCases.js';
import { runOnnx } from './runtimes.js';

/** A float32 input rows: what the exported graph sees, so `predict` sees the same values. */
function asFloat32(x: readonly (readonly number[])[]): number[][] {
  return x.map((row) => Array.from(Float32Array.from(row)));
}

describe('toOnnx', () => {
  for (const c of EXPORT_CASES) {
    for (const precision of c.precisions) {
      it(`${c.name} (${precision}) runs in onnxruntime as predict does, behind its scaler`, async () => {
        const { model, params } = caseModel(c, precision);
        const { x: raw, scaler } = rawRows(64);
        const x = asFloat32(raw);
        const plain = x.map((row) => Array.from(scaler.transform(Float64Array.from(row))));
        expectSamePredictions(await runOnnx(toOnnx(model, params), plain), predict(model, params, plain), model.outputs);
        const scaled = await runOnnx(toOnnx(model, params, { scaler }), x);
        expectSamePredictions(scaled, predict(withScaler(model, scaler), params, x), model.outputs);
      });
    }
  }

  it("takes a min-max scaler, or a scaler as JSON (a checkpoint's)", async () => {
    const { model, params } = caseModel(EXPORT_CASES[2]!, 'float64');
    const { x } = rawRows(8);
    const scaler = minMax().fit(x);
    const want = predict(withScaler(model, scaler), params, asFloat32(x));
    expectSamePredictions(await runOnnx(toOnnx(model, params, { scaler: scaler.toJSON() }), asFloat32(x)), want, model.outputs);
  });

  it('exports elu with any alpha', async () => {
    const model = sequential([dense(2, 4), elu(0.5), dense(4, 1)]);
    const params = model.init(createRng(2));
    const x = [
      [-3, 1],
      [0.5, -2],
      [2, 2],
    ];
    expectSamePredictions(await runOnnx(toOnnx(model, params), x), predict(model, params, x), 1);
  });

  it('writes an ONNX ModelProto: IR version 8, opset 13, producer gradstream', () => {
    const model = sequential([dense(2, 1)]);
    const bytes = toOnnx(model, model.init(createRng(1)));
    expect(Array.from(bytes.subarray(0, 2))).toEqual([0x08, 8]); // field 1 (ir_version), varint 8
    const text = new TextDecoder().decode(bytes);
    expect(text).toContain('gradstream');
    expect(text).toContain('Gemm');
    expect(Array.from(bytes.subarray(bytes.length - 6))).toEqual([0x42, 4, 0x0a, 0, 0x10, 13]); // opset_import { domain: '', version: 13 }
  });

  it('refuses a custom layer by its name, params of another model and a scaler of other width', () => {
    const square = activationLayer('square', 2, {
      forward: (x, y, n) => {
        for (let i = 0; i < n; i++) y[i] = x[i]! * x[i]!;
      },
      backward: () => {},
    });
    const custom = sequential([dense(2, 2), square]);
    expect(() => toOnnx(custom, custom.init(createRng(1)))).toThrow(GradstreamError);
    expect(() => toOnnx(custom, custom.init(createRng(1)))).toThrow(
      /toOnnx: layers\[1\]: expected a layer it can export .*received square\(2\)/,
    );
    const model: SequentialModel = sequential([dense(3, 1)]);
    const other: Params = sequential([dense(2, 1)]).init(createRng(1));
    expect(() => toOnnx(model, other)).toThrow(/toOnnx\(params\): expected the model's parameters/);
    expect(() => toOnnx(model, model.init(createRng(1)), { scaler: { type: 'standardize', mean: [0, 0], std: [1, 1] } })).toThrow(
      'toOnnx(options.scaler).mean: expected 3 numbers (one per model input), received 2',
    );
  });
});

describe('toOnnx of a model behind withScaler', () => {
  it('takes the scaler from the model', async () => {
    const { model, params } = caseModel(EXPORT_CASES[2]!, 'float64');
    const { x, scaler } = rawRows(8);
    const scaled = withScaler(model, scaler);
    expectSamePredictions(await runOnnx(toOnnx(scaled, params), asFloat32(x)), predict(scaled, params, asFloat32(x)), model.outputs);
  });
});
