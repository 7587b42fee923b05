// gradstream's WebAssembly SIMD matrix kernels (AssemblyScript; built by scripts/build-wasm.mjs).
//
// One general matrix product C = op(A)·op(B), BLIS style: op(B) is packed in blocks of KC rows
// into panels 4 (f64) or 8 (f32) columns wide, op(A) in blocks of MC×KC into panels 4 rows high,
// and a 4×4 f64x2 (4×8 f32x4) register tile of 8 vector accumulators runs over each pair of
// panels. (A 3×6 tile of 9 accumulators measured 11 GFLOP/s here against 23 for 4×4: V8 spills.) Transposes are strides: element (i, k) of op(A) is at a + (i·rsA + k·csA) elements,
// element (k, j) of op(B) at b + (k·rsB + j·csB).
//
// Every entry of C is summed over k in order, one multiply and one add per term (no FMA: relaxed
// SIMD is not available unflagged), and the accumulators of the next KC block start from the
// previous block's partial sums: the results are bit-identical to the naive triple loop and to
// the JavaScript kernels in src/core/kernels.ts.
//
// Memory is managed by the caller (src/core/wasm/wasmKernels.ts): it copies the operands to
// `work`-sized scratch above heapBase() and reads C back. Nothing here allocates.

const KC64: i32 = 256;
const KC32: i32 = 512;
const MC: i32 = 96; // a multiple of 4

/** First byte the caller may use. */
export function heapBase(): usize {
  return (__heap_base + 15) & ~(<usize>15);
}

@inline function roundUp(n: i32, m: i32): i32 {
  return ((n + m - 1) / m) * m;
}

/** Bytes of scratch `gemm64`/`gemm32` need after `work` for an M×N result. */
export function workBytes(M: i32, N: i32, double: bool): usize {
  const Mp = roundUp(M, 4);
  if (double) {
    const Np = roundUp(N, 4);
    return <usize>(Mp * Np + MC * KC64 + KC64 * Np) * 8 + 64;
  }
  const Np = roundUp(N, 8);
  return <usize>(Mp * Np + MC * KC32 + KC32 * Np) * 4 + 64;
}

// ---------------------------------------------------------------------------------------------
// float64: 4×4 tile of f64x2

/** Packs rows [i0, i0+mc) × columns [p0, p0+kc) of op(A) into panels of 4 rows (zero padded). */
function packA64(dst: usize, a: usize, rs: i32, cs: i32, i0: i32, mc: i32, M: i32, p0: i32, kc: i32): void {
  const step = <usize>cs << 3;
  for (let ir = 0; ir < mc; ir += 4) {
    const panel = dst + ((<usize>ir * kc) << 3);
    for (let r = 0; r < 4; r++) {
      const i = i0 + ir + r;
      let d = panel + (<usize>r << 3);
      if (i < M) {
        let s = a + ((<usize>i * rs + <usize>p0 * cs) << 3);
        for (let k = 0; k < kc; k++) {
          store<f64>(d, load<f64>(s));
          d += 32;
          s += step;
        }
      } else {
        for (let k = 0; k < kc; k++) {
          store<f64>(d, 0);
          d += 32;
        }
      }
    }
  }
}

/** Packs rows [p0, p0+kc) of op(B) into panels of 4 columns (zero padded to Np). */
function packB64(dst: usize, b: usize, rs: i32, cs: i32, p0: i32, kc: i32, N: i32): void {
  const Np = roundUp(N, 4);
  for (let jr = 0; jr < Np; jr += 4) {
    let d = dst + ((<usize>jr * kc) << 3);
    if (cs == 1 && jr + 4 <= N) {
      let s = b + ((<usize>p0 * rs + jr) << 3);
      const step = <usize>rs << 3;
      for (let k = 0; k < kc; k++) {
        v128.store(d, v128.load(s));
        v128.store(d, v128.load(s, 16), 16);
        d += 32;
        s += step;
      }
    } else {
      for (let k = 0; k < kc; k++) {
        const row = b + ((<usize>(p0 + k) * rs) << 3);
        for (let c = 0; c < 4; c++) {
          const j = jr + c;
          store<f64>(d + (<usize>c << 3), j < N ? load<f64>(row + ((<usize>j * cs) << 3)) : 0);
        }
        d += 32;
      }
    }
  }
}

