"""Writes examples/data/digits.csv from scikit-learn's bundled copy of the UCI optical digits.

Run from the repository root: python3 examples/data/export_digits.py (needs scikit-learn).
"""
from sklearn.datasets import load_digits

digits = load_digits()
with open('examples/data/digits.csv', 'w') as f:
    f.write(','.join([f'p{i}' for i in range(64)] + ['label']) + '\n')
    for x, y in zip(digits.data, digits.target):
        f.write(','.join(str(int(v)) for v in x) + ',' + str(int(y)) + '\n')
