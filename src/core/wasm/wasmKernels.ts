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
import { kernelsWasm } from './kernelsWasm.js';

/** The module's exports (see asm/kernels.ts). Offsets and sizes are in bytes. */
interface KernelExports {
  readonly memory: WasmMemory;
  heapBase(): number;
  workBytes(m: number, n: number, double: number): number;
  gemm64(c: number, a: number, rsA: number, csA: number, b: number, rsB: number, csB: number, m: number, k: number, n: number, work: number): void;
  gemm32(c: number, a: number, rsA: number, csA: number, b: number, rsB: number, csB: number, m: number, k: number, n: number, work: number): void;
  adam64(g: number, m: number, v: number, n: number, b1: number, b2: number, c1: number, c2: number, eps: number): void;
  adamApply64(p: number, g: number, m: number, v: number, n: number, b1: number, b2: number, c1: number, c2: number, eps: number, k: number): void;
  adamApply32(p: number, g: number, m: number, v: number, n: number, b1: number, b2: number, c1: number, c2: number, eps: number, lr: number): void;
}

interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}

/** The part of the global `WebAssembly` object used here (the project's `lib` has no DOM types). */
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { readonly exports: unknown };
  compile(bytes: Uint8Array): Promise<object>;
}

/** A loaded instance with its scratch memory views (re-created when memory grows). */
export interface WasmKernels {
  readonly exports: KernelExports;
  /** First free byte, 16-aligned: results are written here, operands and scratch after. */
  readonly base: number;
  f64: Float64Array;
  f32: Float32Array;
  /** Views of the result area `[base, base + n·8)` by `n`, so reading a result allocates nothing. */
  readonly out64: Map<number, Float64Array>;
  readonly out32: Map<number, Float32Array>;
  /** Views of scratch `[offset, offset + n·8)` by `offset · 8192 + n` (n ≤ {@link CHUNK}). */
  readonly scratch64: Map<number, Float64Array>;
  /** Chunk views of caller arrays streamed through the module (optimizer state, updates). */
  readonly chunks: WeakMap<Readonly<Float64Array>, Float64Array[]>;
  readonly scratch32: Map<number, Float32Array>;
  readonly chunks32: WeakMap<Readonly<Float32Array>, Float32Array[]>;
}

/** How to read op(X) from a row-major array: `'n'` as stored, `'t'` transposed. */
export type Trans = 'n' | 't';

const cache: { kernels: WasmKernels | null | undefined } = { kernels: undefined };

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
  return {
    exports,
    base,
    f64: new Float64Array(exports.memory.buffer),
    f32: new Float32Array(exports.memory.buffer),
    out64: new Map(),
    out32: new Map(),
    scratch64: new Map(),
    chunks: new WeakMap(),
    scratch32: new Map(),
    chunks32: new WeakMap(),
  };
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
 * import { initKernels } from 'gradstream';
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
  k.f64 = new Float64Array(k.exports.memory.buffer);
  k.f32 = new Float32Array(k.exports.memory.buffer);
  k.out64.clear();
  k.out32.clear();
  k.scratch64.clear();
  k.scratch32.clear();
  return true;
}

const align16 = (n: number): number => (n + 15) & ~15;

/**
 * `out[m×n] = op(a)·op(b)` in float64 on the WebAssembly kernels, `op(a)` of shape `m×k` and
 * `op(b)` of shape `k×n`. Copies `a` and `b` into the module's memory and the result back.
 * Returns false (and does nothing) when the kernels are unavailable or an operand is shorter than
 * its shape; the caller then computes with JavaScript.
 */
export function gemmWasm64(out: Float64Array, a: Readonly<Float64Array>, b: Readonly<Float64Array>, m: number, k: number, n: number, ta: Trans, tb: Trans): boolean {
  const w = cache.kernels === undefined ? loadSync() : cache.kernels;
  if (w === null) return false;
  const na = m * k;
  const nb = k * n;
  const nc = m * n;
  if (a.length < na || b.length < nb || out.length < nc) return false;
  const aOff = w.base + align16(nc * 8);
  const bOff = aOff + align16(na * 8);
  const work = bOff + align16(nb * 8);
  if (!reserve(w, work + w.exports.workBytes(m, n, 1))) return false;
  const f64 = w.f64;
  f64.set(a.length === na ? a : a.subarray(0, na), aOff >> 3);
  f64.set(b.length === nb ? b : b.subarray(0, nb), bOff >> 3);
  w.exports.gemm64(w.base, aOff, ta === 'n' ? k : 1, ta === 'n' ? 1 : m, bOff, tb === 'n' ? n : 1, tb === 'n' ? 1 : k, m, k, n, work);
  let view = w.out64.get(nc);
  if (view === undefined) {
    view = new Float64Array(w.exports.memory.buffer, w.base, nc);
    w.out64.set(nc, view);
  }
  out.set(view);
  return true;
}

