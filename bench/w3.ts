/**
 * Workload W3: an MLP 784 → 128 (ReLU) → 10 trained with softmax cross-entropy on 8192 seeded
 * samples (uniform inputs, random labels), batch 64, 3 epochs, no shuffle, Adam lr 1e-3.
 *
 * Contenders, after checking they compute the same losses over the first steps:
 * 1. the reactive loop: `train` + `forward`/`loss`/`gradient`/`update` operators;
 * 2. a plain for-loop over the same model, loss, optimizer and data reader;
 * 3. TensorFlow.js 4.22, CPU backend (float32), same initial weights and Adam settings.
 * Plus the matrix kernels alone (the five matmuls of a step), for GFLOP/s.
 *
 * Run: npx tsx bench/w3.ts   (or as part of `npm run bench`)
 */
import { lastValueFrom, pipe, tap } from 'rxjs';
import {
  adam,
  applyUpdates,
  cloneParams,
  createParams,
  createRng,
  dense,
  forward,
  fromArrays,
  gradient,
  loss,
  matmul,
  matmulTransA,
  matmulTransB,
  relu,
  sequential,
  softmaxCrossEntropy,
  train,
  update,
  type Params,
} from '../src/index.js';
import { bestOf, formatNumber, printTable } from './harness.js';

const N = 8192;
const IN = 784;
const HIDDEN = 128;
const OUT = 10;
const BATCH = 64;
const EPOCHS = 3;
const LR = 1e-3;
const STEPS = (N / BATCH) * EPOCHS; // 384 updates
/** FLOPs of one step (2·m·k·n per matmul): forward x·W1, h·W2; backward dW2, dH = dY·W2ᵀ, dW1. */
const STEP_FLOPS = 2 * BATCH * (IN * HIDDEN * 2 + HIDDEN * OUT * 3);

function makeData(): { x: Float64Array; y: Float64Array } {
  const rng = createRng(2024);
  const x = new Float64Array(N * IN);
  for (let i = 0; i < x.length; i++) x[i] = rng.next();
  const y = new Float64Array(N);
  for (let i = 0; i < N; i++) y[i] = rng.int(OUT);
  return { x, y };
}

const model = sequential([dense(IN, HIDDEN), relu(), dense(HIDDEN, OUT)]);
const lossFn = softmaxCrossEntropy();
const source = (d: { x: Float64Array; y: Float64Array }) => fromArrays(d.x, d.y, { rows: N, batchSize: BATCH, epochs: EPOCHS });

/** The reactive loop; records each step's loss into `losses` when given. */
async function reactive(init: Params, d: { x: Float64Array; y: Float64Array }, losses?: number[]): Promise<number> {
  let last = Number.NaN;
  await lastValueFrom(
    train({
      params: init,
      data: source(d),
      pipeline: pipe(
        forward(model),
        loss(lossFn),
        gradient(model, lossFn),
        update(adam({ lr: LR })),
        tap((r) => {
          last = r.loss;
          losses?.push(r.loss);
        }),
      ),
      scheduler: 'sync',
    }),
  );
  return last;
}

/** The same computation as a plain for-loop (including the final, un-updated step the loop emits). */
function plain(init: Params, d: { x: Float64Array; y: Float64Array }, losses?: number[]): number {
  const params = cloneParams(init);
  const grads = createParams(model.layout);
  const opt = adam({ lr: LR });
  const state = opt.init(params);
  const updates = new Float64Array(params.data.length);
  const cache = model.createCache(BATCH);
  const dOut = new Float64Array(BATCH * OUT);
  const reader = source(d).open();
  let last = Number.NaN;
  let batch = reader.next()!;
  for (;;) {
    const out = model.forward(params, batch.x, cache);
    last = lossFn.value(out, batch.y, BATCH, OUT);
    losses?.push(last);
    lossFn.grad(dOut, out, batch.y, BATCH, OUT);
    model.backward(params, cache, dOut, grads);
    const next = reader.next();
    if (next === null) break; // the data has ended; the loop's final record is computed below
    updates.set(grads.data);
    opt.update(updates, state, params);
    applyUpdates(params, updates);
    batch = next;
  }
  // As the loop driver does at the end of the data: one more record on the last batch, after the
  // last update (loss and gradient, no update).
  updates.set(grads.data);
  opt.update(updates, state, params);
  applyUpdates(params, updates);
  const out = model.forward(params, batch.x, cache);
  last = lossFn.value(out, batch.y, BATCH, OUT);
  losses?.push(last);
  lossFn.grad(dOut, out, batch.y, BATCH, OUT);
  model.backward(params, cache, dOut, grads);
  return last;
}

