import { lastValueFrom, pipe } from 'rxjs';
import { describe, expect, it } from 'vitest';
import {
  accuracy,
  adam,
  binaryCrossEntropy,
  createRng,
  dense,
  forward,
  fromArrays,
  gradient,
  loss,
  metric,
  mse,
  predict,
  relu,
  sequential,
  sgd,
  softmaxCrossEntropy,
  splitArrays,
  tanh,
  train,
  update,
  type GradientTransformation,
  type OptState,
  type Loss,
  type Model,
  type Params,
  type BatchSource,
  moons,
} from '../../src/index.js';

/** Trains through the real loop (sync scheduler); returns the last record. */
async function fit(model: Model, l: Loss, data: BatchSource, opt: GradientTransformation<OptState[]>, seed: number, maxSteps?: number) {
  return lastValueFrom(
    train({
      params: model.init(createRng(seed)),
      data,
      pipeline: pipe(
        forward(model),
        loss(l),
        gradient(model, l),
        update(opt),
        metric('accuracy', (p, t, r, c) => accuracy(p, t, r, c, { threshold: 0 })),
      ),
      scheduler: 'sync',
      ...(maxSteps === undefined ? {} : { maxSteps }),
    }),
  );
}

describe('learning through the train loop', () => {
  it('XOR with a 2-8-1 MLP reaches 100 % accuracy', async () => {
    const model = sequential([dense(2, 8), tanh(), dense(8, 1)]);
    const x = [
      [0, 0],
      [0, 1],
      [1, 0],
      [1, 1],
    ];
    const y = [[0], [1], [1], [0]];
    const last = await fit(
      model,
      binaryCrossEntropy({ fromLogits: true }),
      fromArrays(x, y, { batchSize: 4, epochs: 500 }),
      adam({ lr: 0.05 }),
      1,
    );
    expect(last.stopReason).toBe('dataEnd');
    expect(last.metrics.accuracy).toBe(1);
    expect(last.loss).toBeLessThan(0.05);
    const p = predict(model, last.params, x);
    expect(Array.from(p, (v) => (v > 0 ? 1 : 0))).toEqual([0, 1, 1, 0]);
  });

  it('two moons (seeded, noisy) with a small MLP in shuffled mini-batches: ≥ 95 % on held-out data', async () => {
    const rng = createRng(7);
    const { x, y } = moons(600, { noise: 0.15, rng });
    const { train: tr, validation } = splitArrays(x, y, { validation: 0.25, seed: 1 });
    const model = sequential([dense(2, 16), relu(), dense(16, 16), relu(), dense(16, 2)]);
    const data = fromArrays(tr.x, tr.y, { rows: tr.rows, batchSize: 32, epochs: 60, shuffle: true, seed: 3 });
    const last = await fit(model, softmaxCrossEntropy(), data, adam({ lr: 0.01 }), 2);
    expect(last.stopReason).toBe('dataEnd');
    expect(last.epoch).toBe(59);
    const acc = accuracy(predict(model, last.params, validation.x, validation.rows), validation.y, validation.rows, 2);
    expect(acc).toBeGreaterThanOrEqual(0.95);
  });

  it('linear regression reaches the least-squares optimum (normal equations) within 1e-6 relative', async () => {
    const rng = createRng(11);
    const n = 200;
    const w = [1.5, -2, 0.5];
    const x: number[][] = [];
    const y: number[][] = [];
    for (let i = 0; i < n; i++) {
      const row = [rng.uniform(-1, 1), rng.uniform(-1, 1), rng.uniform(-1, 1)];
      x.push(row);
      y.push([w[0]! * row[0]! + w[1]! * row[1]! + w[2]! * row[2]! + 0.3 + 0.2 * rng.normal()]);
    }
    const theta = solveNormalEquations(
      x.map((r) => [...r, 1]),
      y.map((r) => r[0]!),
    );
    let optimum = 0;
    for (let i = 0; i < n; i++) {
      const r = theta[0]! * x[i]![0]! + theta[1]! * x[i]![1]! + theta[2]! * x[i]![2]! + theta[3]! - y[i]![0]!;
      optimum += r * r;
    }
    optimum /= n;
    const model = sequential([dense(3, 1)]);
    const last = await fit(model, mse(), fromArrays(x, y, { batchSize: n, epochs: 400 }), sgd({ lr: 0.5 }), 3);
    expect(last.stopReason).toBe('dataEnd');
    expect(Math.abs(last.loss - optimum) / optimum).toBeLessThan(1e-6);
    const W = (last.params as Params).data;
    for (let k = 0; k < 4; k++) expect(W[k]).toBeCloseTo(theta[k]!, 5);
  });
});

/** Solves (AᵀA) θ = Aᵀ y by Gaussian elimination with partial pivoting. */
function solveNormalEquations(A: number[][], y: number[]): number[] {
  const k = A[0]!.length;
  const M = Array.from({ length: k }, (_, i) => [
    ...Array.from({ length: k }, (_, j) => A.reduce((s, r) => s + r[i]! * r[j]!, 0)),
    A.reduce((s, r, n) => s + r[i]! * y[n]!, 0),
  ]);
  for (let c = 0; c < k; c++) {
    let piv = c;
    for (let r = c + 1; r < k; r++) if (Math.abs(M[r]![c]!) > Math.abs(M[piv]![c]!)) piv = r;
    [M[c], M[piv]] = [M[piv]!, M[c]!];
    for (let r = 0; r < k; r++) {
      if (r === c) continue;
      const f = M[r]![c]! / M[c]![c]!;
      for (let j = c; j <= k; j++) M[r]![j]! -= f * M[c]![j]!;
    }
  }
  return M.map((row, i) => row[k]! / row[i]!);
}
