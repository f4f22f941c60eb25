#!/usr/bin/python3
# Writes the demo's test data: the held-out 20 % of scikit-learn's 8x8 digits (the split of
# tools/train/tasks.py: permutation by numpy's default_rng(0), first 80 % for training), as raw
# pixels 0..16 (digits_test_x.npy, 360 x 64 uint8) and labels (digits_test_y.npy, int64), so that
# `lifchip demo` shows the whole flow from pixels: latency encoding, chip, decoding.
import os

import numpy as np
from sklearn.datasets import load_digits

d = load_digits()
order = np.random.default_rng(0).permutation(len(d.target))
test = order[int(0.8 * len(order)):]
here = os.path.dirname(os.path.abspath(__file__))
np.save(os.path.join(here, "digits_test_x.npy"), d.images[test].reshape(len(test), 64).astype(np.uint8))
np.save(os.path.join(here, "digits_test_y.npy"), d.target[test].astype(np.int64))
