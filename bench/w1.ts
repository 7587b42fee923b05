/**
 * W1 — the seed lesson: one 4×4 linear layer without bias, x = [1, 2, 3, 4], target [2, 3, 4, 5],
 * MSE, SGD lr 0.01, full batch, 200,000 steps. Contenders: the reactive loop (sync and sliced),
 * a plain hand-written loop, a plain loop over the library's model/loss/optimizer calls (no RxJS:
 * what the generic calls cost), the kernels alone (the layer's matmul + matmulTransA per step), and
 * TensorFlow.js (cpu, wasm; timed on 2,000 steps, reported per step).
 */
import { lastValueFrom, pipe, tap } from 'rxjs';
import { dense, forward, fullBatch, gradient, loss, mse, paramsFrom, sequential, sgd, train, update } from '../src/index.js';
import { matmul, matmulTransA } from '../src/kernels.js';
import { check, interleave, maxRelDiff, say, type WorkloadResult } from './harness.js';
import { plainLoop, type Setup } from './loops.js';
import { tfjsPeer } from './tfjsPeer.js';

export const X = [1, 2, 3, 4];
export const T = [2, 3, 4, 5];
export const W0 = [
  -0.2416, -0.2497, -0.3932, 0.2935, -0.0396, 0.1421, -0.4436, 0.1714, -0.3519, 0.4072, -0.0721, -0.1659, 0.2055, -0.033, -0.2145, 0.1987,
];
const LR = 0.01;
export const W1_STEPS = 200_000;
const PEER_STEPS = 2_000;
/** matmul 1×4·4×4 and matmulTransA 4×1·1×4: 2·16 FLOPs each. */
const FLOPS = 64;

/** The plain loop: the loss of the final weights after `steps` updates (their losses into `losses`). */
export function plainW1(steps: number, losses?: number[]): number {
  // Float64Array data, as the library's: with the module's plain arrays V8 compiled this loop
  // at either ~77 or ~100 ns/step from one process to the next.
  const x = Float64Array.from(X);
  const t = Float64Array.from(T);
  const w = Float64Array.from(W0);
  const p = new Float64Array(4);
  const d = new Float64Array(4);
  let l = 0;
  for (let s = 0; s <= steps; s++) {
    for (let j = 0; j < 4; j++) {
      let acc = 0;
      for (let i = 0; i < 4; i++) acc += x[i]! * w[i * 4 + j]!;
      p[j] = acc;
    }
    l = 0;
    for (let j = 0; j < 4; j++) {
      const e = p[j]! - t[j]!;
      l += e * e;
      d[j] = (2 / 4) * e;
    }
    l /= 4;
    if (losses !== undefined) losses.push(l);
    if (s === steps) break;
    for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) w[i * 4 + j]! -= LR * x[i]! * d[j]!;
  }
  return l;
}

const model = sequential([dense(4, 4, { bias: false })]);
const mseLoss = mse();

/** The reactive loop: the loss of the final record (step `steps`); every loss into `losses` if given. */
export async function reactiveW1(steps: number, scheduler: 'sync' | 'sliced', losses?: number[]): Promise<number> {
  const core = pipe(forward(model), loss(mseLoss), gradient(model, mseLoss), update(sgd({ lr: LR })));
  const last = await lastValueFrom(
    train({
      params: paramsFrom(model.layout, { '0.W': W0 }),
      data: fullBatch([X], [T]),
      pipeline:
        losses === undefined
          ? core
          : pipe(
              core,
              tap((r) => void losses.push(r.loss)),
            ),
      maxSteps: steps,
      scheduler,
    }),
  );
  return last.loss;
}

/** The plain loop over the library's model, loss, optimizer and data reader (no RxJS). */
const librarySetup: Setup = {
  model,
  lossFn: mseLoss,
  optimizer: () => sgd({ lr: LR }),
  init: paramsFrom(model.layout, { '0.W': W0 }),
  source: () => fullBatch([X], [T]),
  batch: 1,
  outCols: 4,
};

