/**
 * The WebAssembly SIMD kernels (asm/kernels.ts, embedded as base64 in ./kernelsWasm.ts): loading,
 * scratch memory, and the one general matrix product the kernels in ../kernels.ts and
 * ../kernelsF32.ts dispatch to for shapes large enough to pay for copying the operands.
 *
 * The compiled instance is cached per JavaScript realm (one per worker): this is the library's one
 * piece of module-level state, a cache of an immutable module plus its scratch memory, which no
 * caller can observe except through speed. It is created lazily (synchronously: the module is
 * ~4 KB; Chrome refuses synchronous compilation on the main thread only above 8 MB), or ahead of time
 * by {@link initKernels}. Where WebAssembly or its SIMD proposal is missing, everything stays on
 * the JavaScript kernels.
 */
import { kernelsSharedWasm, kernelsWasm } from './kernelsWasm.js';

/** The module's exports (see asm/kernels.ts). Offsets and sizes are in bytes. */
interface KernelExports {
  readonly memory: WasmMemory;
  heapBase(): number;
  workBytes(m: number, n: number, double: number): number;
  gemm64(
    c: number,
    a: number,
    rsA: number,
    csA: number,
    b: number,
    rsB: number,
    csB: number,
    m: number,
    k: number,
    n: number,
    work: number,
  ): void;
  gemm32(
    c: number,
    a: number,
    rsA: number,
    csA: number,
    b: number,
    rsB: number,
    csB: number,
    m: number,
    k: number,
    n: number,
    work: number,
  ): void;
  adam64(g: number, m: number, v: number, n: number, b1: number, b2: number, c1: number, c2: number, eps: number): void;
  adamApply64(
    p: number,
    g: number,
    m: number,
    v: number,
    n: number,
    b1: number,
    b2: number,
    c1: number,
    c2: number,
    eps: number,
    k: number,
  ): void;
  adamApply32(
    p: number,
    g: number,
    m: number,
    v: number,
    n: number,
    b1: number,
    b2: number,
    c1: number,
    c2: number,
    eps: number,
    lr: number,
  ): void;
  sum2_64(g: number, s0: number, w0: number, s1: number, w1: number, n: number): void;
  addScaled64(g: number, s: number, w: number, n: number): void;
  sum2_32(g: number, s0: number, w0: number, s1: number, w1: number, n: number): void;
  addScaled32(g: number, s: number, w: number, n: number): void;
}

/** A WebAssembly memory (a shared one's `buffer` is a SharedArrayBuffer). */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}

/** The part of the global `WebAssembly` object used here (the project's `lib` has no DOM types). */
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { readonly exports: unknown };
  compile(bytes: Uint8Array): Promise<object>;
  Memory: new (descriptor: { initial: number; maximum: number; shared: true }) => WasmMemory;
}

/** A float64 or float32 view of the module's memory, with the views made of it (kept: no allocation per call). */
export interface LaneViews<A extends Float64Array | Float32Array> {
  /** The whole memory (re-created when it grows). */
  heap: A;
  /** Views of the result area `[base, base + n·bytes)` by `n`, so reading a result allocates nothing. */
  readonly out: Map<number, A>;
  /** Views of scratch `[offset, offset + n·bytes)` by `offset · 8192 + n` (n ≤ {@link CHUNK}). */
  readonly scratch: Map<number, A>;
  /** Chunk views of caller arrays streamed through the module (optimizer state, updates). */
  readonly chunks: WeakMap<Readonly<A>, A[]>;
}

/** A loaded instance with its scratch memory views (re-created when memory grows). */
export interface WasmKernels {
  /** The compiled module (handed to new threads). */
  readonly module: object;
  readonly exports: KernelExports;
  /** First free byte, 16-aligned: results are written here, operands and scratch after. */
  readonly base: number;
  readonly l64: LaneViews<Float64Array>;
  readonly l32: LaneViews<Float32Array>;
}

/** How to read op(X) from a row-major array: `'n'` as stored, `'t'` transposed. */
export type Trans = 'n' | 't';