/** {@link gemmWasm64} in float32 (`f32x4` lanes). */
export function gemmWasm32(out: Float32Array, a: Readonly<Float32Array>, b: Readonly<Float32Array>, m: number, k: number, n: number, ta: Trans, tb: Trans): boolean {
  const w = cache.kernels === undefined ? loadSync() : cache.kernels;
  if (w === null) return false;
  const na = m * k;
  const nb = k * n;
  const nc = m * n;
  if (a.length < na || b.length < nb || out.length < nc) return false;
  const aOff = w.base + align16(nc * 4);
  const bOff = aOff + align16(na * 4);
  const work = bOff + align16(nb * 4);
  if (!reserve(w, work + w.exports.workBytes(m, n, 0))) return false;
  const f32 = w.f32;
  f32.set(a.length === na ? a : a.subarray(0, na), aOff >> 2);
  f32.set(b.length === nb ? b : b.subarray(0, nb), bOff >> 2);
  w.exports.gemm32(w.base, aOff, ta === 'n' ? k : 1, ta === 'n' ? 1 : m, bOff, tb === 'n' ? n : 1, tb === 'n' ? 1 : k, m, k, n, work);
  let view = w.out32.get(nc);
  if (view === undefined) {
    view = new Float32Array(w.exports.memory.buffer, w.base, nc);
    w.out32.set(nc, view);
  }
  out.set(view);
  return true;
}

/** Elements per chunk when streaming long vectors through the module (the arrays of one chunk stay in L2; fewer, longer copies). */
const CHUNK = 4096;

function chunksOf(w: WasmKernels, a: Readonly<Float64Array>): Float64Array[] {
  let views = w.chunks.get(a);
  if (views === undefined) {
    views = [];
    for (let i = 0; i < a.length; i += CHUNK) views.push((a as Float64Array).subarray(i, Math.min(i + CHUNK, a.length)));
    w.chunks.set(a, views);
  }
  return views;
}

function scratchView(w: WasmKernels, offset: number, n: number): Float64Array {
  const key = offset * 8192 + n;
  let view = w.scratch64.get(key);
  if (view === undefined) {
    view = new Float64Array(w.exports.memory.buffer, offset, n);
    w.scratch64.set(key, view);
  }
  return view;
}

/**
 * One Adam step in place on the WebAssembly kernels (`f64x2`), streaming `updates` (gradients in,
 * updates out), `mu` and `nu` through the module in chunks of 4096; bit-identical to
 * scaleByAdam's JavaScript loop. Returns false (and does nothing) when the kernels are
 * unavailable or the lengths differ.
 */
export function adamWasm64(updates: Float64Array, mu: Float64Array, nu: Float64Array, b1: number, b2: number, c1: number, c2: number, eps: number): boolean {
  const w = cache.kernels === undefined ? loadSync() : cache.kernels;
  if (w === null || mu.length !== updates.length || nu.length !== updates.length) return false;
  const g = w.base;
  const m = g + CHUNK * 8;
  const v = m + CHUNK * 8;
  if (!reserve(w, v + CHUNK * 8)) return false;
  const f64 = w.f64;
  const gs = chunksOf(w, updates);
  const ms = chunksOf(w, mu);
  const vs = chunksOf(w, nu);
  for (let c = 0; c < gs.length; c++) {
    const gc = gs[c]!;
    const mc = ms[c]!;
    const vc = vs[c]!;
    const n = gc.length;
    f64.set(gc, g >> 3);
    f64.set(mc, m >> 3);
    f64.set(vc, v >> 3);
    w.exports.adam64(g, m, v, n, b1, b2, c1, c2, eps);
    gc.set(scratchView(w, g, n));
    mc.set(scratchView(w, m, n));
    vc.set(scratchView(w, v, n));
  }
  return true;
}