/** The layer's two kernels per step, alone. */
function kernelsW1(steps: number): void {
  const x = Float64Array.from(X);
  const w = Float64Array.from(W0);
  const p = new Float64Array(4);
  const dW = new Float64Array(16);
  for (let s = 0; s <= steps; s++) {
    matmul(p, x, w, 1, 4, 4);
    matmulTransA(dW, x, p, 1, 4, 4);
  }
}

export async function benchW1(rounds: number): Promise<WorkloadResult> {
  // Same numbers first: every loss of 1000 steps (plain vs reactive), 12 steps vs TensorFlow.js.
  const lp: number[] = [];
  plainW1(1000, lp);
  const lr: number[] = [];
  await reactiveW1(1000, 'sync', lr);
  const dPlain = maxRelDiff(lr, lp, 1);
  check(lr.length === 1001 && dPlain <= 1e-12, `W1: reactive and plain losses differ by ${dPlain} (${lr.length} records)`);
  const ll: number[] = [];
  plainLoop({ ...librarySetup, maxSteps: 1000 }, ll);
  const dLib = maxRelDiff(ll, lp, 1);
  check(ll.length === 1001 && dLib <= 1e-12, `W1: the library loop's losses differ by ${dLib}`);
  const sliced = await reactiveW1(1000, 'sliced');
  check(Math.abs(sliced - lp[1000]!) <= 1e-12 * Math.max(1, lp[1000]!), `W1: sliced loop's final loss ${sliced} ≠ ${lp[1000]}`);
  const spec = {
    layers: [{ W: Float64Array.from(W0), inputs: 4, units: 4 }],
    loss: 'mse' as const,
    optimizer: { kind: 'sgd' as const, lr: LR },
    x: Float64Array.from(X),
    y: Float64Array.from(T),
    rows: 1,
    batch: 1,
  };
  const cpu = await tfjsPeer('cpu', spec);
  const wasm = await tfjsPeer('wasm', spec);
  const dCpu = maxRelDiff(await cpu.run(12, true), lp.slice(0, 12));
  const dWasm = maxRelDiff(await wasm.run(12, true), lp.slice(0, 12));
  check(dCpu <= 1e-4 && dWasm <= 1e-4, `W1: TensorFlow.js losses differ from gradstream's (cpu ${dCpu}, wasm ${dWasm} relative)`);
  const checked = `reactive sync = plain on all 1,001 losses of 1,000 steps (max rel. diff ${dPlain.toExponential(1)}), sliced final loss equal; tfjs cpu/wasm within ${Math.max(dCpu, dWasm).toExponential(1)} relative over 12 steps`;
  say(`W1 check: ${checked}`);

  const results = await interleave(
    [
      { name: 'reactive sync', steps: W1_STEPS, flopsPerStep: FLOPS, run: () => reactiveW1(W1_STEPS, 'sync').then(() => undefined) },
      { name: 'reactive sliced', steps: W1_STEPS, flopsPerStep: FLOPS, run: () => reactiveW1(W1_STEPS, 'sliced').then(() => undefined) },
      { name: 'plain', steps: W1_STEPS, flopsPerStep: FLOPS, run: () => void plainW1(W1_STEPS) },
      {
        name: 'plain library loop',
        steps: W1_STEPS,
        flopsPerStep: FLOPS,
        run: () => void plainLoop({ ...librarySetup, maxSteps: W1_STEPS }),
      },
      { name: 'kernels', steps: W1_STEPS, flopsPerStep: FLOPS, run: () => kernelsW1(W1_STEPS) },
      { name: 'tfjs-cpu', steps: PEER_STEPS, flopsPerStep: FLOPS, run: () => cpu.run(PEER_STEPS).then(() => undefined), peer: true },
      { name: 'tfjs-wasm', steps: PEER_STEPS, flopsPerStep: FLOPS, run: () => wasm.run(PEER_STEPS).then(() => undefined), peer: true },
    ],
    rounds,
  );
  return {
    id: 'W1',
    title: `W1 seed lesson: 4×4 linear, MSE, SGD lr ${LR}, ${W1_STEPS.toLocaleString('en-US')} steps (tfjs: ${PEER_STEPS.toLocaleString('en-US')})`,
    check: checked,
    results,
  };
}
