/**
 * `npm run bench:gru`: a GRU training step, the library against TensorFlow.js 4.22 on its
 * WebAssembly backend, in the same process. Workload: GRU(32) over windows of 24 steps × 4
 * features (`resetAfter: false`, the convention TensorFlow.js implements) → dense(1), MSE, Adam
 * 1e-3, batch 32, 1,024 seeded samples; the same initial weights and batches for every contender.
 * The losses of the first steps are compared before timing; the Keras 2+ convention
 * (`resetAfter: true`, the library's default) is timed too, without a peer. About 40 seconds.
 */
import { cpus, loadavg } from 'node:os';
import { lastValueFrom, pipe, tap } from 'rxjs';
import type * as TF from '@tensorflow/tfjs';
import {
  adam,
  createRng,
  dense,
  forward,
  fromArrays,
  gradient,
  gru,
  loss,
  mse,
  sequential,
  train,
  update,
  type SequentialModel,
} from '../src/index.js';
import { initKernels } from '../src/kernels.js';
import { check, formatNumber, interleave, maxRelDiff, printTable, say, type Contender } from './harness.js';

const T = 24;
const F = 4;
const U = 32;
const BATCH = 32;
const ROWS = 1024;
const LR = 1e-3;
const CHECK = 6;
const TFJS_STEPS = 8;

const rng = createRng(2026);
const X = new Float64Array(ROWS * T * F);
for (let i = 0; i < X.length; i++) X[i] = rng.uniform(-1, 1);
const Y = new Float64Array(ROWS);
for (let r = 0; r < ROWS; r++) Y[r] = Math.sin(X[r * T * F + (T - 1) * F]! * 2) + 0.1 * rng.normal();

const makeModel = (precision: 'float64' | 'float32', resetAfter = false): SequentialModel =>
  sequential([gru(U, { timesteps: T, features: F, resetAfter }), dense(U, 1)], { precision });
const init64 = makeModel('float64').init(createRng(7));

/** Matrix-product FLOPs of one step: x·W, h·U per step, their weight gradients, ∂h through U, and the dense layer. */
const FLOPS = 2 * BATCH * (3 * T * F * 3 * U + 3 * T * U * 3 * U) + 2 * BATCH * U * 3;

async function ours(precision: 'float64' | 'float32', maxSteps: number, losses?: number[], resetAfter = false): Promise<void> {
  const model = makeModel(precision, resetAfter);
  const params = model.init(createRng(7));
  if (!resetAfter) params.data.set(init64.data); // resetAfter: its own initial weights (a [2, 3u] bias)
  const l = mse();
  await lastValueFrom(
    train({
      params,
      data: fromArrays(X, Y, { batchSize: BATCH, epochs: Infinity, rows: ROWS }),
      pipeline: pipe(
        forward(model),
        loss(l),
        gradient(model, l),
        update(adam({ lr: LR, epsilon: 1e-7 })),
        tap((r) => losses?.push(r.loss)),
      ),
      scheduler: 'sync',
      maxSteps,
    }),
  );
}