/** The five matmuls of each step, alone, on the same buffers. */
function kernelsOnly(init: Params, d: { x: Float64Array }): void {
  const W1 = init.tensors[0]!;
  const W2 = init.tensors[2]!;
  const h = new Float64Array(BATCH * HIDDEN);
  const o = new Float64Array(BATCH * OUT);
  const dW1 = new Float64Array(IN * HIDDEN);
  const dW2 = new Float64Array(HIDDEN * OUT);
  const dH = new Float64Array(BATCH * HIDDEN);
  for (let s = 0; s <= STEPS; s++) {
    const b = s % (N / BATCH);
    const x = d.x.subarray(b * BATCH * IN, (b + 1) * BATCH * IN);
    matmul(h, x, W1, BATCH, IN, HIDDEN);
    matmul(o, h, W2, BATCH, HIDDEN, OUT);
    matmulTransA(dW2, h, o, BATCH, HIDDEN, OUT);
    matmulTransB(dH, o, W2, BATCH, OUT, HIDDEN);
    matmulTransA(dW1, x, dH, BATCH, IN, HIDDEN);
  }
}

/** TensorFlow.js: the same network, weights, data order and Adam; returns a runner. */
async function tfjsRunner(init: Params, d: { x: Float64Array; y: Float64Array }) {
  const tf = await import('@tensorflow/tfjs');
  await tf.setBackend('cpu');
  await tf.ready();
  const xs = tf.tensor2d(Float32Array.from(d.x), [N, IN]);
  const ys = tf.oneHot(tf.tensor1d(Int32Array.from(d.y), 'int32'), OUT).toFloat();
  const run = async (steps: number, losses?: number[]): Promise<number> => {
    const W1 = tf.variable(tf.tensor2d(Float32Array.from(init.tensors[0]!), [IN, HIDDEN]));
    const b1 = tf.variable(tf.tensor1d(Float32Array.from(init.tensors[1]!)));
    const W2 = tf.variable(tf.tensor2d(Float32Array.from(init.tensors[2]!), [HIDDEN, OUT]));
    const b2 = tf.variable(tf.tensor1d(Float32Array.from(init.tensors[3]!)));
    const opt = tf.train.adam(LR, 0.9, 0.999, 1e-7);
    let last = Number.NaN;
    for (let s = 0; s < steps; s++) {
      const b = s % (N / BATCH);
      const cost = opt.minimize(
        () =>
          tf.tidy(() => {
            const xb = xs.slice([b * BATCH, 0], [BATCH, IN]);
            const yb = ys.slice([b * BATCH, 0], [BATCH, OUT]);
            const logits = tf.relu(xb.matMul(W1).add(b1)).matMul(W2).add(b2);
            return tf.losses.softmaxCrossEntropy(yb, logits) as import('@tensorflow/tfjs').Scalar;
          }),
        true,
        [W1, b1, W2, b2],
      )!;
      if (losses !== undefined || s === steps - 1) {
        last = (await cost.data())[0]!;
        losses?.push(last);
      }
      cost.dispose();
    }
    opt.dispose();
    for (const v of [W1, b1, W2, b2]) v.dispose();
    return last;
  };
  return { run, dispose: () => tf.dispose([xs, ys]) };
}

