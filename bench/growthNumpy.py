"""numpy peer of bench/growth.ts: W3's training step (784 -> H ReLU -> 10, softmax
cross-entropy, Adam 1e-3) in float64 on one BLAS thread, timed per (batch, hidden) point.

Reads one JSON object on stdin: {"points": [[batch, hidden, steps], ...], "rows": N, "seed": S};
prints one JSON object: {"blas": [...], "results": [{"batch", "hidden", "steps", "wall", "cpu"}]}.
Run by bench/growth.ts with OPENBLAS_NUM_THREADS=1 (and the same for MKL/OMP).
"""
import json
import sys
import time

import numpy as np


def run_point(x, labels, batch, hidden, steps, dtype):
    rng = np.random.default_rng(7)
    n_in, n_out = x.shape[1], 10
    w1 = (rng.standard_normal((n_in, hidden)) * np.sqrt(2.0 / n_in)).astype(dtype)
    b1 = np.zeros(hidden, dtype)
    w2 = (rng.standard_normal((hidden, n_out)) * np.sqrt(2.0 / hidden)).astype(dtype)
    b2 = np.zeros(n_out, dtype)
    params = [w1, b1, w2, b2]
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    lr, beta1, beta2, eps = 1e-3, 0.9, 0.999, 1e-8
    rows = x.shape[0]
    per_epoch = rows // batch
    onehot = np.eye(n_out, dtype=dtype)[labels]

    def step(t, xb, yb):
        h_pre = xb @ w1 + b1
        h = np.maximum(h_pre, 0)
        logits = h @ w2 + b2
        logits -= logits.max(axis=1, keepdims=True)
        e = np.exp(logits)
        p = e / e.sum(axis=1, keepdims=True)
        dlogits = (p - yb) / xb.shape[0]
        g_w2 = h.T @ dlogits
        g_b2 = dlogits.sum(axis=0)
        dh = (dlogits @ w2.T) * (h_pre > 0)
        g_w1 = xb.T @ dh
        g_b1 = dh.sum(axis=0)
        c1 = 1 - beta1 ** t
        c2 = 1 - beta2 ** t
        for prm, g, mm, vv in zip(params, (g_w1, g_b1, g_w2, g_b2), m, v):
            mm *= beta1
            mm += (1 - beta1) * g
            vv *= beta2
            vv += (1 - beta2) * g * g
            prm -= lr * (mm / c1) / (np.sqrt(vv / c2) + eps)

    # warm-up: 3 steps, then the timed ones
    for t in range(1, 4):
        k = (t - 1) % per_epoch
        step(t, x[k * batch:(k + 1) * batch], onehot[k * batch:(k + 1) * batch])
    w0, c0 = time.perf_counter(), time.process_time()
    for t in range(4, 4 + steps):
        k = (t - 1) % per_epoch
        step(t, x[k * batch:(k + 1) * batch], onehot[k * batch:(k + 1) * batch])
    return time.perf_counter() - w0, time.process_time() - c0


def main():
    spec = json.load(sys.stdin)
    rows = spec["rows"]
    rng = np.random.default_rng(spec["seed"])
    x64 = rng.uniform(0, 1, (rows, 784))
    labels = rng.integers(0, 10, rows)
    blas = []
    try:
        from threadpoolctl import threadpool_info
        blas = [{k: i.get(k) for k in ("internal_api", "version", "num_threads", "architecture")} for i in threadpool_info()]
    except ImportError:
        pass
    results = []
    for batch, hidden, steps in spec["points"]:
        wall, cpu = run_point(x64, labels, batch, hidden, steps, np.float64)
        results.append({"batch": batch, "hidden": hidden, "steps": steps, "wall": wall, "cpu": cpu})
    json.dump({"numpy": np.__version__, "blas": blas, "results": results}, sys.stdout)


if __name__ == "__main__":
    main()
