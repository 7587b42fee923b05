import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { lastValueFrom, pipe, tap } from 'rxjs';
import { describe, expect, it } from 'vitest';
import {
  adagrad,
  adam,
  adamw,
  batchNorm,
  checkpointTo,
  createParams,
  createParamsIn,
  createRng,
  dataParallel,
  dense,
  dropout,
  elu,
  forward,
  fromArrays,
  glorotNormal,
  glorotUniform,
  heNormal,
  gradient,
  GradstreamError,
  l2,
  lecunUniform,
  loadCheckpoint,
  loss,
  memoryStorage,
  modelFromCheckpoint,
  modelFromConfig,
  mse,
  predict,
  precisionOf,
  relu,
  resumeFrom,
  rmsprop,
  sequential,
  sgd,
  sigmoid,
  softmaxCrossEntropy,
  standardize,
  summary,
  tanh,
  train,
  update,
  withScaler,
  zerosLike,
  type GradientTransformation,
  type Layer,
  type OptState,
  type Params,
  type StepRecord,
} from '../../src/index.js';
import { cli, EXAMPLES, trained } from '../cli/cliHarness.js';
import { numericDerivative } from './gradcheck.js';

const IN = 48;
const HIDDEN = 32;
const OUT = 10;
const N = 512;
const BATCH = 16;

/** A small W3: IN → HIDDEN ReLU → OUT, softmax cross-entropy on seeded uniform inputs and labels. */
function data() {
  const rng = createRng(2024);
  const x = new Float64Array(N * IN);
  for (let i = 0; i < x.length; i++) x[i] = rng.next();
  const y = new Float64Array(N);
  for (let i = 0; i < N; i++) y[i] = rng.int(OUT);
  return { x, y };
}

const layers = (): Layer[] => [dense(IN, HIDDEN), relu(), dense(HIDDEN, OUT)];
const ce = softmaxCrossEntropy();

interface Trace {
  losses: number[];
  records: { params: string; grads: string; output: string; state: string[] }[];
}

/** The collected array types of a record's buffers (the optimizer state's leaves too). */
function arrayTypes(state: OptState | undefined, out: string[] = []): string[] {
  if (ArrayBuffer.isView(state)) out.push(state.constructor.name);
  else if (Array.isArray(state)) for (const s of state) arrayTypes(s, out);
  else if (typeof state === 'object' && state !== null) for (const v of Object.values(state)) arrayTypes(v, out);
  return out;
}

async function run(
  precision: 'float32' | 'float64',
  opt: () => GradientTransformation<OptState>,
  steps = 64,
): Promise<Trace & { params: Params }> {
  const { x, y } = data();
  const model = sequential(layers(), { precision });
  const params = model.init(createRng(7));
  const trace: Trace = { losses: [], records: [] };
  await lastValueFrom(
    train({
      params,
      data: fromArrays(x, y, { rows: N, batchSize: BATCH, epochs: 4 }),
      pipeline: pipe(
        forward(model),
        loss(ce),
        gradient(model, ce),
        update(opt()),
        tap((r) => {
          trace.losses.push(r.loss);
          if (trace.records.length < 2)
            trace.records.push({
              params: r.params.data.constructor.name,
              grads: r.grads.data.constructor.name,
              output: r.output.constructor.name,
              state: arrayTypes(r.optState),
            });
        }),
      ),
      maxSteps: steps,
      scheduler: 'sync',
    }),
  );
  return { ...trace, params };
}

const maxRel = (a: readonly number[], b: readonly number[]): number =>
  a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!) / Math.abs(b[i]!)), 0);