export async function benchW3(): Promise<void> {
  const d = makeData();
  const init = model.init(createRng(7));

  // 1. Same numbers: the first steps' losses of every contender.
  const CHECK = 12;
  const lr: number[] = [];
  const lp: number[] = [];
  await reactive(init, d, lr);
  plain(init, d, lp);
  const tfr = await tfjsRunner(init, d);
  const lt: number[] = [];
  await tfr.run(CHECK, lt);
  let maxPlain = 0;
  let maxTf = 0;
  for (let s = 0; s < lr.length; s++) maxPlain = Math.max(maxPlain, Math.abs(lr[s]! - lp[s]!));
  for (let s = 0; s < CHECK; s++) maxTf = Math.max(maxTf, Math.abs(lr[s]! - lt[s]!) / Math.abs(lr[s]!));
  if (lr.length !== STEPS + 1 || lp.length !== STEPS + 1 || maxPlain !== 0) {
    throw new Error(`W3: reactive and plain loops disagree (steps ${lr.length}/${lp.length}, max |Δloss| ${maxPlain})`);
  }
  if (!(maxTf < 1e-4)) throw new Error(`W3: TensorFlow.js losses differ from gradstream's by ${maxTf} (relative) over the first ${CHECK} steps`);
  console.log(
    `\nW3 check: reactive = plain on all ${STEPS + 1} losses (bit-identical); TensorFlow.js (float32) within ${maxTf.toExponential(1)} relative over the first ${CHECK} steps` +
      ` (losses ${lr.slice(0, 3).map((v) => v.toFixed(6)).join(', ')} … vs tfjs ${lt.slice(0, 3).map((v) => v.toFixed(6)).join(', ')} …)`,
  );

  // 2. Timing: best of 3 (after one warm-up above).
  const tReactive = await bestOf(3, () => reactive(init, d).then(() => undefined), 0);
  const tPlain = await bestOf(3, () => void plain(init, d), 0);
  const tKernels = await bestOf(3, () => kernelsOnly(init, d), 1);
  let tfLast = Number.NaN;
  const tTf = await bestOf(1, async () => {
    tfLast = await tfr.run(STEPS);
  }, 0);
  tfr.dispose();
  console.log(`loss at the last update: gradstream ${lr[STEPS - 1]!.toFixed(5)}, TensorFlow.js ${tfLast.toFixed(5)}`);

  const steps = STEPS + 1;
  const row = (name: string, ms: number, samples: number, stepsDone: number) => [name, ms, (samples / ms) * 1000, (STEP_FLOPS * stepsDone) / ms / 1e6];
  const rows = [
    row('reactive loop (train + operators)', tReactive, steps * BATCH, steps),
    row('plain for-loop (same kernels)', tPlain, steps * BATCH, steps),
    row('kernels only (5 matmuls/step)', tKernels, steps * BATCH, steps),
    row('TensorFlow.js 4.22 cpu (float32)', tTf, STEPS * BATCH, STEPS),
  ];
  printTable(`W3: MLP 784→128→10, ${N} samples, batch ${BATCH}, ${EPOCHS} epochs, Adam (${formatNumber(STEP_FLOPS / 1e6)} MFLOP/step)`, ['contender', 'ms', 'samples/s', 'GFLOP/s'], rows);
  const gPlain = rows[1]![3] as number;
  const gTf = rows[3]![3] as number;
  console.log(`ratios: reactive/plain ${formatNumber(tPlain / tReactive)} (speed; target ≥ 0.95), plain/tfjs ${formatNumber(gPlain / gTf)} (target ≥ 3), kernels ${formatNumber(rows[2]![3] as number)} GFLOP/s (target ≥ 2.5)`);
}

if (import.meta.url === `file://${process.argv[1]}`) await benchW3();