const cache: { kernels: WasmKernels | null | undefined; shared: object | null | undefined } = { kernels: undefined, shared: undefined };

function api(): WasmApi | undefined {
  return (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
}

function decode(b64: string): Uint8Array {
  const s = atob(b64);
  const bytes = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) bytes[i] = s.charCodeAt(i);
  return bytes;
}

function instantiate(wasm: WasmApi, module: object): WasmKernels {
  const exports = new wasm.Instance(module, {}).exports as KernelExports;
  const base = exports.heapBase();
  const lane = <A extends Float64Array | Float32Array>(heap: A): LaneViews<A> => ({
    heap,
    out: new Map(),
    scratch: new Map(),
    chunks: new WeakMap(),
  });
  return { module, exports, base, l64: lane(new Float64Array(exports.memory.buffer)), l32: lane(new Float32Array(exports.memory.buffer)) };
}

/**
 * The cached kernels instance, compiled synchronously on first use; `null` where WebAssembly SIMD
 * is unavailable (callers then use the JavaScript kernels).
 */
export function wasmKernels(): WasmKernels | null {
  const k = cache.kernels;
  if (k !== undefined) return k;
  return loadSync();
}

function loadSync(): WasmKernels | null {
  const wasm = api();
  try {
    cache.kernels = wasm === undefined ? null : instantiate(wasm, new wasm.Module(decode(kernelsWasm)));
  } catch {
    cache.kernels = null; // no SIMD support, or synchronous compilation refused
  }
  return cache.kernels;
}

/**
 * Compiles the WebAssembly SIMD kernels ahead of time (asynchronously, as browsers prefer) and
 * resolves whether they are in use. Optional: the kernels otherwise compile synchronously on the
 * first large matrix product, and everything falls back to JavaScript where WebAssembly SIMD is
 * missing.
 *
 * @returns a promise of `true` when the WebAssembly kernels are in use, `false` when the
 *   JavaScript kernels are (never rejects).
 * @example
 * import { initKernels } from 'gradstream/kernels';
 * const simd = await initKernels(); // true on Node ≥ 16.4 and current browsers
 */
export async function initKernels(): Promise<boolean> {
  if (cache.kernels !== undefined) return cache.kernels !== null;
  const wasm = api();
  try {
    if (wasm === undefined) throw new Error('no WebAssembly');
    const module = await wasm.compile(decode(kernelsWasm));
    cache.kernels ??= instantiate(wasm, module);
  } catch {
    cache.kernels ??= null;
  }
  return cache.kernels !== null;
}

/**
 * Grows the memory to at least `bytes` (rarely: by half again) and re-creates the views; false
 * when it cannot grow (beyond 4 GiB, or out of memory): the caller then computes in JavaScript.
 */
export function reserve(k: WasmKernels, bytes: number): boolean {
  const have = k.exports.memory.buffer.byteLength;
  if (bytes <= have) return true;
  const want = Math.max(bytes, have + (have >> 1));
  try {
    k.exports.memory.grow(Math.ceil((want - have) / 65536));
  } catch {
    try {
      k.exports.memory.grow(Math.ceil((bytes - have) / 65536));
    } catch {
      return false;
    }
  }
  k.l64.heap = new Float64Array(k.exports.memory.buffer);
  k.l32.heap = new Float32Array(k.exports.memory.buffer);
  for (const l of [k.l64, k.l32]) {
    l.out.clear();
    l.scratch.clear();
  }
  return true;
}

const align16 = (n: number): number => (n + 15) & ~15;

/** What differs between the float64 and float32 kernels. */
interface Lane<A extends Float64Array | Float32Array> {
  /** log2 of the element size in bytes. */
  readonly shift: 3 | 2;
  views(w: WasmKernels): LaneViews<A>;
  make(buffer: ArrayBuffer, offset: number, n: number): A;
  gemm(w: WasmKernels): KernelExports['gemm64'];
}

const LANE64: Lane<Float64Array> = {
  shift: 3,
  views: (w) => w.l64,
  make: (b, o, n) => new Float64Array(b, o, n),
  gemm: (w) => w.exports.gemm64,
};
const LANE32: Lane<Float32Array> = {
  shift: 2,
  views: (w) => w.l32,
  make: (b, o, n) => new Float32Array(b, o, n),
  gemm: (w) => w.exports.gemm32,
};

