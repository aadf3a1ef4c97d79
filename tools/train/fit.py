#!/usr/bin/python3
"""fit.py - train a bid-likelihood model on extracted features and write its card.

Inputs are what the serving code produced: feature rows from `bidgate extract` (CSV, an empty
cell is missing, an optional header row) and one 0/1 label per row (label.py). The rows are split
by a seeded shuffle into train (70%), validation (15%, early stopping) and held-out test (15%).

Writes into OUT:
  model.json     XGBoost save_model JSON (binary:logistic)
  CARD.md        data, features, AUC and log-loss on the held-out split, and the thresholds that
                 keep 99% and 95% of bids with the share of rows they drop
  pr.png         precision/recall curve on the held-out split, the two thresholds marked
  serving.json   {"threshold": T99, ...}: the default --threshold of the server
  heldout.csv    the held-out feature rows (make model checks compiled == XGBoost on them)
  heldout.labels their labels (tests recompute the card from these)

Usage: fit.py --features F.csv --labels L.txt --out DIR [--seed N] [--rounds N] [--name NAME]
"""
import argparse
import json
import math
import os
import sys

import numpy as np
import xgboost as xgb

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import png  # noqa: E402


def read_csv(path):
    rows, header = [], None
    with open(path) as f:
        for lineno, line in enumerate(f, 1):
            cells = line.rstrip("\r\n").split(",")
            try:
                rows.append([float(c) if c.strip() else math.nan for c in cells])
            except ValueError:
                if lineno == 1 and not rows:
                    header = cells
                    continue
                sys.exit("fit.py: %s:%d: not a number" % (path, lineno))
    x = np.array(rows, dtype=np.float32)
    return x, header


def auc(y, p):
    """Area under the ROC curve: the Mann-Whitney statistic with average ranks for ties."""
    order = np.argsort(p, kind="mergesort")
    ranks = np.empty(len(p), dtype=np.float64)
    sp = p[order]
    i = 0
    while i < len(sp):
        j = i
        while j + 1 < len(sp) and sp[j + 1] == sp[i]:
            j += 1
        ranks[order[i:j + 1]] = (i + j) / 2.0 + 1.0
        i = j + 1
    pos = y == 1
    n1, n0 = pos.sum(), (~pos).sum()
    return float((ranks[pos].sum() - n1 * (n1 + 1) / 2.0) / (n1 * n0))


def logloss(y, p):
    q = np.clip(p.astype(np.float64), 1e-15, 1 - 1e-15)
    return float(-np.mean(y * np.log(q) + (1 - y) * np.log(1 - q)))


