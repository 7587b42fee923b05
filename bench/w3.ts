/**
 * W3 — an MLP 784 → 128 (ReLU) → 10, softmax cross-entropy, Adam 1e-3: 8192 seeded samples
 * (uniform inputs, uniform random labels), batch 64, 3 epochs (384 updates), no shuffle. Also
 * timed in float32 (the library's float32 mode in the reactive loop, the float32 loop and kernels).
 * TensorFlow.js is timed on the first 24 steps.
 */
import { createRng, dense, relu, sequential, softmaxCrossEntropy } from '../src/index.js';
import type { WorkloadResult } from './harness.js';
import { benchMlp, seededInputs, type MlpWorkload } from './mlpWorkload.js';

export const W3_N = 8192;
const IN = 784;
const HIDDEN = 128;
const OUT = 10;

export function w3Workload(): MlpWorkload {
  const x = seededInputs(2024, W3_N * IN);
  const rng = createRng(2027);
  const y = new Float64Array(W3_N);
  for (let i = 0; i < W3_N; i++) y[i] = rng.int(OUT);
  const model = sequential([dense(IN, HIDDEN), relu(), dense(HIDDEN, OUT)]);
  const model32 = sequential([dense(IN, HIDDEN), relu(), dense(HIDDEN, OUT)], { precision: 'float32' });
  return {
    id: 'W3',
    title: `W3 MLP ${IN}→${HIDDEN} ReLU→${OUT}, softmax cross-entropy, Adam 1e-3, ${W3_N} samples, batch 64, 3 epochs`,
    model,
    dims: [
      { inputs: IN, units: HIDDEN, relu: true },
      { inputs: HIDDEN, units: OUT, relu: false },
    ],
    lossFn: softmaxCrossEntropy(),
    lossKind: 'softmaxCrossEntropy',
    x,
    y,
    rows: W3_N,
    batch: 64,
    epochs: 3,
    lr: 1e-3,
    init: model.init(createRng(7)),
    peerSteps: 24,
    float32: true,
    model32,
  };
}

export function benchW3(rounds: number): Promise<WorkloadResult> {
  return benchMlp(w3Workload(), rounds);
}
