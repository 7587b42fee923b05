import type { Initializer } from './initializers.js';

/**
 * Orthogonal initializer (Keras' `Orthogonal`, the default of recurrent kernels): a `[fanIn,
 * fanOut]` matrix with orthonormal rows or columns (whichever are fewer), the `Q` factor of a
 * matrix of standard normal deviates with the signs fixed so that `R` has a positive diagonal
 * (Gram–Schmidt), as Keras makes it.
 *
 * @example
 * import { createRng, orthogonal } from 'gradstream';
 * const U = new Float64Array(4 * 12);
 * orthogonal(U, 4, 12, createRng(1)); // 4 orthonormal rows of 12
 */
export const orthogonal: Initializer = (out, fanIn, fanOut, rng) => {
  const n = Math.max(fanIn, fanOut);
  const m = Math.min(fanIn, fanOut);
  const q = new Float64Array(n * m); // n × m, columns made orthonormal in place
  for (let i = 0; i < q.length; i++) q[i] = rng.normal();
  for (let j = 0; j < m; j++) {
    for (let k = 0; k < j; k++) {
      let dot = 0;
      for (let i = 0; i < n; i++) dot += q[i * m + k]! * q[i * m + j]!;
      for (let i = 0; i < n; i++) q[i * m + j]! -= dot * q[i * m + k]!;
    }
    let norm = 0;
    for (let i = 0; i < n; i++) norm += q[i * m + j]! * q[i * m + j]!;
    const s = 1 / Math.sqrt(norm);
    for (let i = 0; i < n; i++) q[i * m + j]! *= s;
  }
  for (let r = 0; r < fanIn; r++) {
    for (let c = 0; c < fanOut; c++) out[r * fanOut + c] = fanIn >= fanOut ? q[r * m + c]! : q[c * m + r]!;
  }
};