def threshold_for_recall(y, p, recall):
    """The largest float32 threshold t with share of positives scoring >= t at least recall,
    and the share of all rows scoring below it (dropped)."""
    pos = np.sort(p[y == 1])[::-1]
    k = max(1, int(math.ceil(recall * len(pos))))
    t = np.float32(pos[k - 1])
    return t, float(np.mean(p < t)), float(np.mean(p[y == 1] >= t))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--features", required=True)
    ap.add_argument("--labels", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--name", default="rtb-demo")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--rounds", type=int, default=400)
    ap.add_argument("--depth", type=int, default=6)
    args = ap.parse_args()

    x, header = read_csv(args.features)
    y = np.array([float(v) for v in open(args.labels).read().split()], dtype=np.float32)
    if len(y) != len(x):
        sys.exit("fit.py: %d feature rows but %d labels" % (len(x), len(y)))
    rng = np.random.default_rng(args.seed)
    idx = rng.permutation(len(x))
    n_tr, n_va = int(0.70 * len(x)), int(0.15 * len(x))
    tr, va, te = idx[:n_tr], idx[n_tr:n_tr + n_va], idx[n_tr + n_va:]

    names = header if header and len(header) == x.shape[1] else None
    dtr = xgb.DMatrix(x[tr], y[tr], missing=np.nan, feature_names=names)
    dva = xgb.DMatrix(x[va], y[va], missing=np.nan, feature_names=names)
    dte = xgb.DMatrix(x[te], missing=np.nan, feature_names=names)
    params = {"objective": "binary:logistic", "eval_metric": ["logloss", "auc"],
              "max_depth": args.depth, "eta": 0.1, "subsample": 0.9, "min_child_weight": 2,
              "seed": args.seed, "nthread": 2, "tree_method": "hist"}
    bst = xgb.train(params, dtr, args.rounds, evals=[(dva, "valid")],
                    early_stopping_rounds=20, verbose_eval=False)
    # Serve exactly the trees the card describes: keep only the best iteration's.
    bst = bst[: bst.best_iteration + 1]
    os.makedirs(args.out, exist_ok=True)
    bst.save_model(os.path.join(args.out, "model.json"))

    p = bst.predict(dte)
    yt = y[te]
    base = float(np.mean(y[tr]))
    m_auc, m_ll = auc(yt, p), logloss(yt, p)
    c_ll = logloss(yt, np.full(len(yt), base, dtype=np.float32))
    t99, drop99, rec99 = threshold_for_recall(yt, p, 0.99)
    t95, drop95, rec95 = threshold_for_recall(yt, p, 0.95)

    with open(os.path.join(args.out, "heldout.csv"), "w") as f:
        for row in x[te]:
            f.write(",".join("" if math.isnan(v) else "%.9g" % v for v in row) + "\n")
    with open(os.path.join(args.out, "heldout.labels"), "w") as f:
        f.write("".join("%d\n" % v for v in yt))
    serving = {"threshold": float("%.9g" % t99),
               "thresholds": {"recall_0.99": float("%.9g" % t99),
                              "recall_0.95": float("%.9g" % t95)},
               "chosen": "recall_0.99"}
    with open(os.path.join(args.out, "serving.json"), "w") as f:
        json.dump(serving, f, indent=2)
        f.write("\n")

    # precision/recall curve over the held-out split
    order = np.argsort(-p, kind="mergesort")
    tp = np.cumsum(yt[order] == 1)
    k = np.arange(1, len(order) + 1)
    rec, prec = tp / max(1, tp[-1]), tp / k
    step = max(1, len(order) // 400)
    png.plot_curve(os.path.join(args.out, "pr.png"), rec[::step], prec[::step], "Recall",
                   "Precision", "Precision vs recall",
                   marks=[(rec99, float(np.mean(yt[p >= t99])), "t=%.4g" % t99),
                          (rec95, float(np.mean(yt[p >= t95])), "t=%.4g" % t95)])

    feats = names or ["f%d" % i for i in range(x.shape[1])]
    card = """# Model card: {name}

Trained by `make train MODEL={name}` (tools/train/fit.py, XGBoost {xgbv}, seed {seed}).

## Data
{n} rows (one per impression x candidate bidder) from synthetic OpenRTB traffic (`bidload
--dump`), features extracted by `bidgate extract` (the serving code), labels from the hidden
ground truth in tools/train/label.py. Split by a seeded shuffle: {ntr} train, {nva} validation
(early stopping), {nte} held out. Bid rate: {rate:.4f} (train).

## Features
{features}

## Model
binary:logistic, max_depth {depth}, eta 0.1, {trees} trees (best iteration of early stopping on
validation log-loss).

## Held-out quality
| metric | model | constant predictor |
|---|---|---|
| AUC | {auc:.4f} | 0.5000 |
| log-loss | {ll:.4f} | {cll:.4f} |

## Thresholds
A row passes when its score is >= the threshold. Shares are of held-out rows (impression x
bidder requests).

| keeps share of bids | threshold | bids kept | rows dropped |
|---|---|---|---|
| 99% | {t99:.9g} | {r99:.4f} | {d99:.4f} |
| 95% | {t95:.9g} | {r95:.4f} | {d95:.4f} |

The server's default `--threshold` is the 99% one (serving.json). Precision/recall: pr.png.
""".format(name=args.name, xgbv=xgb.__version__, seed=args.seed, n=len(x), ntr=len(tr),
           nva=len(va), nte=len(te), rate=base,
           features="\n".join("%d. `%s`" % (i, f) for i, f in enumerate(feats)),
           depth=args.depth, trees=bst.num_boosted_rounds(), auc=m_auc, ll=m_ll, cll=c_ll,
           t99=t99, r99=rec99, d99=drop99, t95=t95, r95=rec95, d95=drop95)
    with open(os.path.join(args.out, "CARD.md"), "w") as f:
        f.write(card)
    print("fit.py: AUC %.4f, log-loss %.4f (constant %.4f); threshold %.9g keeps %.4f of bids, "
          "drops %.4f of rows" % (m_auc, m_ll, c_ll, t99, rec99, drop99))


if __name__ == "__main__":
    main()
