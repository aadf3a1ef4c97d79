#!/usr/bin/python3
"""Train the inference benchmark's models (make bench-kernels, mk/kernels.mk).

    /usr/bin/python3 tests/bench/train.py OUTDIR MODELS_DIR

Writes OUTDIR/NAME/{model.json, x.f32, meta.txt} for each model below, skipping a model
whose files already exist (training the 1000-tree one takes a minute or two):
  aws_rtb      models/aws-rtb/model.json as is (50 trees, depth 5, 7 features)
  t100_d6_f30  100 trees, max_depth 6, 30 features
  t500_d8_f100 500 trees, max_depth 8, 100 features
  t1000_d8_f100 1000 trees, max_depth 8, 100 features
x.f32 holds BENCH_ROWS rows drawn like the training data (about 5% NaN), row-major float32;
meta.txt is "ROWS COLS OBJECTIVE". Everything is seeded: reruns give the same files.

Random data would not grow depth-8 trees: the label depends on every feature through
thresholds, products and sines, there are TRAIN_ROWS rows, min_child_weight is small and
gamma 0, so XGBoost keeps splitting. The real node counts are printed and reported in
docs/BENCHMARKS.md.
"""

import json
import os
import shutil
import sys

import numpy as np
import xgboost as xgb

BENCH_ROWS = 4096
TRAIN_ROWS = 30000
NAN_FRACTION = 0.05

# name, trees, max_depth, features
MODELS = [
    ("t100_d6_f30", 100, 6, 30),
    ("t500_d8_f100", 500, 8, 100),
    ("t1000_d8_f100", 1000, 8, 100),
]


def rows(rng, n, ncols):
    """Mixed features: normal, small integers, skewed; NaN in NAN_FRACTION of the cells."""
    x = np.empty((n, ncols), dtype=np.float32)
    for j in range(ncols):
        kind = j % 3
        if kind == 0:
            x[:, j] = rng.normal(0.0, 1.0, n)
        elif kind == 1:
            x[:, j] = rng.integers(0, 30, n)
        else:
            x[:, j] = rng.lognormal(0.0, 1.0, n)
    x[rng.random(x.shape) < NAN_FRACTION] = np.nan
    return x


def labels(rng, x):
    """Binary labels from a score with thresholds, interactions and waves in every feature."""
    z = np.nan_to_num((x - np.nanmean(x, 0)) / (np.nanstd(x, 0) + 1e-9))
    ncols = z.shape[1]
    w = rng.normal(0.0, 1.0, ncols)
    s = (np.sin(3.0 * z) * w).sum(1) + ((z > 0.3) * w[::-1]).sum(1)
    for j in range(0, ncols - 1, 2):
        s += 0.5 * z[:, j] * z[:, j + 1]
    s = (s - s.mean()) / s.std() + 0.5 * rng.normal(0.0, 1.0, len(s))
    return (s > 0).astype(np.float64)


def node_counts(path):
    """(trees, reachable nodes, sum of tree depths) of a gbtree model.json; also written to
    shape.txt beside it for the benchmark's per-node figures."""
    with open(path) as f:
        trees = json.load(f)["learner"]["gradient_booster"]["model"]["trees"]
    nodes = steps = 0
    for t in trees:
        left, right = t["left_children"], t["right_children"]
        stack, depth = [(0, 0)], 0
        while stack:
            i, d = stack.pop()
            nodes += 1
            depth = max(depth, d)
            if left[i] != -1:
                stack += [(left[i], d + 1), (right[i], d + 1)]
        steps += depth
    with open(os.path.join(os.path.dirname(path), "shape.txt"), "w") as f:
        f.write("%d %d %d\n" % (len(trees), nodes, steps))
    return len(trees), nodes, steps


def write(d, x, objective):
    x = np.ascontiguousarray(x, dtype="<f4")
    x.tofile(os.path.join(d, "x.f32"))
    with open(os.path.join(d, "meta.txt"), "w") as f:
        f.write("%d %d %s\n" % (x.shape[0], x.shape[1], objective))


def main(argv):
    if len(argv) != 3:
        sys.stderr.write("usage: train.py OUTDIR MODELS_DIR\n")
        return 2
    out, models = argv[1], argv[2]

    d = os.path.join(out, "aws_rtb")
    os.makedirs(d, exist_ok=True)
    shutil.copyfile(os.path.join(models, "aws-rtb", "model.json"), os.path.join(d, "model.json"))
    rng = np.random.default_rng(7100)
    ranges = [(1, 7), (0, 23), (0, 3), (0, 16000), (0, 40), (0, 400), (0, 6)]
    x = np.stack([rng.integers(a, b + 1, BENCH_ROWS) for a, b in ranges], 1).astype(np.float32)
    x[rng.random(x.shape) < NAN_FRACTION] = np.nan
    write(d, x, "binary:logistic")
    print("%-14s %5d trees %7d nodes %6d steps/row (models/aws-rtb)" % (("aws_rtb",) + node_counts(
        os.path.join(d, "model.json"))), flush=True)

    for i, (name, trees, depth, ncols) in enumerate(MODELS):
        d = os.path.join(out, name)
        path = os.path.join(d, "model.json")
        os.makedirs(d, exist_ok=True)
        rng = np.random.default_rng(7200 + i)
        xt = rows(rng, TRAIN_ROWS, ncols)
        if not os.path.exists(path):
            dtrain = xgb.DMatrix(xt, label=labels(rng, xt), missing=np.nan)
            params = {"objective": "binary:logistic", "max_depth": depth, "eta": 0.1,
                      "min_child_weight": 0.01, "gamma": 0.0, "lambda": 1.0,
                      "tree_method": "hist", "max_bin": 256, "nthread": 2, "seed": 7200 + i}
            bst = xgb.train(params, dtrain, num_boost_round=trees)
            bst.save_model(path + ".tmp.json")
            os.replace(path + ".tmp.json", path)
        write(d, rows(np.random.default_rng(7300 + i), BENCH_ROWS, ncols), "binary:logistic")
        print("%-14s %5d trees %7d nodes %6d steps/row" % ((name,) + node_counts(path)),
              flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