/** The register tile: C[4×4] (row stride ldc bytes) = (acc ? C : 0) + Ap·Bp over kc. */
@inline function tile64(ap: usize, bp: usize, kc: i32, c: usize, ldc: usize, acc: bool): void {
  let c00 = f64x2.splat(0), c01 = f64x2.splat(0), c10 = f64x2.splat(0), c11 = f64x2.splat(0);
  let c20 = f64x2.splat(0), c21 = f64x2.splat(0), c30 = f64x2.splat(0), c31 = f64x2.splat(0);
  const c1 = c + ldc;
  const c2 = c1 + ldc;
  const c3 = c2 + ldc;
  if (acc) {
    c00 = v128.load(c); c01 = v128.load(c, 16);
    c10 = v128.load(c1); c11 = v128.load(c1, 16);
    c20 = v128.load(c2); c21 = v128.load(c2, 16);
    c30 = v128.load(c3); c31 = v128.load(c3, 16);
  }
  const end = ap + <usize>kc * 32;
  while (ap < end) {
    const b0 = v128.load(bp);
    const b1 = v128.load(bp, 16);
    let x = v128.load64_splat(ap);
    c00 = f64x2.add(c00, f64x2.mul(x, b0));
    c01 = f64x2.add(c01, f64x2.mul(x, b1));
    x = v128.load64_splat(ap, 8);
    c10 = f64x2.add(c10, f64x2.mul(x, b0));
    c11 = f64x2.add(c11, f64x2.mul(x, b1));
    x = v128.load64_splat(ap, 16);
    c20 = f64x2.add(c20, f64x2.mul(x, b0));
    c21 = f64x2.add(c21, f64x2.mul(x, b1));
    x = v128.load64_splat(ap, 24);
    c30 = f64x2.add(c30, f64x2.mul(x, b0));
    c31 = f64x2.add(c31, f64x2.mul(x, b1));
    ap += 32;
    bp += 32;
  }
  v128.store(c, c00); v128.store(c, c01, 16);
  v128.store(c1, c10); v128.store(c1, c11, 16);
  v128.store(c2, c20); v128.store(c2, c21, 16);
  v128.store(c3, c30); v128.store(c3, c31, 16);
}

/** C[M×N] (contiguous, at c) = op(A)·op(B) in float64; `work` holds workBytes(M, N, true). */
export function gemm64(c: usize, a: usize, rsA: i32, csA: i32, b: usize, rsB: i32, csB: i32, M: i32, K: i32, N: i32, work: usize): void {
  if (K == 0) {
    memory.fill(c, 0, (<usize>M * N) << 3);
    return;
  }
  const Np = roundUp(N, 4);
  const ldc = <usize>Np << 3;
  const cp = (work + 15) & ~(<usize>15);
  const Mp = roundUp(M, 4);
  const ap = cp + ((<usize>Mp * Np) << 3);
  const bp = ap + ((<usize>MC * KC64) << 3);
  for (let p0 = 0; p0 < K; p0 += KC64) {
    const kc = min(KC64, K - p0);
    packB64(bp, b, rsB, csB, p0, kc, N);
    for (let i0 = 0; i0 < M; i0 += MC) {
      const mc = roundUp(min(MC, M - i0), 4);
      packA64(ap, a, rsA, csA, i0, mc, M, p0, kc);
      for (let jr = 0; jr < Np; jr += 4) {
        const bpanel = bp + ((<usize>jr * kc) << 3);
        for (let ir = 0; ir < mc; ir += 4) {
          tile64(ap + ((<usize>ir * kc) << 3), bpanel, kc, cp + ((<usize>(i0 + ir) * Np + jr) << 3), ldc, p0 > 0);
        }
      }
    }
  }
  const rowBytes = <usize>N << 3;
  for (let i = 0; i < M; i++) memory.copy(c + <usize>i * rowBytes, cp + <usize>i * ldc, rowBytes);
}