function chunksOf32(w: WasmKernels, a: Readonly<Float32Array>): Float32Array[] {
  let views = w.chunks32.get(a);
  if (views === undefined) {
    views = [];
    for (let i = 0; i < a.length; i += CHUNK) views.push((a as Float32Array).subarray(i, Math.min(i + CHUNK, a.length)));
    w.chunks32.set(a, views);
  }
  return views;
}

function scratchView32(w: WasmKernels, offset: number, n: number): Float32Array {
  const key = offset * 8192 + n;
  let view = w.scratch32.get(key);
  if (view === undefined) {
    view = new Float32Array(w.exports.memory.buffer, offset, n);
    w.scratch32.set(key, view);
  }
  return view;
}

/**
 * One float32 Adam step fused with the parameter update, in place (`f32x4`):
 * `m ← β₁m + (1−β₁)g`, `v ← β₂v + (1−β₂)g²`, `p ← p − lr·(m/c1)/(√(v/c2) + ε)`, all in float32.
 * Streams `params`, `grads`, `mu`, `nu` through the module in chunks of 4096. Returns false (and
 * does nothing) when the kernels are unavailable or the lengths differ.
 */
export function adamApplyWasm32(params: Float32Array, grads: Readonly<Float32Array>, mu: Float32Array, nu: Float32Array, b1: number, b2: number, c1: number, c2: number, eps: number, lr: number): boolean {
  const w = cache.kernels === undefined ? loadSync() : cache.kernels;
  const n = params.length;
  if (w === null || grads.length !== n || mu.length !== n || nu.length !== n) return false;
  const p = w.base;
  const g = p + CHUNK * 4;
  const m = g + CHUNK * 4;
  const v = m + CHUNK * 4;
  if (!reserve(w, v + CHUNK * 4)) return false;
  const f32 = w.f32;
  const ps = chunksOf32(w, params);
  const gs = chunksOf32(w, grads);
  const ms = chunksOf32(w, mu);
  const vs = chunksOf32(w, nu);
  for (let c = 0; c < ps.length; c++) {
    const pc = ps[c]!;
    const mc = ms[c]!;
    const vc = vs[c]!;
    const len = pc.length;
    f32.set(pc, p >> 2);
    f32.set(gs[c]!, g >> 2);
    f32.set(mc, m >> 2);
    f32.set(vc, v >> 2);
    w.exports.adamApply32(p, g, m, v, len, b1, b2, c1, c2, eps, lr);
    pc.set(scratchView32(w, p, len));
    mc.set(scratchView32(w, m, len));
    vc.set(scratchView32(w, v, len));
  }
  return true;
}

/**
 * Adam, its learning rate and the parameter update in one pass (`f64x2`), in place:
 * `u = (m/c1)/(√(v/c2) + ε)` with the moments advanced as in {@link adamWasm64}, then
 * `params += u·k` (`k = −lr`). The same operations as the chain `scaleByAdam` →
 * `scaleByLearningRate` → `applyUpdates`, so bit-identical to it, reading and writing each array
 * once instead of three times. `grads` is left unchanged. `adam()`'s `fusedApply` runs on it.
 */
export function adamApplyWasm64(params: Float64Array, grads: Readonly<Float64Array>, mu: Float64Array, nu: Float64Array, b1: number, b2: number, c1: number, c2: number, eps: number, k: number): boolean {
  const w = cache.kernels === undefined ? loadSync() : cache.kernels;
  const n = params.length;
  if (w === null || grads.length !== n || mu.length !== n || nu.length !== n) return false;
  const p = w.base;
  const g = p + CHUNK * 8;
  const m = g + CHUNK * 8;
  const v = m + CHUNK * 8;
  if (!reserve(w, v + CHUNK * 8)) return false;
  const f64 = w.f64;
  const ps = chunksOf(w, params);
  const gs = chunksOf(w, grads);
  const ms = chunksOf(w, mu);
  const vs = chunksOf(w, nu);
  for (let c = 0; c < ps.length; c++) {
    const pc = ps[c]!;
    const mc = ms[c]!;
    const vc = vs[c]!;
    const len = pc.length;
    f64.set(pc, p >> 3);
    f64.set(gs[c]!, g >> 3);
    f64.set(mc, m >> 3);
    f64.set(vc, v >> 3);
    w.exports.adamApply64(p, g, m, v, len, b1, b2, c1, c2, eps, k);
    pc.set(scratchView(w, p, len));
    mc.set(scratchView(w, m, len));
    vc.set(scratchView(w, v, len));
  }
  return true;
}