/**
 * `out[m×n] = op(a)·op(b)` in float64 on the WebAssembly kernels, `op(a)` of shape `m×k` and
 * `op(b)` of shape `k×n`. Copies `a` and `b` into the module's memory and the result back.
 * Returns false (and does nothing) when the kernels are unavailable or an operand is shorter than
 * its shape; the caller then computes with JavaScript.
 */
export function gemmWasm64(
  out: Float64Array,
  a: Readonly<Float64Array>,
  b: Readonly<Float64Array>,
  m: number,
  k: number,
  n: number,
  ta: Trans,
  tb: Trans,
): boolean {
  return gemm(LANE64, out, a, b, m, k, n, ta, tb);
}

/** {@link gemmWasm64} in float32 (`f32x4` lanes). */
export function gemmWasm32(
  out: Float32Array,
  a: Readonly<Float32Array>,
  b: Readonly<Float32Array>,
  m: number,
  k: number,
  n: number,
  ta: Trans,
  tb: Trans,
): boolean {
  return gemm(LANE32, out, a, b, m, k, n, ta, tb);
}

function gemm<A extends Float64Array | Float32Array>(
  lane: Lane<A>,
  out: A,
  a: Readonly<A>,
  b: Readonly<A>,
  m: number,
  k: number,
  n: number,
  ta: Trans,
  tb: Trans,
): boolean {
  const w = cache.kernels === undefined ? loadSync() : cache.kernels;
  if (w === null) return false;
  const na = m * k;
  const nb = k * n;
  const nc = m * n;
  if (a.length < na || b.length < nb || out.length < nc) return false;
  const shift = lane.shift;
  const aOff = w.base + align16(nc << shift);
  const bOff = aOff + align16(na << shift);
  const work = bOff + align16(nb << shift);
  if (!reserve(w, work + w.exports.workBytes(m, n, shift === 3 ? 1 : 0))) return false;
  const views = lane.views(w);
  views.heap.set(a.length === na ? a : a.subarray(0, na), aOff >> shift);
  views.heap.set(b.length === nb ? b : b.subarray(0, nb), bOff >> shift);
  lane.gemm(w)(w.base, aOff, ta === 'n' ? k : 1, ta === 'n' ? 1 : m, bOff, tb === 'n' ? n : 1, tb === 'n' ? 1 : k, m, k, n, work);
  let view = views.out.get(nc);
  if (view === undefined) {
    view = lane.make(w.exports.memory.buffer, w.base, nc);
    views.out.set(nc, view);
  }
  out.set(view);
  return true;
}

/** Elements per chunk when streaming long vectors through the module (the arrays of one chunk stay in L2; fewer, longer copies). */
const CHUNK = 4096;

function chunksOf<A extends Float64Array | Float32Array>(lane: Lane<A>, w: WasmKernels, a: Readonly<A>): A[] {
  const cached = lane.views(w).chunks;
  let views = cached.get(a);
  if (views === undefined) {
    views = [];
    for (let i = 0; i < a.length; i += CHUNK) views.push((a as A).subarray(i, Math.min(i + CHUNK, a.length)) as A);
    cached.set(a, views);
  }
  return views;
}

function scratchView<A extends Float64Array | Float32Array>(lane: Lane<A>, w: WasmKernels, offset: number, n: number): A {
  const key = offset * 8192 + n;
  const cached = lane.views(w).scratch;
  let view = cached.get(key);
  if (view === undefined) {
    view = lane.make(w.exports.memory.buffer, offset, n);
    cached.set(key, view);
  }
  return view;
}

/**
 * One Adam step in place on the WebAssembly kernels (`f64x2`), streaming `updates` (gradients in,
 * updates out), `mu` and `nu` through the module in chunks of 4096; bit-identical to
 * scaleByAdam's JavaScript loop. Returns false (and does nothing) when the kernels are
 * unavailable or the lengths differ.
 */
