/**
 * The shared shape of W2 and W3 (a dense network trained with Adam on seeded data): agreement
 * checks, then every contender timed in interleaved rounds.
 */
import { createParamsIn, createRng, fromArrays, adam, type Loss, type Model, type Params } from '../src/index.js';
import { matmul, matmulF32, matmulTransA, matmulTransAF32, matmulTransB, matmulTransBF32 } from '../src/kernels.js';
import { check, interleave, maxRelDiff, say, type Contender, type WorkloadResult } from './harness.js';
import { plainFusedAdamLoop, plainLoop, reactiveLoop, type Setup } from './loops.js';
import { plainF32 } from './plainF32.js';
import { tfjsPeer, type PeerSpec } from './tfjsPeer.js';

export interface MlpWorkload {
  readonly id: string;
  readonly title: string;
  readonly model: Model;
  /** Layer sizes and activations (for TensorFlow.js, the float32 loop and the FLOP count). */
  readonly dims: readonly { readonly inputs: number; readonly units: number; readonly relu: boolean }[];
  readonly lossFn: Loss;
  readonly lossKind: 'mse' | 'softmaxCrossEntropy';
  readonly x: Float64Array;
  readonly y: Float64Array;
  readonly rows: number;
  readonly batch: number;
  readonly epochs: number;
  readonly lr: number;
  readonly init: Params;
  /** Steps TensorFlow.js is timed on per round (all of them when omitted). */
  readonly peerSteps?: number;
  /** Also time the float32 loop and kernels. */
  readonly float32?: boolean;
  /**
   * The same model with `precision: 'float32'`: its reactive loop is timed too (`reactive sync
   * float32`), from `init` rounded to float32 (the float32 loop's starting weights).
   */
  readonly model32?: Model;
}

/** Matrix-product FLOPs of one step: forward, weight gradients, and input gradients but the first layer's. */
export function stepFlops(dims: MlpWorkload['dims'], batch: number): number {
  return dims.reduce((f, d, i) => f + 2 * batch * d.inputs * d.units * (i === 0 ? 2 : 3), 0);
}

export async function benchMlp(w: MlpWorkload, rounds: number): Promise<WorkloadResult> {
  const outCols = w.dims[w.dims.length - 1]!.units;
  const _yCols = w.lossKind === 'mse' ? outCols : 1;
  const updates = (w.rows / w.batch) * w.epochs;
  const records = updates + 1;
  const flops = stepFlops(w.dims, w.batch);
  const setup: Setup = {
    model: w.model,
    lossFn: w.lossFn,
    optimizer: () => adam({ lr: w.lr }),
    init: w.init,
    source: () => fromArrays(w.x, w.y, { rows: w.rows, batchSize: w.batch, epochs: w.epochs }),
    batch: w.batch,
    outCols,
  };
  const layers = w.dims.map((d, i) => ({ ...d, W: w.init.tensors[2 * i]!, b: w.init.tensors[2 * i + 1]! }));
  const peerSpec: PeerSpec = {
    layers,
    loss: w.lossKind,
    optimizer: { kind: 'adam', lr: w.lr },
    x: w.x,
    y: w.y,
    rows: w.rows,
    batch: w.batch,
  };
  const x32 = Float32Array.from(w.x);
  const f32Spec = { layers, loss: w.lossKind, lr: w.lr, x: x32, y: w.y, rows: w.rows, batch: w.batch, records };

  // 1. Same numbers.
  const lr: number[] = [];
  const ls: number[] = [];
  const lp: number[] = [];
  await reactiveLoop(setup, 'sync', lr);
  await reactiveLoop(setup, 'sliced', ls);
  plainLoop(setup, lp);
  const lf: number[] = [];
  plainFusedAdamLoop(setup, w.lr, lf);
  const dPlain = Math.max(maxRelDiff(lr, lp), maxRelDiff(ls, lp), maxRelDiff(lf, lp));
  check(
    lr.length === records && ls.length === records && lp.length === records && lf.length === records && dPlain <= 1e-12,
    `${w.id}: reactive and plain losses differ (records ${lr.length}/${ls.length}/${lp.length} of ${records}, max rel. diff ${dPlain})`,
  );
  const CHECK = 12;
  const cpu = await tfjsPeer('cpu', peerSpec);
  const wasm = await tfjsPeer('wasm', peerSpec);
  const dCpu = maxRelDiff(await cpu.run(CHECK, true), lp.slice(0, CHECK));
  const dWasm = maxRelDiff(await wasm.run(CHECK, true), lp.slice(0, CHECK));
  const l32: number[] = [];
  if (w.float32 === true) plainF32({ ...f32Spec, records: CHECK + 1 }, l32); // the final record would reuse a batch
  const d32 = w.float32 === true ? maxRelDiff(l32.slice(0, CHECK), lp.slice(0, CHECK)) : 0;
  // The library's float32 mode: the same loop as `reactive sync` on the float32 model.
  const setup32: Setup | undefined =
    w.model32 === undefined ? undefined : { ...setup, model: w.model32, init: toPrecision32(w.model32, w.init) };
  const lr32: number[] = [];
  if (setup32 !== undefined) await reactiveLoop(setup32, 'sync', lr32);
  const dR32 = setup32 === undefined ? 0 : maxRelDiff(lr32.slice(0, CHECK), lp.slice(0, CHECK));
  check(
    dCpu <= 1e-4 && dWasm <= 1e-4 && d32 <= 1e-4 && dR32 <= 1e-4 && (setup32 === undefined || lr32.length === records),
    `${w.id}: float32 losses differ from gradstream's float64 (tfjs cpu ${dCpu}, wasm ${dWasm}, float32 loop ${d32}, reactive float32 ${dR32} relative; ${lr32.length} records)`,
  );
  const checked =
    `reactive sync/sliced and plain fused adam = plain on all ${records} losses (max rel. diff ${dPlain.toExponential(1)}); float32 peers within ${Math.max(dCpu, dWasm, d32, dR32).toExponential(1)} relative over ${CHECK} steps ` +
    `(tfjs cpu ${dCpu.toExponential(1)}, tfjs wasm ${dWasm.toExponential(1)}${w.float32 === true ? `, float32 loop ${d32.toExponential(1)}` : ''}${setup32 === undefined ? '' : `, reactive float32 ${dR32.toExponential(1)}`})`;
  say(`${w.id} check: ${checked}`);

  // 2. Timing.
  const peerSteps = Math.min(w.peerSteps ?? updates, updates);
  const contenders: Contender[] = [
    { name: 'reactive sync', steps: records, flopsPerStep: flops, run: () => reactiveLoop(setup, 'sync').then(() => undefined) },
    { name: 'reactive sliced', steps: records, flopsPerStep: flops, run: () => reactiveLoop(setup, 'sliced').then(() => undefined) },
    { name: 'plain', steps: records, flopsPerStep: flops, run: () => void plainLoop(setup) },
    { name: 'plain fused adam', steps: records, flopsPerStep: flops, run: () => void plainFusedAdamLoop(setup, w.lr) },
    { name: 'kernels', steps: records, flopsPerStep: flops, run: () => kernels64(w, records) },
  ];
  if (setup32 !== undefined) {
    contenders.push({
      name: 'reactive sync float32',
      steps: records,
      flopsPerStep: flops,
      run: () => reactiveLoop(setup32, 'sync').then(() => undefined),
    });
  }
  if (w.float32 === true) {
    contenders.push(
      { name: 'plain float32', steps: records, flopsPerStep: flops, run: () => void plainF32(f32Spec) },
      { name: 'kernels float32', steps: records, flopsPerStep: flops, run: () => kernels32(w, x32, records) },
    );
  }
  contenders.push(
    { name: 'tfjs-cpu', steps: peerSteps, flopsPerStep: flops, run: () => cpu.run(peerSteps).then(() => undefined), peer: true },
    { name: 'tfjs-wasm', steps: peerSteps, flopsPerStep: flops, run: () => wasm.run(peerSteps).then(() => undefined), peer: true },
  );
  const results = await interleave(contenders, rounds);
  return { id: w.id, title: w.title, check: checked, results };
}

