/**
 * The reactive loop (`train` + the four operators) and the plain for-loop over the same model,
 * loss, optimizer and data reader, shared by the W2 and W3 workloads.
 */
import { lastValueFrom, pipe, tap } from 'rxjs';
import {
  applyUpdates,
  cloneParams,
  createParams,
  forward,
  gradient,
  loss,
  train,
  update,
  type GradientTransformation,
  type Loss,
  type Model,
  type OptState,
  type Params,
  type SyncBatchSource,
} from '../src/index.js';
import { adamApplyWasm64 } from '../src/core/wasm/wasmKernels.js';

export interface Setup {
  readonly model: Model;
  readonly lossFn: Loss;
  readonly optimizer: () => GradientTransformation<OptState>;
  readonly init: Params;
  readonly source: () => SyncBatchSource;
  readonly batch: number;
  readonly outCols: number;
  readonly maxSteps?: number;
}

/** The reactive loop, `sync` or `sliced`; pushes each record's loss into `losses` when given. */
export async function reactiveLoop(s: Setup, scheduler: 'sync' | 'sliced', losses?: number[]): Promise<number> {
  let last = Number.NaN;
  await lastValueFrom(
    train({
      params: s.init,
      data: s.source(),
      pipeline: pipe(
        forward(s.model),
        loss(s.lossFn),
        gradient(s.model, s.lossFn),
        update(s.optimizer()),
        tap((r) => {
          last = r.loss;
          losses?.push(r.loss);
        }),
      ),
      scheduler,
      ...(s.maxSteps === undefined ? {} : { maxSteps: s.maxSteps }),
    }),
  );
  return last;
}

/**
 * The same computation as a plain for-loop, including the final record the loop driver emits
 * (the loss of the last weights on the last batch, no update).
 */
export function plainLoop(s: Setup, losses?: number[]): number {
  const { model, lossFn, batch, outCols } = s;
  const params = cloneParams(s.init);
  const grads = createParams(model.layout);
  const opt = s.optimizer();
  const state = opt.init(params);
  const updates = new Float64Array(params.data.length);
  const cache = model.createCache(batch);
  // training mode, as `forward` runs the model (the same object shape as its mode)
  const mode = { training: true, rng: undefined, step: 0, foldStats: true };
  const dOut = new Float64Array(batch * outCols);
  const reader = s.source().open();
  const maxSteps = s.maxSteps ?? Infinity;
  let last = Number.NaN;
  const b = reader.next();
  if (b === null || typeof b !== 'object') throw new Error('plainLoop: empty data');
  let current = b;
  for (let step = 0; ; step++) {
    mode.step = step;
    const out = model.forward(params, current.x, cache, mode);
    last = lossFn.value(out, current.y, batch, outCols);
    losses?.push(last);
    lossFn.grad(dOut, out, current.y, batch, outCols);
    model.backward(params, cache, dOut, grads);
    if (step === maxSteps) break;
    updates.set(grads.data);
    opt.update(updates, state, params);
    applyUpdates(params, updates);
    const next = reader.next();
    if (next === null || typeof next !== 'object') {
      // the data has ended: one more record on the last batch, after the last update
      mode.step = step + 1;
      const out2 = model.forward(params, current.x, cache, mode);
      last = lossFn.value(out2, current.y, batch, outCols);
      losses?.push(last);
      lossFn.grad(dOut, out2, current.y, batch, outCols);
      model.backward(params, cache, dOut, grads);
      break;
    }
    current = next;
  }
  return last;
}

/**
 * {@link plainLoop} with Adam (β₁ 0.9, β₂ 0.999, ε 1e-7, learning rate `lr`) fused with the
 * learning rate and `params += updates` in one WebAssembly pass (adamApplyWasm64): bit-identical
 * to the chain, and what an update operator that recognises Adam would gain.
 */
export function plainFusedAdamLoop(s: Setup, lr: number, losses?: number[]): number {
  const { model, lossFn, batch, outCols } = s;
  const params = cloneParams(s.init);
  const grads = createParams(model.layout);
  const p = params.data;
  const g = grads.data;
  const mu = new Float64Array(p.length);
  const nu = new Float64Array(p.length);
  const cache = model.createCache(batch);
  const dOut = new Float64Array(batch * outCols);
  const reader = s.source().open();
  let last = Number.NaN;
  const b = reader.next();
  if (b === null || typeof b !== 'object') throw new Error('plainFusedAdamLoop: empty data');
  let current = b;
  for (let t = 1; ; t++) {
    const out = model.forward(params, current.x, cache);
    last = lossFn.value(out, current.y, batch, outCols);
    losses?.push(last);
    lossFn.grad(dOut, out, current.y, batch, outCols);
    model.backward(params, cache, dOut, grads);
    if (!adamApplyWasm64(p, g, mu, nu, 0.9, 0.999, 1 - 0.9 ** t, 1 - 0.999 ** t, 1e-7, -lr)) throw new Error('no WebAssembly kernels');
    const next = reader.next();
    if (next === null || typeof next !== 'object') {
      const out2 = model.forward(params, current.x, cache);
      last = lossFn.value(out2, current.y, batch, outCols);
      losses?.push(last);
      lossFn.grad(dOut, out2, current.y, batch, outCols);
      model.backward(params, cache, dOut, grads);
      break;
    }
    current = next;
  }
  return last;
}