async function tfjsWasm(): Promise<(steps: number, losses?: number[]) => Promise<void>> {
  const tf: typeof TF = await import('@tensorflow/tfjs');
  await import('@tensorflow/tfjs-backend-wasm');
  await tf.setBackend('wasm');
  await tf.ready();
  const tensor = (name: string, shape: number[]): TF.Tensor =>
    tf.tensor(Float32Array.from(init64.tensors[init64.layout.names.indexOf(name)]!), shape);
  const xf = Float32Array.from(X);
  const yf = Float32Array.from(Y);
  // Built once (zero initializers: the weights are set below), outside the timed runs.
  const model = tf.sequential({
    layers: [
      tf.layers.gru({
        units: U,
        recurrentActivation: 'sigmoid',
        inputShape: [T, F],
        kernelInitializer: 'zeros',
        recurrentInitializer: 'zeros',
      }),
      tf.layers.dense({ units: 1 }),
    ],
  });
  return async (steps, losses) => {
    model.layers[0]!.setWeights([tensor('0.W', [F, 3 * U]), tensor('0.U', [U, 3 * U]), tensor('0.b', [3 * U])]);
    model.layers[1]!.setWeights([tensor('1.W', [U, 1]), tensor('1.b', [1])]);
    const opt = tf.train.adam(LR, 0.9, 0.999, 1e-7);
    const batches = ROWS / BATCH;
    for (let s = 0; s < steps; s++) {
      const b = s % batches;
      const cost = opt.minimize(
        () =>
          tf.tidy(() => {
            const xb = tf.tensor3d(xf.subarray(b * BATCH * T * F, (b + 1) * BATCH * T * F), [BATCH, T, F]);
            const yb = tf.tensor2d(yf.subarray(b * BATCH, (b + 1) * BATCH), [BATCH, 1]);
            return tf.losses.meanSquaredError(yb, model.predict(xb) as TF.Tensor) as TF.Scalar;
          }),
        true,
      )!;
      losses?.push((await cost.data())[0]!);
      cost.dispose();
    }
    opt.dispose();
  };
}

const load = (): number => Math.round(loadavg()[0]! * 100) / 100;
const simd = await initKernels();
const loadStart = load();
say(
  `bench:gru — ${cpus()[0]?.model ?? 'unknown'}, ${cpus().length} cores, Node ${process.version}, WebAssembly SIMD kernels ${simd ? 'on' : 'off'}, load average ${loadStart}`,
);
say(
  `GRU(${U}) over ${T} steps × ${F} features → dense(1), MSE, Adam ${LR}, batch ${BATCH}; ${formatNumber(FLOPS / 1e6)} MFLOP of matrix products per step`,
);

const peer = await tfjsWasm();
const l64: number[] = [];
const l32: number[] = [];
const lTf: number[] = [];
await ours('float64', CHECK - 1, l64);
await ours('float32', CHECK - 1, l32);
await peer(CHECK, lTf);
const d = Math.max(maxRelDiff(l32, l64), maxRelDiff(lTf, l64));
check(
  l64.length === CHECK && lTf.length === CHECK && d <= 1e-4,
  `the contenders' losses differ (max rel. diff ${d}): ${l64.join(', ')} / ${lTf.join(', ')}`,
);
say(`check: float32 and tfjs-wasm losses = float64 losses over ${CHECK} steps (max rel. diff ${d.toExponential(1)})`);

const OUR_STEPS = 64;
const contenders: Contender[] = [
  { name: 'reactive sync', steps: OUR_STEPS, flopsPerStep: FLOPS, run: () => ours('float64', OUR_STEPS - 1) },
  { name: 'reactive sync float32', steps: OUR_STEPS, flopsPerStep: FLOPS, run: () => ours('float32', OUR_STEPS - 1) },
  {
    name: 'reactive sync, resetAfter true',
    steps: OUR_STEPS,
    flopsPerStep: FLOPS,
    run: () => ours('float64', OUR_STEPS - 1, undefined, true),
  },
  { name: 'tfjs-wasm', steps: TFJS_STEPS, flopsPerStep: FLOPS, run: () => peer(TFJS_STEPS), peer: true },
];
const results = await interleave(contenders, 5);
const theirs = results.find((r) => r.peer)!;
printTable(
  `GRU step (median of 5 interleaved rounds)`,
  ['contender', 'steps/s', 'samples/s', 'GFLOP/s', '× tfjs-wasm', 'samples/s cpu', '× tfjs-wasm cpu'],
  results.map((r) => [r.name, r.rate, r.rate * BATCH, r.gflops, r.rate / theirs.rate, r.rateCpu * BATCH, r.rateCpu / theirs.rateCpu]),
);
say(`\nload average (1 min) at start ${loadStart}, at end ${load()}`);