// ---------------------------------------------------------------------------------------------
// float32: 4×8 tile of f32x4

/** Packs rows [i0, i0+mc) × columns [p0, p0+kc) of op(A) into panels of 4 rows (zero padded). */
function packA32(dst: usize, a: usize, rs: i32, cs: i32, i0: i32, mc: i32, M: i32, p0: i32, kc: i32): void {
  const step = <usize>cs << 2;
  for (let ir = 0; ir < mc; ir += 4) {
    const panel = dst + ((<usize>ir * kc) << 2);
    for (let r = 0; r < 4; r++) {
      const i = i0 + ir + r;
      let d = panel + (<usize>r << 2);
      if (i < M) {
        let s = a + ((<usize>i * rs + <usize>p0 * cs) << 2);
        for (let k = 0; k < kc; k++) {
          store<f32>(d, load<f32>(s));
          d += 16;
          s += step;
        }
      } else {
        for (let k = 0; k < kc; k++) {
          store<f32>(d, 0);
          d += 16;
        }
      }
    }
  }
}

/** Packs rows [p0, p0+kc) of op(B) into panels of 8 columns (zero padded to Np). */
function packB32(dst: usize, b: usize, rs: i32, cs: i32, p0: i32, kc: i32, N: i32): void {
  const Np = roundUp(N, 8);
  for (let jr = 0; jr < Np; jr += 8) {
    let d = dst + ((<usize>jr * kc) << 2);
    if (cs == 1 && jr + 8 <= N) {
      let s = b + ((<usize>p0 * rs + jr) << 2);
      const step = <usize>rs << 2;
      for (let k = 0; k < kc; k++) {
        v128.store(d, v128.load(s));
        v128.store(d, v128.load(s, 16), 16);
        d += 32;
        s += step;
      }
    } else {
      for (let k = 0; k < kc; k++) {
        const row = b + ((<usize>(p0 + k) * rs) << 2);
        for (let c = 0; c < 8; c++) {
          const j = jr + c;
          store<f32>(d + (<usize>c << 2), j < N ? load<f32>(row + ((<usize>j * cs) << 2)) : 0);
        }
        d += 32;
      }
    }
  }
}

/** The register tile: C[4×8] (row stride ldc bytes) = (acc ? C : 0) + Ap·Bp over kc. */
@inline function tile32(ap: usize, bp: usize, kc: i32, c: usize, ldc: usize, acc: bool): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0), c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  const c1 = c + ldc;
  const c2 = c1 + ldc;
  const c3 = c2 + ldc;
  if (acc) {
    c00 = v128.load(c); c01 = v128.load(c, 16);
    c10 = v128.load(c1); c11 = v128.load(c1, 16);
    c20 = v128.load(c2); c21 = v128.load(c2, 16);
    c30 = v128.load(c3); c31 = v128.load(c3, 16);
  }
  const end = ap + <usize>kc * 16;
  while (ap < end) {
    const b0 = v128.load(bp);
    const b1 = v128.load(bp, 16);
    let x = v128.load32_splat(ap);
    c00 = f32x4.add(c00, f32x4.mul(x, b0));
    c01 = f32x4.add(c01, f32x4.mul(x, b1));
    x = v128.load32_splat(ap, 4);
    c10 = f32x4.add(c10, f32x4.mul(x, b0));
    c11 = f32x4.add(c11, f32x4.mul(x, b1));
    x = v128.load32_splat(ap, 8);
    c20 = f32x4.add(c20, f32x4.mul(x, b0));
    c21 = f32x4.add(c21, f32x4.mul(x, b1));
    x = v128.load32_splat(ap, 12);
    c30 = f32x4.add(c30, f32x4.mul(x, b0));
    c31 = f32x4.add(c31, f32x4.mul(x, b1));
    ap += 16;
    bp += 32;
  }
  v128.store(c, c00); v128.store(c, c01, 16);
  v128.store(c1, c10); v128.store(c1, c11, 16);
  v128.store(c2, c20); v128.store(c2, c21, 16);
  v128.store(c3, c30); v128.store(c3, c31, 16);
}

