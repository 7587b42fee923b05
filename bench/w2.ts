/**
 * W2 — dense 64 → 16 with bias, MSE, Adam 1e-3: 4096 seeded samples (uniform inputs, targets a
 * seeded linear map plus noise), batch 256, 20 epochs (320 updates), no shuffle. TensorFlow.js is
 * timed on the first 80 steps.
 */
import { createRng, dense, mse, sequential } from '../src/index.js';
import type { WorkloadResult } from './harness.js';
import { benchMlp, seededInputs } from './mlpWorkload.js';

const N = 4096;
const IN = 64;
const OUT = 16;

export async function benchW2(rounds: number): Promise<WorkloadResult> {
  const x = seededInputs(2025, N * IN);
  const rng = createRng(2026);
  const wTrue = Float64Array.from({ length: IN * OUT }, () => rng.uniform(-1, 1));
  const y = new Float64Array(N * OUT);
  for (let r = 0; r < N; r++) {
    for (let c = 0; c < OUT; c++) {
      let s = 0;
      for (let i = 0; i < IN; i++) s += x[r * IN + i]! * wTrue[i * OUT + c]!;
      y[r * OUT + c] = s + 0.1 * rng.uniform(-1, 1);
    }
  }
  const model = sequential([dense(IN, OUT)]);
  return benchMlp(
    {
      id: 'W2',
      title: `W2 dense ${IN}→${OUT} + bias, MSE, Adam 1e-3, ${N} samples, batch 256, 20 epochs`,
      model,
      dims: [{ inputs: IN, units: OUT, relu: false }],
      lossFn: mse(),
      lossKind: 'mse',
      x,
      y,
      rows: N,
      batch: 256,
      epochs: 20,
      lr: 1e-3,
      init: model.init(createRng(11)),
      peerSteps: 80,
    },
    rounds,
  );
}
