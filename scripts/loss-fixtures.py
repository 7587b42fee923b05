#!/usr/bin/env python3
"""Reference values for gradstream's losses, computed independently in plain Python (float64).

Writes tests/fixtures/losses/<loss>.json: for each case the inputs, the loss value and its
gradient with respect to the predictions. Formulas are written out directly (no numpy), per
element, from the textbook/Keras definitions; the gradients are derived by hand.

Run: python3 scripts/loss-fixtures.py
"""
import json
import math
import os

OUT = os.path.join(os.path.dirname(__file__), '..', 'tests', 'fixtures', 'losses')
EPS = 1e-7  # Keras backend epsilon: probabilities are clipped to [EPS, 1 - EPS]

PRED = [0.3, -1.2, 2.5, 0.0, 1.7, -0.4]  # 2 rows x 3 columns
TARGET = [0.5, -1.0, 0.0, 1.0, 3.0, -0.4]
ROWS, COLS = 2, 3


def mse(p, t):
    n = len(p)
    return sum((a - b) ** 2 for a, b in zip(p, t)) / n, [2 * (a - b) / n for a, b in zip(p, t)]


def mae(p, t):
    n = len(p)
    sign = lambda d: 1.0 if d > 0 else (-1.0 if d < 0 else 0.0)
    return sum(abs(a - b) for a, b in zip(p, t)) / n, [sign(a - b) / n for a, b in zip(p, t)]


def huber(p, t, delta):
    n = len(p)
    val, grad = 0.0, []
    for a, b in zip(p, t):
        d = a - b
        if abs(d) <= delta:
            val += 0.5 * d * d
            grad.append(d / n)
        else:
            val += delta * abs(d) - 0.5 * delta * delta
            grad.append(math.copysign(delta, d) / n)
    return val / n, grad


def bce_probs(p, t):
    n = len(p)
    val, grad = 0.0, []
    for a, b in zip(p, t):
        q = min(max(a, EPS), 1 - EPS)
        val += -(b * math.log(q) + (1 - b) * math.log(1 - q))
        grad.append(0.0 if (a < EPS or a > 1 - EPS) else (-b / a + (1 - b) / (1 - a)) / n)
    return val / n, grad


def bce_logits(z, t):
    # Naive formula through the sigmoid (fine for these moderate logits).
    n = len(z)
    val, grad = 0.0, []
    for a, b in zip(z, t):
        s = 1 / (1 + math.exp(-a))
        val += -(b * math.log(s) + (1 - b) * math.log(1 - s))
        grad.append((s - b) / n)
    return val / n, grad


def softmax_row(z):
    e = [math.exp(v) for v in z]  # naive: moderate logits only
    s = sum(e)
    return [v / s for v in e]


def sce_logits(z, onehot, rows, cols):
    val, grad = 0.0, []
    for r in range(rows):
        zr = z[r * cols:(r + 1) * cols]
        tr = onehot[r * cols:(r + 1) * cols]
        p = softmax_row(zr)
        val += -sum(t * math.log(q) for t, q in zip(tr, p))
        mass = sum(tr)
        grad += [(q * mass - t) / rows for t, q in zip(tr, p)]
    return val / rows, grad


def sce_probs(p, onehot, rows, cols):
    val, grad = 0.0, []
    for r in range(rows):
        pr = p[r * cols:(r + 1) * cols]
        tr = onehot[r * cols:(r + 1) * cols]
        val += -sum(t * math.log(min(max(q, EPS), 1 - EPS)) for t, q in zip(tr, pr))
        grad += [0.0 if (q < EPS or q > 1 - EPS) else -t / q / rows for t, q in zip(tr, pr)]
    return val / rows, grad


def onehot(labels, cols):
    out = []
    for l in labels:
        out += [1.0 if c == l else 0.0 for c in range(cols)]
    return out


def case(name, pred, target, rows, cols, fn, **options):
    value, grad = fn()
    return {'name': name, 'options': options, 'rows': rows, 'cols': cols, 'pred': pred, 'target': target, 'value': value, 'grad': grad}


def main():
    os.makedirs(OUT, exist_ok=True)
    probs = [0.9, 0.2, 0.6, 0.05, 0.5, 0.999]
    bin_t = [1.0, 0.0, 1.0, 1.0, 0.0, 1.0]
    soft_t = [0.8, 0.1, 0.5, 0.3, 0.0, 1.0]
    logits = [2.0, -1.0, 0.5, -3.0, 0.0, 4.5]
    labels = [2.0, 0.0]
    p_rows = softmax_row(logits[:3]) + softmax_row(logits[3:])
    soft_labels = [0.2, 0.3, 0.5, 0.0, 0.0, 1.0]
    files = {
        'mse': [case('2x3', PRED, TARGET, ROWS, COLS, lambda: mse(PRED, TARGET))],
        'mae': [case('2x3', PRED, TARGET, ROWS, COLS, lambda: mae(PRED, TARGET))],
        'huber': [
            case('delta 1', PRED, TARGET, ROWS, COLS, lambda: huber(PRED, TARGET, 1.0), delta=1.0),
            case('delta 0.5', PRED, TARGET, ROWS, COLS, lambda: huber(PRED, TARGET, 0.5), delta=0.5),
            case('delta 2.5, 3x2', PRED, TARGET, 3, 2, lambda: huber(PRED, TARGET, 2.5), delta=2.5),
        ],
        'binaryCrossEntropy': [
            case('probabilities', probs, bin_t, ROWS, COLS, lambda: bce_probs(probs, bin_t), fromLogits=False),
            case('probabilities, soft targets, 6x1', probs, soft_t, 6, 1, lambda: bce_probs(probs, soft_t), fromLogits=False),
            case('logits', logits, bin_t, ROWS, COLS, lambda: bce_logits(logits, bin_t), fromLogits=True),
            case('logits, soft targets', logits, soft_t, ROWS, COLS, lambda: bce_logits(logits, soft_t), fromLogits=True),
        ],
        'softmaxCrossEntropy': [
            case('logits, integer labels', logits, labels, ROWS, COLS, lambda: sce_logits(logits, onehot([2, 0], 3), 2, 3), fromLogits=True),
            case('logits, one-hot', logits, onehot([1, 2], 3), ROWS, COLS, lambda: sce_logits(logits, onehot([1, 2], 3), 2, 3), fromLogits=True),
            case('logits, soft labels', logits, soft_labels, ROWS, COLS, lambda: sce_logits(logits, soft_labels, 2, 3), fromLogits=True),
            case('logits, labels, 3x2', logits, [1.0, 0.0, 1.0], 3, 2, lambda: sce_logits(logits, onehot([1, 0, 1], 2), 3, 2), fromLogits=True),
            case('probabilities, integer labels', p_rows, labels, ROWS, COLS, lambda: sce_probs(p_rows, onehot([2, 0], 3), 2, 3), fromLogits=False),
            case('probabilities, one-hot', p_rows, onehot([1, 2], 3), ROWS, COLS, lambda: sce_probs(p_rows, onehot([1, 2], 3), 2, 3), fromLogits=False),
        ],
    }
    for name, cases in files.items():
        with open(os.path.join(OUT, f'{name}.json'), 'w') as f:
            json.dump({'loss': name, 'generator': 'scripts/loss-fixtures.py', 'cases': cases}, f, indent=1)
            f.write('\n')
    print(f'wrote {len(files)} fixture files to {os.path.normpath(OUT)}')


if __name__ == '__main__':
    main()
