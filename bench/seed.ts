/**
 * W1 — the seed lesson (4×4 linear layer, MSE, SGD lr 0.001, full batch): steps/s of the reactive
 * loop (train + forward/loss/gradient/update, sync) against a plain hand-written loop doing the
 * same math in the same process. Both must agree on the losses before they are timed.
 */
import { lastValueFrom, pipe } from 'rxjs';
import { dense, forward, fullBatch, gradient, loss, mse, paramsFrom, sequential, sgd, train, update } from '../src/index.js';
import { bestOf, printTable } from './harness.js';

const X = [1, 2, 3, 4];
const T = [2, 3, 4, 5];
const W0 = [-0.2416, -0.2497, -0.3932, 0.2935, -0.0396, 0.1421, -0.4436, 0.1714, -0.3519, 0.4072, -0.0721, -0.1659, 0.2055, -0.033, -0.2145, 0.1987];
const LR = 0.001;

/** The plain loop: returns the loss of the final weights after `steps` updates. */
export function plainSeedLoop(steps: number): number {
  const w = Float64Array.from(W0);
  const p = new Float64Array(4);
  const d = new Float64Array(4);
  let l = 0;
  for (let s = 0; s <= steps; s++) {
    for (let j = 0; j < 4; j++) {
      let acc = 0;
      for (let i = 0; i < 4; i++) acc += X[i]! * w[i * 4 + j]!;
      p[j] = acc;
    }
    l = 0;
    for (let j = 0; j < 4; j++) {
      const e = p[j]! - T[j]!;
      l += e * e;
      d[j] = (2 / 4) * e;
    }
    l /= 4;
    if (s === steps) break;
    for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) w[i * 4 + j]! -= LR * X[i]! * d[j]!;
  }
  return l;
}

/** The reactive loop: returns the loss of the final record (step `steps`). */
export async function reactiveSeedLoop(steps: number): Promise<number> {
  const model = sequential([dense(4, 4, { bias: false })]);
  const l = mse();
  const last = await lastValueFrom(
    train({
      params: paramsFrom(model.layout, { '0.W': W0 }),
      data: fullBatch([X], [T]),
      pipeline: pipe(forward(model), loss(l), gradient(model, l), update(sgd({ lr: LR }))),
      maxSteps: steps,
      scheduler: 'sync',
    }),
  );
  return last.loss;
}

export async function benchSeed(): Promise<void> {
  const steps = 2_000_000;
  const check = 1000;
  const a = plainSeedLoop(check);
  const b = await reactiveSeedLoop(check);
  if (Math.abs(a - b) > 1e-12 * Math.max(1, Math.abs(a))) throw new Error(`W1: plain loss ${a} ≠ reactive loss ${b}`);
  // one untimed warm-up run each, then the best of 5
  const plainMs = await bestOf(5, () => void plainSeedLoop(steps));
  const reactiveMs = await bestOf(5, async () => void (await reactiveSeedLoop(steps)));
  const ns = (ms: number) => (ms * 1e6) / steps;
  const rate = (ms: number) => steps / (ms / 1000);
  printTable(`W1: seed lesson (4×4 linear, MSE, SGD), ${steps.toLocaleString('en-US')} steps, best of 5; final losses agree (${a})`, ['contender', 'ns/step', 'steps/s'], [
    ['plain hand-written loop', ns(plainMs), rate(plainMs)],
    ['reactive loop (train + 4 operators, sync)', ns(reactiveMs), rate(reactiveMs)],
  ]);
  console.log(`ratio: reactive/plain steps/s ${(plainMs / reactiveMs).toFixed(3)} (target ≥ 0.25); the operator chain adds ${(ns(reactiveMs) - ns(plainMs)).toFixed(1)} ns/step`);
}