/** The matrix products of every step, alone, on preallocated buffers (float64). */
function kernels64(w: MlpWorkload, records: number): void {
  const B = w.batch;
  const weights = w.dims.map((_, i) => w.init.tensors[2 * i]!);
  const acts = w.dims.map((d) => new Float64Array(B * d.units));
  const gW = w.dims.map((d) => new Float64Array(d.inputs * d.units));
  const dX = w.dims.map((d) => new Float64Array(B * d.inputs));
  const batches = w.rows / B;
  const inCols = w.dims[0]!.inputs;
  for (let s = 0; s < records; s++) {
    const b = s % batches;
    const x = w.x.subarray(b * B * inCols, (b + 1) * B * inCols);
    for (let l = 0; l < w.dims.length; l++)
      matmul(acts[l]!, l === 0 ? x : acts[l - 1]!, weights[l]!, B, w.dims[l]!.inputs, w.dims[l]!.units);
    for (let l = w.dims.length - 1; l >= 0; l--) {
      const d = w.dims[l]!;
      const delta = l === w.dims.length - 1 ? acts[l]! : dX[l + 1]!;
      matmulTransA(gW[l]!, l === 0 ? x : acts[l - 1]!, delta, B, d.inputs, d.units);
      if (l > 0) matmulTransB(dX[l]!, delta, weights[l]!, B, d.units, d.inputs);
    }
  }
}

/** {@link kernels64} in float32. */
function kernels32(w: MlpWorkload, x32: Float32Array, records: number): void {
  const B = w.batch;
  const weights = w.dims.map((_, i) => Float32Array.from(w.init.tensors[2 * i]!));
  const acts = w.dims.map((d) => new Float32Array(B * d.units));
  const gW = w.dims.map((d) => new Float32Array(d.inputs * d.units));
  const dX = w.dims.map((d) => new Float32Array(B * d.inputs));
  const batches = w.rows / B;
  const inCols = w.dims[0]!.inputs;
  for (let s = 0; s < records; s++) {
    const b = s % batches;
    const x = x32.subarray(b * B * inCols, (b + 1) * B * inCols);
    for (let l = 0; l < w.dims.length; l++)
      matmulF32(acts[l]!, l === 0 ? x : acts[l - 1]!, weights[l]!, B, w.dims[l]!.inputs, w.dims[l]!.units);
    for (let l = w.dims.length - 1; l >= 0; l--) {
      const d = w.dims[l]!;
      const delta = l === w.dims.length - 1 ? acts[l]! : dX[l + 1]!;
      matmulTransAF32(gW[l]!, l === 0 ? x : acts[l - 1]!, delta, B, d.inputs, d.units);
      if (l > 0) matmulTransBF32(dX[l]!, delta, weights[l]!, B, d.units, d.inputs);
    }
  }
}

/** `init` rounded into a float32 model's params (the float32 loop starts from the same weights). */
function toPrecision32(model: Model, init: Params): Params {
  const p = createParamsIn(model.layout, 'float32');
  p.data.set(init.data);
  return p;
}

/** Seeded uniform inputs in [0, 1). */
export function seededInputs(seed: number, n: number): Float64Array {
  const rng = createRng(seed);
  const x = new Float64Array(n);
  for (let i = 0; i < n; i++) x[i] = rng.next();
  return x;
}