export function adamWasm64(
  updates: Float64Array,
  mu: Float64Array,
  nu: Float64Array,
  b1: number,
  b2: number,
  c1: number,
  c2: number,
  eps: number,
): boolean {
  const w = cache.kernels === undefined ? loadSync() : cache.kernels;
  if (w === null || mu.length !== updates.length || nu.length !== updates.length) return false;
  const g = w.base;
  const m = g + CHUNK * 8;
  const v = m + CHUNK * 8;
  if (!reserve(w, v + CHUNK * 8)) return false;
  const f64 = w.l64.heap;
  const gs = chunksOf(LANE64, w, updates);
  const ms = chunksOf(LANE64, w, mu);
  const vs = chunksOf(LANE64, w, nu);
  for (let c = 0; c < gs.length; c++) {
    const gc = gs[c]!;
    const mc = ms[c]!;
    const vc = vs[c]!;
    const n = gc.length;
    f64.set(gc, g >> 3);
    f64.set(mc, m >> 3);
    f64.set(vc, v >> 3);
    w.exports.adam64(g, m, v, n, b1, b2, c1, c2, eps);
    gc.set(scratchView(LANE64, w, g, n));
    mc.set(scratchView(LANE64, w, m, n));
    vc.set(scratchView(LANE64, w, v, n));
  }
  return true;
}

/**
 * One float32 Adam step fused with the parameter update, in place (`f32x4`):
 * `m ← β₁m + (1−β₁)g`, `v ← β₂v + (1−β₂)g²`, `p ← p − lr·(m/c1)/(√(v/c2) + ε)`, all in float32.
 * Streams `params`, `grads`, `mu`, `nu` through the module in chunks of 4096. Returns false (and
 * does nothing) when the kernels are unavailable or the lengths differ.
 */
export function adamApplyWasm32(
  params: Float32Array,
  grads: Readonly<Float32Array>,
  mu: Float32Array,
  nu: Float32Array,
  b1: number,
  b2: number,
  c1: number,
  c2: number,
  eps: number,
  lr: number,
): boolean {
  return adamApply(LANE32, (w) => w.exports.adamApply32, params, grads, mu, nu, b1, b2, c1, c2, eps, lr);
}

/**
 * Adam, its learning rate and the parameter update in one pass (`f64x2`), in place:
 * `u = (m/c1)/(√(v/c2) + ε)` with the moments advanced as in {@link adamWasm64}, then
 * `params += u·k` (`k = −lr`). The same operations as the chain `scaleByAdam` →
 * `scaleByLearningRate` → `applyUpdates`, so bit-identical to it, reading and writing each array
 * once instead of three times. `grads` is left unchanged. Adam's one-pass kernel (src/core/optimizers/fused) runs on it.
 */
export function adamApplyWasm64(
  params: Float64Array,
  grads: Readonly<Float64Array>,
  mu: Float64Array,
  nu: Float64Array,
  b1: number,
  b2: number,
  c1: number,
  c2: number,
  eps: number,
  k: number,
): boolean {
  return adamApply(LANE64, (w) => w.exports.adamApply64, params, grads, mu, nu, b1, b2, c1, c2, eps, k);
}

/** Streams `params`, `grads`, `mu`, `nu` through the module in chunks and runs `kernel` on each (the last scalar as the kernel takes it). */
function adamApply<A extends Float64Array | Float32Array>(
  lane: Lane<A>,
  kernel: (w: WasmKernels) => KernelExports['adamApply64'],
  params: A,
  grads: Readonly<A>,
  mu: A,
  nu: A,
  b1: number,
  b2: number,
  c1: number,
  c2: number,
  eps: number,
  last: number,
): boolean {
  const w = cache.kernels === undefined ? loadSync() : cache.kernels;
  const n = params.length;
  if (w === null || grads.length !== n || mu.length !== n || nu.length !== n) return false;
  const shift = lane.shift;
  const p = w.base;
  const g = p + (CHUNK << shift);
  const m = g + (CHUNK << shift);
  const v = m + (CHUNK << shift);
  if (!reserve(w, v + (CHUNK << shift))) return false;
  const heap = lane.views(w).heap;
  const run = kernel(w);
  const ps = chunksOf(lane, w, params);
  const gs = chunksOf(lane, w, grads);
  const ms = chunksOf(lane, w, mu);
  const vs = chunksOf(lane, w, nu);
  for (let c = 0; c < ps.length; c++) {
    const pc = ps[c]!;
    const mc = ms[c]!;
    const vc = vs[c]!;
    const len = pc.length;
    heap.set(pc, p >> shift);
    heap.set(gs[c]!, g >> shift);
    heap.set(mc, m >> shift);
    heap.set(vc, v >> shift);
    run(p, g, m, v, len, b1, b2, c1, c2, eps, last);
    pc.set(scratchView(lane, w, p, len));
    mc.set(scratchView(lane, w, m, len));
    vc.set(scratchView(lane, w, v, len));
  }
  return true;
}