/** C[M×N] (contiguous, at c) = op(A)·op(B) in float32; `work` holds workBytes(M, N, false). */
export function gemm32(c: usize, a: usize, rsA: i32, csA: i32, b: usize, rsB: i32, csB: i32, M: i32, K: i32, N: i32, work: usize): void {
  if (K == 0) {
    memory.fill(c, 0, (<usize>M * N) << 2);
    return;
  }
  const Np = roundUp(N, 8);
  const ldc = <usize>Np << 2;
  const cp = (work + 15) & ~(<usize>15);
  const Mp = roundUp(M, 4);
  const ap = cp + ((<usize>Mp * Np) << 2);
  const bp = ap + ((<usize>MC * KC32) << 2);
  for (let p0 = 0; p0 < K; p0 += KC32) {
    const kc = min(KC32, K - p0);
    packB32(bp, b, rsB, csB, p0, kc, N);
    for (let i0 = 0; i0 < M; i0 += MC) {
      const mc = roundUp(min(MC, M - i0), 4);
      packA32(ap, a, rsA, csA, i0, mc, M, p0, kc);
      for (let jr = 0; jr < Np; jr += 8) {
        const bpanel = bp + ((<usize>jr * kc) << 2);
        for (let ir = 0; ir < mc; ir += 4) {
          tile32(ap + ((<usize>ir * kc) << 2), bpanel, kc, cp + ((<usize>(i0 + ir) * Np + jr) << 2), ldc, p0 > 0);
        }
      }
    }
  }
  const rowBytes = <usize>N << 2;
  for (let i = 0; i < M; i++) memory.copy(c + <usize>i * rowBytes, cp + <usize>i * ldc, rowBytes);
}

// ---------------------------------------------------------------------------------------------
// Adam (float64), in place on n elements: g holds the gradients on entry and the updates on exit;
// m and v are the moments. The same operations in the same order as scaleByAdam's JavaScript loop
// (IEEE division and square root are correctly rounded), so the results are bit-identical.

export function adam64(g: usize, m: usize, v: usize, n: i32, b1: f64, b2: f64, c1: f64, c2: f64, eps: f64): void {
  const B1 = f64x2.splat(b1);
  const B2 = f64x2.splat(b2);
  const O1 = f64x2.splat(1 - b1);
  const O2 = f64x2.splat(1 - b2);
  const C1 = f64x2.splat(c1);
  const C2 = f64x2.splat(c2);
  const E = f64x2.splat(eps);
  const n2 = n & ~1;
  for (let i = 0; i < n2; i += 2) {
    const off = <usize>i << 3;
    const gi = v128.load(g + off);
    const mi = f64x2.add(f64x2.mul(v128.load(m + off), B1), f64x2.mul(gi, O1));
    const vi = f64x2.add(f64x2.mul(v128.load(v + off), B2), f64x2.mul(f64x2.mul(gi, gi), O2));
    v128.store(m + off, mi);
    v128.store(v + off, vi);
    v128.store(g + off, f64x2.div(f64x2.div(mi, C1), f64x2.add(f64x2.sqrt(f64x2.div(vi, C2)), E)));
  }
  if (n2 < n) {
    const off = <usize>n2 << 3;
    const gi = load<f64>(g + off);
    const mi = load<f64>(m + off) * b1 + gi * (1 - b1);
    const vi = load<f64>(v + off) * b2 + gi * gi * (1 - b2);
    store<f64>(m + off, mi);
    store<f64>(v + off, vi);
    store<f64>(g + off, mi / c1 / (Math.sqrt(vi / c2) + eps));
  }
}

// ---------------------------------------------------------------------------------------------
// Adam (float32), fused with the parameter update, in place on n elements:
// m ← β₁m + (1−β₁)g, v ← β₂v + (1−β₂)g², p ← p − lr · (m/c1) / (√(v/c2) + ε), in f32x4 lanes.

