/**
 * `npm run bench:convnet`: one training step of a small convnet (the digits example's network:
 * 8×8×1 → conv 3×3×16 same → ReLU → max pool 2 → conv 3×3×32 same → ReLU → max pool 2 → flatten →
 * dense 10; softmax cross-entropy on logits, Adam 1e-3) on the UCI digits, batch 32 (or
 * `--batch N`): gradstream's reactive sync loop in float32 and float64 against TensorFlow.js 4.22
 * on `@tensorflow/tfjs-backend-wasm` (float32, `optimizer.minimize` per step; see
 * registerWasmConv2dFilterGrad), in one process,
 * from the same initial weights on the same batches. The losses of the first steps are compared
 * before anything is timed. Then the convolution layers alone: im2col + matrix kernels (the
 * library's `conv2d`) against a direct loop (bench/convDirect.ts), forward and backward.
 */
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { lastValueFrom, pipe, tap } from 'rxjs';
import {
  adam,
  conv2d,
  createRng,
  dense,
  flatten,
  forward,
  fromArrays,
  gradient,
  loss,
  maxPool2d,
  param,
  relu,
  reshape,
  sequential,
  softmaxCrossEntropy,
  train,
  update,
  type Layer,
  type Params,
  type SequentialModel,
} from '../src/index.js';
import { initKernels } from '../src/kernels.js';
import { convGeometry } from '../src/core/layers/convGeometry.js';
import { directBackward, directForward } from './convDirect.js';
import { check, formatNumber, interleave, maxRelDiff, printTable, say, type Contender } from './harness.js';

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(name);
  return i < 0 ? fallback : Number(process.argv[i + 1]);
};
const B = arg('--batch', 32);
const STEPS = 60; // updates per timed run (ours)
const PEER_STEPS = 30; // updates per timed run (TensorFlow.js)
const ROUNDS = 5;

function digits(): { x: number[][]; y: number[] } {
  const lines = readFileSync(new URL('../../examples/data/digits.csv', import.meta.url), 'utf8')
    .trim()
    .split('\n')
    .slice(1);
  return {
    x: lines.map((l) =>
      l
        .split(',')
        .slice(0, 64)
        .map((v) => Number(v) / 16),
    ),
    y: lines.map((l) => Number(l.split(',')[64])),
  };
}

const layers = (): Layer[] => [
  reshape([8, 8, 1]),
  conv2d({ filters: 16, kernelSize: 3, padding: 'same' }),
  relu(),
  maxPool2d(),
  conv2d({ filters: 32, kernelSize: 3, padding: 'same' }),
  relu(),
  maxPool2d(),
  flatten(),
  dense(128, 10),
];

/** Matrix-product FLOPs of one training step: forward, weight gradients, input gradients after the first layer with weights. */
function flopsPerSample(model: SequentialModel): number {
  let flops = 0;
  let first = true;
  for (const l of model.layers) {
    if (l.params.length === 0) continue;
    const W = l.params[0]!.shape;
    const out = l.outputShape ?? [l.outputs];
    const positions = out.length === 3 ? out[0]! * out[1]! : 1;
    const inner = W.slice(0, -1).reduce((a, b) => a * b, 1);
    const per = 2 * positions * inner * W[W.length - 1]!;
    flops += per * (first ? 2 : 3);
    first = false;
  }
  return flops;
}

function ours(
  model: SequentialModel,
  start: Params,
  data: { x: number[][]; y: number[] },
  steps: number,
  losses?: number[],
): () => Promise<void> {
  const ce = softmaxCrossEntropy();
  const rows = Math.floor(data.y.length / B) * B;
  return async () => {
    const params = model.init(createRng(2));
    params.data.set(start.data);
    await lastValueFrom(
      train({
        params,
        data: fromArrays(data.x.slice(0, rows), data.y.slice(0, rows), { rows, batchSize: B, epochs: 1000 }),
        pipeline: pipe(
          forward(model),
          loss(ce),
          gradient(model, ce),
          update(adam({ lr: 1e-3 })),
          tap((r) => void losses?.push(r.loss)),
        ),
        maxSteps: steps,
        scheduler: 'sync',
      }),
    );
  };
}

/**
 * tfjs-backend-wasm 4.22 registers no `Conv2DBackpropFilter` kernel (training a conv2d there
 * fails with "Kernel 'Conv2DBackpropFilter' not registered for backend 'wasm'"). This registers
 * one that runs the backend's own `Conv3DBackpropFilterV2` kernel on the same tensors viewed with
 * a depth of 1 (no copies), so the peer trains with the backend's native kernels throughout.
 */