/** The kernels on a shared memory: offsets are byte offsets into that memory; `base` is its first free byte. */
export interface SharedKernels {
  readonly exports: Pick<KernelExports, 'adamApply64' | 'adamApply32' | 'sum2_64' | 'addScaled64' | 'sum2_32' | 'addScaled32'>;
  readonly base: number;
}

/** The shared-memory variant of the module, compiled once per realm; null where it cannot be. */
function sharedModule(): object | null {
  if (cache.shared !== undefined) return cache.shared;
  const wasm = api();
  try {
    cache.shared = wasm === undefined ? null : new wasm.Module(decode(kernelsSharedWasm));
  } catch {
    cache.shared = null; // no SIMD, threads or synchronous compilation
  }
  return cache.shared;
}

/**
 * A shared WebAssembly memory of at least `bytes` on which {@link kernelsOn} runs the kernels in
 * place (the data-parallel pool keeps its weights, gradients and optimizer state there), or null
 * where there is none (no WebAssembly SIMD or threads, or no shared memory: a page that is not
 * cross-origin isolated).
 */
export function sharedKernelMemory(bytes: number): WasmMemory | null {
  const wasm = api();
  if (wasm === undefined || sharedModule() === null) return null;
  const pages = Math.max(1, Math.ceil(bytes / 65536));
  try {
    return new wasm.Memory({ initial: pages, maximum: pages, shared: true });
  } catch {
    return null;
  }
}

/**
 * The compiled kernels modules of this realm (compiling them if needed; null where unavailable),
 * to hand to new threads: a module passed to a thread shares its compiled — already optimized —
 * code, where a thread compiling the same bytes itself would run baseline code for a long while
 * (measured here: a 32×784·784×128 product at 0.55 ms instead of 0.33 for its first 30 calls).
 */
export function kernelModules(): KernelModules {
  const k = wasmKernels();
  return { kernels: k === null ? null : k.module, shared: sharedModule() };
}

/** The compiled modules {@link kernelModules} hands over (`WebAssembly.Module`s). */
export interface KernelModules {
  readonly kernels: object | null;
  readonly shared: object | null;
}

/**
 * Adopts the compiled modules of another thread ({@link kernelModules}) as this realm's, unless it
 * has loaded its own already. Returns nothing; where a module cannot be instantiated here the
 * kernels load as usual.
 */
export function adoptKernelModules(modules: KernelModules): void {
  const wasm = api();
  if (wasm === undefined) return;
  if (cache.shared === undefined && modules.shared !== null) cache.shared = modules.shared;
  if (cache.kernels === undefined && modules.kernels !== null) {
    try {
      cache.kernels = instantiate(wasm, modules.kernels);
    } catch {
      // loads from its own bytes on first use
    }
  }
}

/** The kernels instantiated on a memory from {@link sharedKernelMemory} (one instance per thread), or null. */
export function kernelsOn(memory: WasmMemory): SharedKernels | null {
  const wasm = api();
  const module = sharedModule();
  if (wasm === undefined || module === null) return null;
  try {
    const exports = new wasm.Instance(module, { env: { memory } }).exports as KernelExports;
    return { exports, base: exports.heapBase() };
  } catch {
    return null;
  }
}
