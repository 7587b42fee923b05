#!/usr/bin/env python3
"""Reference trajectories for Adam, AMSGrad and AdamW, written straight from the papers' formulas
in plain Python floats (IEEE float64), independently of gradstream's code.

  Adam   (Kingma & Ba 2015, Algorithm 1; epsilon added to sqrt of the bias-corrected second
          moment, as TensorFlow.js does):
      m <- b1 m + (1 - b1) g ;  v <- b2 v + (1 - b2) g^2
      m_hat = m / (1 - b1^t) ;  v_hat = v / (1 - b2^t)
      w <- w - lr * m_hat / (sqrt(v_hat) + eps)
  AMSGrad (Reddi et al. 2018, with bias correction as in Keras / PyTorch):
      v_max <- max(v_max, v) ;  w <- w - lr * m_hat / (sqrt(v_max / (1 - b2^t)) + eps)
  AdamW  (Loshchilov & Hutter 2019, Algorithm 2 with schedule multiplier 1; the decay scaled by
          the learning rate, as Keras does):
      w <- w - lr * (m_hat / (sqrt(v_hat) + eps) + wd * w)

Problem: f(w) = 1/2 sum a_i (w_i - c_i)^2, gradient g_i = a_i (w_i - c_i).

Run: python3 scripts/optimizer-fixtures.py   (writes tests/fixtures/optimizers/*.json)
"""
import json
import math
import os

W0 = [0.5, -1.2, 2.0, 0.1, -0.7]
A = [1.0, 3.0, 0.5, 10.0, 2.0]
C = [1.0, -1.0, 0.0, 0.5, 2.0]
STEPS = 30


def grad(w):
    return [A[i] * (w[i] - C[i]) for i in range(len(w))]


def run(lr, b1, b2, eps, wd=0.0, amsgrad=False):
    w = list(W0)
    m = [0.0] * len(w)
    v = [0.0] * len(w)
    vmax = [0.0] * len(w)
    out = []
    for t in range(1, STEPS + 1):
        g = grad(w)
        new_w = []
        for i in range(len(w)):
            m[i] = b1 * m[i] + (1 - b1) * g[i]
            v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i]
            m_hat = m[i] / (1 - b1 ** t)
            if amsgrad:
                vmax[i] = max(vmax[i], v[i])
                v_hat = vmax[i] / (1 - b2 ** t)
            else:
                v_hat = v[i] / (1 - b2 ** t)
            new_w.append(w[i] - lr * (m_hat / (math.sqrt(v_hat) + eps) + wd * w[i]))
        w = new_w
        out.append(list(w))
    return out


CASES = {
    'adam': [
        {'options': {'lr': 0.01}, 'formula': dict(lr=0.01, b1=0.9, b2=0.999, eps=1e-7)},
        {'options': {'lr': 0.1, 'beta1': 0.8, 'beta2': 0.99, 'epsilon': 1e-3}, 'formula': dict(lr=0.1, b1=0.8, b2=0.99, eps=1e-3)},
    ],
    'amsgrad': [
        {'options': {'lr': 0.05}, 'formula': dict(lr=0.05, b1=0.9, b2=0.999, eps=1e-7, amsgrad=True)},
        {'options': {'lr': 0.2, 'beta1': 0.5, 'beta2': 0.9}, 'formula': dict(lr=0.2, b1=0.5, b2=0.9, eps=1e-7, amsgrad=True)},
    ],
    'adamw': [
        {'options': {'lr': 0.01}, 'formula': dict(lr=0.01, b1=0.9, b2=0.999, eps=1e-7, wd=0.004)},
        {'options': {'lr': 0.05, 'weightDecay': 0.1, 'beta1': 0.85, 'epsilon': 1e-6}, 'formula': dict(lr=0.05, b1=0.85, b2=0.999, eps=1e-6, wd=0.1)},
        {'options': {'lr': 0.05, 'weightDecay': 0.1, 'amsgrad': True}, 'formula': dict(lr=0.05, b1=0.9, b2=0.999, eps=1e-7, wd=0.1, amsgrad=True)},
    ],
}

here = os.path.dirname(os.path.abspath(__file__))
outdir = os.path.join(here, '..', 'tests', 'fixtures', 'optimizers')
os.makedirs(outdir, exist_ok=True)
for name, cases in CASES.items():
    doc = {
        'generator': 'scripts/optimizer-fixtures.py',
        'problem': {'f': '1/2 sum a_i (w_i - c_i)^2', 'w0': W0, 'a': A, 'c': C, 'steps': STEPS},
        'cases': [{'options': c['options'], 'formula': c['formula'], 'trajectory': run(**c['formula'])} for c in cases],
    }
    with open(os.path.join(outdir, f'{name}.json'), 'w') as f:
        json.dump(doc, f, indent=1)
        f.write('\n')
    print(f'wrote {name}.json ({len(cases)} cases, {STEPS} steps)')