function registerWasmConv2dFilterGrad(): void {
  if (tf.getKernel('Conv2DBackpropFilter', 'wasm') !== undefined) return;
  const conv3d = tf.getKernel('Conv3DBackpropFilterV2', 'wasm')!;
  tf.registerKernel({
    kernelName: 'Conv2DBackpropFilter',
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
      const { strides, pad, filterShape, dataFormat, dimRoundingMode } = attrs as unknown as {
        strides: number | [number, number];
        pad: 'same' | 'valid';
        filterShape: [number, number, number, number];
        dataFormat: string;
        dimRoundingMode?: string;
      };
      if (dataFormat !== 'NHWC' || dimRoundingMode !== undefined || typeof pad !== 'string')
        throw new Error('bench: NHWC, same/valid only');
      const [sh, sw] = typeof strides === 'number' ? [strides, strides] : strides;
      const view = (t: tf.TensorInfo): tf.TensorInfo => ({
        dataId: t.dataId,
        dtype: t.dtype,
        shape: [t.shape[0]!, 1, ...t.shape.slice(1)],
      });
      const dw = conv3d.kernelFunc({
        inputs: { x: view(x), dy: view(dy) },
        backend,
        attrs: { strides: [1, 1, sh, sw, 1], pad, filterShape: [1, ...filterShape] },
      }) as tf.TensorInfo;
      return { dataId: dw.dataId, dtype: dw.dtype, shape: filterShape };
    },
  });
}

async function peer(
  backend: 'wasm' | 'cpu',
  start: Params,
  data: { x: number[][]; y: number[] },
  steps: number,
  losses?: number[],
): Promise<() => Promise<void>> {
  registerWasmConv2dFilterGrad();
  const xf = Float32Array.from(data.x.flat());
  const yf = new Float32Array(data.y.length * 10);
  data.y.forEach((c, i) => (yf[i * 10 + c] = 1));
  const batches = Math.floor(data.y.length / B);
  const weights = (name: string, shape: number[]) => tf.tensor(Float32Array.from(param(start, name)), shape);
  return async () => {
    if (tf.getBackend() !== backend) {
      await tf.setBackend(backend);
      await tf.ready();
    }
    const model = tf.sequential({
      layers: [
        tf.layers.conv2d({ inputShape: [8, 8, 1], filters: 16, kernelSize: 3, padding: 'same', activation: 'relu' }),
        tf.layers.maxPooling2d({ poolSize: 2 }),
        tf.layers.conv2d({ filters: 32, kernelSize: 3, padding: 'same', activation: 'relu' }),
        tf.layers.maxPooling2d({ poolSize: 2 }),
        tf.layers.flatten(),
        tf.layers.dense({ units: 10 }),
      ],
    });
    model.setWeights([
      weights('1.W', [3, 3, 1, 16]),
      weights('1.b', [16]),
      weights('4.W', [3, 3, 16, 32]),
      weights('4.b', [32]),
      weights('8.W', [128, 10]),
      weights('8.b', [10]),
    ]);
    const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
    const opt = tf.train.adam(1e-3, 0.9, 0.999, 1e-7);
    for (let s = 0; s < steps; s++) {
      const b = s % batches;
      const cost = opt.minimize(
        () =>
          tf.tidy(() => {
            const xb = tf.tensor4d(xf.subarray(b * B * 64, (b + 1) * B * 64), [B, 8, 8, 1]);
            const yb = tf.tensor2d(yf.subarray(b * B * 10, (b + 1) * B * 10), [B, 10]);
            return tf.losses.softmaxCrossEntropy(yb, model.apply(xb) as tf.Tensor) as tf.Scalar;
          }),
        true,
        vars,
      )!;
      if (losses !== undefined) losses.push((await cost.data())[0]!);
      cost.dispose();
    }
    opt.dispose();
    model.dispose();
  };
}