export function adamApply32(p: usize, g: usize, m: usize, v: usize, n: i32, b1: f32, b2: f32, c1: f32, c2: f32, eps: f32, lr: f32): void {
  const B1 = f32x4.splat(b1);
  const B2 = f32x4.splat(b2);
  const O1 = f32x4.splat(1 - b1);
  const O2 = f32x4.splat(1 - b2);
  const C1 = f32x4.splat(c1);
  const C2 = f32x4.splat(c2);
  const E = f32x4.splat(eps);
  const LR = f32x4.splat(lr);
  const n4 = n & ~3;
  for (let i = 0; i < n4; i += 4) {
    const off = <usize>i << 2;
    const gi = v128.load(g + off);
    const mi = f32x4.add(f32x4.mul(v128.load(m + off), B1), f32x4.mul(gi, O1));
    const vi = f32x4.add(f32x4.mul(v128.load(v + off), B2), f32x4.mul(f32x4.mul(gi, gi), O2));
    v128.store(m + off, mi);
    v128.store(v + off, vi);
    const u = f32x4.div(f32x4.div(mi, C1), f32x4.add(f32x4.sqrt(f32x4.div(vi, C2)), E));
    v128.store(p + off, f32x4.sub(v128.load(p + off), f32x4.mul(LR, u)));
  }
  for (let i = n4; i < n; i++) {
    const off = <usize>i << 2;
    const gi = load<f32>(g + off);
    const mi = load<f32>(m + off) * b1 + gi * (1 - b1);
    const vi = load<f32>(v + off) * b2 + gi * gi * (1 - b2);
    store<f32>(m + off, mi);
    store<f32>(v + off, vi);
    store<f32>(p + off, load<f32>(p + off) - lr * (mi / c1 / (Mathf.sqrt(vi / c2) + eps)));
  }
}

// ---------------------------------------------------------------------------------------------
// Adam fused with the learning rate and the parameter update (float64), in place:
// u = (m/c1) / (√(v/c2) + ε) as adam64, then p ← p + u·k with k = −lr: the same operations as
// the chain scaleByAdam → scaleByLearningRate → applyUpdates, so bit-identical to it, in one pass.

export function adamApply64(p: usize, g: usize, m: usize, v: usize, n: i32, b1: f64, b2: f64, c1: f64, c2: f64, eps: f64, k: f64): void {
  const B1 = f64x2.splat(b1);
  const B2 = f64x2.splat(b2);
  const O1 = f64x2.splat(1 - b1);
  const O2 = f64x2.splat(1 - b2);
  const C1 = f64x2.splat(c1);
  const C2 = f64x2.splat(c2);
  const E = f64x2.splat(eps);
  const K = f64x2.splat(k);
  const n2 = n & ~1;
  for (let i = 0; i < n2; i += 2) {
    const off = <usize>i << 3;
    const gi = v128.load(g + off);
    const mi = f64x2.add(f64x2.mul(v128.load(m + off), B1), f64x2.mul(gi, O1));
    const vi = f64x2.add(f64x2.mul(v128.load(v + off), B2), f64x2.mul(f64x2.mul(gi, gi), O2));
    v128.store(m + off, mi);
    v128.store(v + off, vi);
    const u = f64x2.div(f64x2.div(mi, C1), f64x2.add(f64x2.sqrt(f64x2.div(vi, C2)), E));
    v128.store(p + off, f64x2.add(v128.load(p + off), f64x2.mul(u, K)));
  }
  if (n2 < n) {
    const off = <usize>n2 << 3;
    const gi = load<f64>(g + off);
    const mi = load<f64>(m + off) * b1 + gi * (1 - b1);
    const vi = load<f64>(v + off) * b2 + gi * gi * (1 - b2);
    store<f64>(m + off, mi);
    store<f64>(v + off, vi);
    store<f64>(p + off, load<f64>(p + off) + (mi / c1 / (Math.sqrt(vi / c2) + eps)) * k);
  }
}

// ---------------------------------------------------------------------------------------------
// The data-parallel reduction (float64), on slices of the pool's shared memory: the same products
// and sums, in the same order, as the JavaScript loops in src/workers/shardRunner.ts.