describe("sequential(layers, { precision: 'float32' })", () => {
  it('trains in the reactive loop with Float32Array params, outputs, gradients and Adam moments, agreeing with float64 to float32 round-off', async () => {
    const f64 = await run('float64', () => adam({ lr: 1e-3 }));
    const f32 = await run('float32', () => adam({ lr: 1e-3 }));
    expect(f32.losses.length).toBe(65);
    expect(f32.records[1]).toEqual({
      params: 'Float32Array',
      grads: 'Float32Array',
      output: 'Float32Array',
      state: ['Float32Array', 'Float32Array'],
    });
    expect(f64.records[1]).toEqual({
      params: 'Float64Array',
      grads: 'Float64Array',
      output: 'Float64Array',
      state: ['Float64Array', 'Float64Array'],
    });
    // Tolerance: 1e-5 relative on every loss of the 65 records (measured 3.6e-7; the bench allows its float32 peers 1e-4).
    expect(maxRel(f32.losses, f64.losses)).toBeLessThan(1e-5);
    expect(f32.losses.at(-1)!).toBeLessThan(f32.losses[0]!);
  });

  it('works with the other optimizers: their state follows the params (Float32Array) and losses track float64', async () => {
    const optimizers: [string, () => GradientTransformation<OptState>, number][] = [
      ['sgd', () => sgd({ lr: 0.05 }), 0],
      ['sgd momentum nesterov', () => sgd({ lr: 0.05, momentum: 0.9, nesterov: true }), 1],
      ['rmsprop centered', () => rmsprop({ lr: 1e-3, centered: true }), 2],
      ['adagrad', () => adagrad({ lr: 0.05 }), 1],
      ['adamw', () => adamw({ lr: 1e-3 }), 2],
      ['adam amsgrad', () => adam({ lr: 1e-3, amsgrad: true }), 3],
      ['adam clipNorm', () => adam({ lr: 1e-3, clipNorm: 1 }), 2],
    ];
    for (const [name, opt, buffers] of optimizers) {
      const f64 = await run('float64', opt, 24);
      const f32 = await run('float32', opt, 24);
      expect([name, f32.records[1]!.state]).toEqual([name, Array.from({ length: buffers }, () => 'Float32Array')]);
      expect([name, maxRel(f32.losses, f64.losses) < 1e-5]).toEqual([name, true]); // measured ≈ 2e-8 over 25 records
    }
  });

  it('backpropagates the gradient of the float64 model on the same weights (finite differences in float64), to float32 round-off', () => {
    const { x, y } = data();
    const rows = 8;
    const xb = x.subarray(0, rows * IN);
    const yb = y.subarray(0, rows);
    const m32 = sequential(
      [dense(IN, HIDDEN, { kernelRegularizer: l2(1e-3) }), tanh(), dense(HIDDEN, 12), elu(), dense(12, OUT, { bias: false }), sigmoid()],
      { precision: 'float32' },
    );
    const m64 = sequential([
      dense(IN, HIDDEN, { kernelRegularizer: l2(1e-3) }),
      tanh(),
      dense(HIDDEN, 12),
      elu(),
      dense(12, OUT, { bias: false }),
      sigmoid(),
    ]);
    const p32 = m32.init(createRng(3));
    const p64 = createParams(m64.layout, Float64Array.from(p32.data)); // the same (float32) weights, exactly
    const cache32 = m32.createCache(rows);
    const out = m32.forward(p32, xb, cache32);
    const dY = zerosLike(out);
    ce.grad(dY, out, yb, rows, OUT);
    const g32 = createParamsIn(m32.layout, 'float32');
    m32.backward(p32, cache32, dY, g32);
    expect(precisionOf(g32.data)).toBe('float32');
    const cache64 = m64.createCache(rows);
    const f = (): number => ce.value(m64.forward(p64, xb, cache64), yb, rows, OUT) + m64.penalty!(p64);
    let scale = 0;
    for (const v of g32.data) scale = Math.max(scale, Math.abs(v));
    // Every 7th weight and every bias: |backprop float32 − finite differences float64| ≤ 1e-5 · max |g| (measured 1.5e-7).
    let worst = 0;
    for (let i = 0; i < p64.data.length; i += i < IN * HIDDEN ? 7 : 1) {
      const numeric = numericDerivative(f, p64.data, i);
      worst = Math.max(worst, Math.abs(g32.data[i]! - numeric) / scale);
    }
    expect(worst).toBeLessThan(1e-5);
    expect(scale).toBeGreaterThan(1e-3);
  });

  it("initializes with the float64 model's draws, rounded", () => {
    for (const init of [heNormal, glorotNormal, lecunUniform, glorotUniform]) {
      const model = (precision: 'float32' | 'float64') => sequential([dense(30, 20, { init }), relu(), dense(20, 3)], { precision });
      const f64 = model('float64').init(createRng(5));
      expect(Array.from(model('float32').init(createRng(5)).data)).toEqual(Array.from(Float32Array.from(f64.data)));
    }
  });

  it('rounds the float64 batch into the cache: forward returns a Float32Array, predict a Float64Array of the same values', () => {
    const model = sequential([dense(3, 2), relu()], { precision: 'float32' });
    const params = model.init(createRng(1));
    const x = Float64Array.of(0.1, 0.2, 0.3, 1 / 3, 2 / 3, 1);
    const out = model.forward(params, x, model.createCache(2));
    expect(out).toBeInstanceOf(Float32Array);
    const p = predict(model, params, x);
    expect(p).toBeInstanceOf(Float64Array);
    expect(Array.from(p)).toEqual(Array.from(out));
    expect(model.precision).toBe('float32');
    expect(sequential([dense(3, 2)]).precision).toBe('float64');
    expect(summary(model).split('\n').at(-1)).toBe('total: 8 parameters, float32; input [batch, 3] → output [batch, 2]');
    // The float32 layers of a float32 model make the same model again, and refuse to run in a float64 one.
    const again = sequential(model.layers, { precision: 'float32' });
    expect(Array.from(again.forward(params, x, again.createCache(2)))).toEqual(Array.from(out));
    const mixed = sequential(model.layers);
    expect(() => mixed.forward(mixed.init(createRng(1)), x, mixed.createCache(2))).toThrow(
      "dense(3→2).float32(): expected Float32Array buffers (a model made with precision 'float32'), received Float64Array buffers (a float64 model)",
    );
  });

  it('saves its precision as config (model.toConfig) and modelFromConfig rebuilds a float32 model', () => {
    const model = sequential([dense(4, 3), relu(), dense(3, 1)], { precision: 'float32' });
    expect(model.toConfig()).toEqual({
      layers: [{ type: 'dense', inputs: 4, units: 3 }, { type: 'relu' }, { type: 'dense', inputs: 3, units: 1 }],
      precision: 'float32',
    });
    expect(sequential([dense(4, 3)]).toConfig()).toEqual({ layers: [{ type: 'dense', inputs: 4, units: 3 }] });
    const rebuilt = modelFromConfig(model.toConfig()).model;
    expect(rebuilt.precision).toBe('float32');
    expect(rebuilt.init(createRng(1)).data).toBeInstanceOf(Float32Array);
    expect(() => modelFromConfig({ layers: [{ type: 'dense', inputs: 1, units: 1 }], precision: 'float16' })).toThrow(GradstreamError);
  });

  it('continues bit for bit from a float32 checkpoint (params and Adam moments saved exactly)', async () => {
    const { x, y } = data();
    const model = sequential(layers(), { precision: 'float32' });
    const pipeline = (extra: (r: StepRecord) => void) =>
      pipe(forward(model), loss(ce), gradient(model, ce), update(adam({ lr: 1e-3 })), tap(extra));
    const whole: number[] = [];
    const store = memoryStorage();
    await lastValueFrom(
      train({
        params: model.init(createRng(7)),
        data: fromArrays(x, y, { rows: N, batchSize: BATCH }),
        pipeline: pipe(
          pipeline((r) => whole.push(r.loss!)),
          checkpointTo(store, { every: 10, keepLast: 3, model }),
        ),
        maxSteps: 30,
        scheduler: 'sync',
      }),
    );
    expect((await store.list()).sort()).toEqual(['last.json', 'step-10.json', 'step-20.json', 'step-30.json']);
    const text = store.get('step-10.json')!;
    expect(text).toContain('"precision":"float32"');
    expect(text).toContain('"$f32"');
    const c = await loadCheckpoint(store, 'last.json', model.layout);
    expect(c.params.data).toBeInstanceOf(Float32Array);
    expect(arrayTypes(c.optState)).toEqual(['Float32Array', 'Float32Array']);
    expect(modelFromCheckpoint(c).model.precision).toBe('float32');
    // Resume from step 20 and compare with the uninterrupted run.
    const at20 = await loadCheckpoint(store, 'step-20.json', model.layout);
    expect(at20.step).toBe(20);
    const resumed: number[] = [];
    await lastValueFrom(
      resumeFrom(at20, {
        data: fromArrays(x, y, { rows: N, batchSize: BATCH }),
        pipeline: pipeline((r) => resumed.push(r.loss!)),
        model,
        maxSteps: 30,
        scheduler: 'sync',
      }),
    );
    expect(resumed).toEqual(whole.slice(20));
  });

  it('refuses a checkpoint of the other precision, naming checkpoint.precision', async () => {
    const { x, y } = data();
    const m64 = sequential(layers());
    const m32 = sequential(layers(), { precision: 'float32' });
    const store = memoryStorage();
    const step = (m: typeof m64) => pipe(forward(m), loss(ce), gradient(m, ce), update(adam()));
    await lastValueFrom(
      train({
        params: m64.init(createRng(7)),
        data: fromArrays(x, y, { rows: N, batchSize: BATCH }),
        pipeline: pipe(step(m64), checkpointTo(store, { model: m64 })),
        maxSteps: 2,
        scheduler: 'sync',
      }),
    );
    const c64 = await loadCheckpoint(store);
    await expect(
      lastValueFrom(resumeFrom(c64, { data: fromArrays(x, y, { rows: N, batchSize: BATCH }), pipeline: step(m32), model: m32 })),
    ).rejects.toThrow("checkpoint.precision: expected float32 (the model's precision), received float64 (the checkpoint's params)");
    // Without resume: float64 params given to a float32 model's loop.
    await expect(
      lastValueFrom(
        train({ params: m64.init(createRng(7)), data: fromArrays(x, y, { rows: N, batchSize: BATCH }), pipeline: step(m32), maxSteps: 1 }),
      ),
    ).rejects.toThrow(
      "params.data: expected a Float32Array (the model's precision is float32: model.init(rng) or createParamsIn(layout, 'float32')), received a Float64Array",
    );
    // A float32 optimizer state resumed into float64 params names the buffer.
    const store32 = memoryStorage();
    await lastValueFrom(
      train({
        params: m32.init(createRng(7)),
        data: fromArrays(x, y, { rows: N, batchSize: BATCH }),
        pipeline: pipe(step(m32), checkpointTo(store32, { model: m32 })),
        maxSteps: 2,
        scheduler: 'sync',
      }),
    );
    const c32 = await loadCheckpoint(store32);
    await expect(
      lastValueFrom(resumeFrom(c32, { data: fromArrays(x, y, { rows: N, batchSize: BATCH }), pipeline: step(m64), model: m64 })),
    ).rejects.toThrow('checkpoint.precision: expected float64');
    expect(() => modelFromCheckpoint({ ...c32, model: { layers: c32.model!.layers } })).toThrow(
      "checkpoint.precision: expected float64 (checkpoint.model's precision), received float32 (the checkpoint's params)",
    );
    await expect(
      lastValueFrom(
        train({
          params: m64.init(createRng(7)),
          optState: c32.optState,
          data: fromArrays(x, y, { rows: N, batchSize: BATCH }),
          pipeline: step(m64),
          maxSteps: 1,
        }),
      ),
    ).rejects.toThrow('optState[0].mu: expected a Float64Array of 1898 values, received a Float32Array of 1898 values');
  });

  it('refuses, at construction, layers and options that compute in float64 only', () => {
    const err = (f: () => unknown): string => {
      try {
        f();
      } catch (e: unknown) {
        expect(e).toBeInstanceOf(GradstreamError);
        return (e as Error).message;
      }
      return 'no error';
    };
    expect(err(() => sequential([dense(2, 4), dropout(0.5), dense(4, 1)], { precision: 'float32' }))).toMatchInlineSnapshot(
      `"layers[1]: expected a layer with a float32 form for precision 'float32' (every layer but dropout and batchNorm), received dropout(4), which computes in float64 only"`,
    );
    expect(err(() => sequential([dense(2, 4), batchNorm(), dense(4, 1)], { precision: 'float32' }))).toMatchInlineSnapshot(
      `"layers[1]: expected a layer with a float32 form for precision 'float32' (every layer but dropout and batchNorm), received batchNorm(4), which computes in float64 only"`,
    );
    const custom: Layer = {
      kind: 'double',
      inputs: 2,
      outputs: 2,
      params: [],
      init() {},
      forward(_p, x, y) {
        y.set(x);
      },
      backward() {},
    };
    expect(err(() => sequential([custom], { precision: 'float32' }))).toContain('layers[0]: expected a layer with a float32 form');
    expect(err(() => sequential([dense(2, 1)], { precision: 'float16' as 'float32' }))).toMatchInlineSnapshot(
      `"sequential.precision: expected 'float64' or 'float32', received "float16" (a string)"`,
    );
    expect(err(() => sequential([dense(2, 1)], { dtype: 'float32' } as object))).toContain(
      'sequential.dtype: expected a known option (precision)',
    );
    expect(err(() => sequential([dense(2, 1)], 'float32' as unknown as object))).toContain(
      "sequential(options): expected an options object ({ precision: 'float32' })",
    );
    const m32 = sequential([dense(2, 1)], { precision: 'float32' });
    expect(err(() => dataParallel(m32, mse(), sgd(), { workers: 2 }))).toBe('no error'); // float32 trains with workers too (tests/workers/float32Parallel.test.ts)
    expect(err(() => createParamsIn(m32.layout, 'float16' as 'float32'))).toContain(
      "createParamsIn(precision): expected 'float64' or 'float32'",
    );
  });

  it('trains from a CLI config with model.precision "float32" (checkpoint, predict and eval with that config)', async () => {
    const config = JSON.parse(readFileSync(join(EXAMPLES, 'xor.json'), 'utf8')) as { model: { precision?: string } };
    config.model.precision = 'float32';
    const { ckpt, file } = await trained(config);
    expect(readFileSync(ckpt, 'utf8')).toContain('"version":2,"precision":"float32"');
    const p = await cli(['predict', ckpt, file, '--format', 'jsonl']);
    expect(p.code).toBe(0);
    expect(p.out.split('\n').map((l) => (JSON.parse(l) as { class: number }).class)).toEqual([0, 1, 1, 0]);
    expect((await cli(['eval', ckpt, file])).out).toContain('accuracy    1.0000');
    // The float64 config's model refuses the float32 weights.
    const wrong = await cli(['predict', ckpt, join(EXAMPLES, 'xor.json')]);
    expect([wrong.code, wrong.err]).toEqual([
      2,
      "gradstream predict: params.data: expected a Float64Array (the model's precision is float64: model.init(rng) or createParams(layout)), received a Float32Array",
    ]);
  });

  it('keeps its precision behind withScaler (float32 gradients, trained on raw inputs)', async () => {
    const xs = Array.from({ length: 40 }, (_, i) => [900 + 5 * i]);
    const ys = xs.map(([v]) => [v! / 100]);
    const model = withScaler(sequential([dense(1, 1)], { precision: 'float32' }), standardize().fit(xs));
    expect(model.precision).toBe('float32');
    const l = mse();
    const final = await lastValueFrom(
      train({
        params: model.init(createRng(1)),
        data: fromArrays(xs, ys, { batchSize: 8, epochs: 200 }),
        pipeline: pipe(forward(model), loss(l), gradient(model, l), update(sgd({ lr: 0.1 }))),
        scheduler: 'sync',
      }),
    );
    expect(final.grads.data).toBeInstanceOf(Float32Array);
    expect(final.loss).toBeLessThan(1e-6);
    expect(predict(model, final.params, [[1000]])[0]).toBeCloseTo(10, 3);
  });
});