/** The convolution layers alone, forward + backward of one batch: im2col (library, float64 and float32) and direct. */
async function convLayers(data: { x: number[][] }): Promise<void> {
  const shapes: [string, number[], number][] = [
    ['conv 8×8×1 → 16', [8, 8, 1], 16],
    ['conv 4×4×16 → 32', [4, 4, 16], 32],
  ];
  for (const [title, shape, f] of shapes) {
    const layer = conv2d({ inputShape: shape, filters: f, kernelSize: 3, padding: 'same' });
    const l32 = layer.float32!();
    const g = convGeometry('bench', shape, [3, 3], [1, 1], 'same');
    const rng = createRng(5);
    const p = [new Float64Array(9 * shape[2]! * f), new Float64Array(f)];
    layer.init(rng, p);
    const x = Float64Array.from(
      { length: B * layer.inputs },
      (_, i) => data.x[Math.floor(i / layer.inputs) % data.x.length]![i % 64] ?? rng.next(),
    );
    const dY = Float64Array.from({ length: B * layer.outputs }, () => rng.next() - 0.5);
    const y = new Float64Array(B * layer.outputs);
    const dX = new Float64Array(x.length);
    const grads = p.map((t) => new Float64Array(t.length));
    const ctx = { index: 1, training: true, rng: undefined, step: 0, key: 0, scratch: layer.createScratch!(B) };
    const f32 = (a: Float64Array) => Float32Array.from(a) as unknown as Float64Array;
    const [p32, x32, y32, dY32, dX32, g32] = [p.map(f32), f32(x), f32(y), f32(dY), f32(dX), grads.map(f32)];
    const ctx32 = { ...ctx, scratch: l32.createScratch!(B) };
    const reps = 40;
    const flops = 3 * 2 * g.oh * g.ow * 9 * shape[2]! * f * B;
    const cs: Contender[] = [
      {
        name: 'im2col + GEMM float64',
        steps: reps,
        flopsPerStep: flops,
        run: () => {
          for (let r = 0; r < reps; r++) {
            layer.forward(p, x, y, B, ctx);
            layer.backward(p, x, y, dY, dX, grads, B, ctx);
          }
        },
      },
      {
        name: 'im2col + GEMM float32',
        steps: reps,
        flopsPerStep: flops,
        run: () => {
          for (let r = 0; r < reps; r++) {
            l32.forward(p32, x32, y32, B, ctx32);
            l32.backward(p32, x32, y32, dY32, dX32, g32, B, ctx32);
          }
        },
      },
      {
        name: 'direct float64',
        steps: reps,
        flopsPerStep: flops,
        run: () => {
          for (let r = 0; r < reps; r++) {
            directForward(y, x, p[0]!, p[1]!, g, f, B);
            directBackward(grads[0]!, grads[1]!, dX, x, p[0]!, dY, g, f, B);
          }
        },
      },
    ];
    const res = await interleave(cs, ROUNDS);
    printTable(
      `${title}, batch ${B}: forward + backward (with dX)`,
      ['contender', 'µs/batch', 'GFLOP/s', 'GFLOP/s cpu'],
      res.map((m) => [m.name, 1e6 / m.rate, m.gflops, m.gflopsCpu]),
    );
  }
}

async function main(): Promise<void> {
  await initKernels();
  say(
    `machine: ${cpus()[0]?.model ?? '?'} × ${cpus().length}, node ${process.version}, load average ${loadavg()
      .map((v) => v.toFixed(2))
      .join(' ')}`,
  );
  const data = digits();
  const m64 = sequential(layers());
  const m32 = sequential(layers(), { precision: 'float32' });
  const start = m64.init(createRng(2));
  const start32 = m32.init(createRng(2));
  start32.data.set(start.data);
  const flops = flopsPerSample(m64) * B;
  // Agreement first: the same losses over the first 12 steps.
  const l32: number[] = [];
  const l64: number[] = [];
  const lp: number[] = [];
  await ours(m32, start32, data, 12, l32)();
  await ours(m64, start, data, 12, l64)();
  await (await peer('wasm', start, data, 12, lp))();
  const d32 = maxRelDiff(l32.slice(0, 12), lp);
  const d64 = maxRelDiff(l64.slice(0, 12), lp);
  check(d32 < 1e-4 && d64 < 1e-4, `losses differ from TensorFlow.js: float32 ${d32}, float64 ${d64}`);
  say(
    `agreement: first 12 losses vs tfjs-wasm, largest relative difference ${formatNumber(d32)} (float32), ${formatNumber(d64)} (float64)`,
  );
  const cs: Contender[] = [
    { name: 'gradstream float32 (reactive sync)', steps: STEPS, flopsPerStep: flops, run: ours(m32, start32, data, STEPS) },
    { name: 'gradstream float64 (reactive sync)', steps: STEPS, flopsPerStep: flops, run: ours(m64, start, data, STEPS) },
    { name: 'tfjs-wasm', steps: PEER_STEPS, flopsPerStep: flops, run: await peer('wasm', start, data, PEER_STEPS), peer: true },
  ];
  const res = await interleave(cs, ROUNDS);
  const tfRate = res.find((m) => m.name === 'tfjs-wasm')!.rate;
  const tfCpu = res.find((m) => m.name === 'tfjs-wasm')!.rateCpu;
  printTable(
    `convnet training step, batch ${B} (${formatNumber(flops / B / 1e6)} MFLOP per sample)`,
    ['contender', 'samples/s', 'GFLOP/s', '× tfjs-wasm', 'samples/s cpu', '× tfjs-wasm cpu'],
    res.map((m) => [m.name, m.rate * B, m.gflops, m.rate / tfRate, m.rateCpu * B, m.rateCpu / tfCpu]),
  );
  await convLayers(data);
  say(
    `load average at the end ${loadavg()
      .map((v) => v.toFixed(2))
      .join(' ')}`,
  );
}

await main();