/** g[k] = w0·s0[k] + w1·s1[k] for k < n. */
export function sum2_64(g: usize, s0: usize, w0: f64, s1: usize, w1: f64, n: i32): void {
  const W0 = f64x2.splat(w0);
  const W1 = f64x2.splat(w1);
  const n2 = n & ~1;
  for (let i = 0; i < n2; i += 2) {
    const off = <usize>i << 3;
    v128.store(g + off, f64x2.add(f64x2.mul(W0, v128.load(s0 + off)), f64x2.mul(W1, v128.load(s1 + off))));
  }
  if (n2 < n) {
    const off = <usize>n2 << 3;
    store<f64>(g + off, w0 * load<f64>(s0 + off) + w1 * load<f64>(s1 + off));
  }
}

/** g[k] = g[k] + w·s[k] for k < n. */
export function addScaled64(g: usize, s: usize, w: f64, n: i32): void {
  const W = f64x2.splat(w);
  const n2 = n & ~1;
  for (let i = 0; i < n2; i += 2) {
    const off = <usize>i << 3;
    v128.store(g + off, f64x2.add(v128.load(g + off), f64x2.mul(W, v128.load(s + off))));
  }
  if (n2 < n) {
    const off = <usize>n2 << 3;
    store<f64>(g + off, load<f64>(g + off) + w * load<f64>(s + off));
  }
}

// ---------------------------------------------------------------------------------------------
// The data-parallel reduction of a float32 model, on slices of float32 arrays: each element read
// as float64 (exactly), the products and sum in float64, the result rounded once to float32 —
// the roundings of the JavaScript loops in src/workers/shardRunner.ts on float32 arrays.

/** The float64 values of lanes 0–1 and 2–3 of four float32 lanes. */
@inline function low64(a: v128): v128 {
  return f64x2.promote_low_f32x4(a);
}
@inline function high64(a: v128): v128 {
  return f64x2.promote_low_f32x4(i32x4.shuffle(a, a, 2, 3, 2, 3));
}
/** Four float32 lanes from two float64 pairs, each value rounded to nearest. */
@inline function narrow32(lo: v128, hi: v128): v128 {
  return i32x4.shuffle(f32x4.demote_f64x2_zero(lo), f32x4.demote_f64x2_zero(hi), 0, 1, 4, 5);
}

/** g[k] = f32(w0·s0[k] + w1·s1[k]) for k < n (float32 arrays, float64 arithmetic). */
export function sum2_32(g: usize, s0: usize, w0: f64, s1: usize, w1: f64, n: i32): void {
  const W0 = f64x2.splat(w0);
  const W1 = f64x2.splat(w1);
  const n4 = n & ~3;
  for (let i = 0; i < n4; i += 4) {
    const off = <usize>i << 2;
    const a = v128.load(s0 + off);
    const b = v128.load(s1 + off);
    const lo = f64x2.add(f64x2.mul(W0, low64(a)), f64x2.mul(W1, low64(b)));
    const hi = f64x2.add(f64x2.mul(W0, high64(a)), f64x2.mul(W1, high64(b)));
    v128.store(g + off, narrow32(lo, hi));
  }
  for (let i = n4; i < n; i++) {
    const off = <usize>i << 2;
    store<f32>(g + off, <f32>(w0 * <f64>load<f32>(s0 + off) + w1 * <f64>load<f32>(s1 + off)));
  }
}

/** g[k] = f32(g[k] + w·s[k]) for k < n (float32 arrays, float64 arithmetic). */
export function addScaled32(g: usize, s: usize, w: f64, n: i32): void {
  const W = f64x2.splat(w);
  const n4 = n & ~3;
  for (let i = 0; i < n4; i += 4) {
    const off = <usize>i << 2;
    const a = v128.load(g + off);
    const b = v128.load(s + off);
    const lo = f64x2.add(low64(a), f64x2.mul(W, low64(b)));
    const hi = f64x2.add(high64(a), f64x2.mul(W, high64(b)));
    v128.store(g + off, narrow32(lo, hi));
  }
  for (let i = n4; i < n; i++) {
    const off = <usize>i << 2;
    store<f32>(g + off, <f32>(<f64>load<f32>(g + off) + w * <f64>load<f32>(s + off)));
  }
}
