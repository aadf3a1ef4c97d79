#!/usr/bin/python3
"""Train the fixed set of XGBoost reference models ("oracles") for bidgate's tests.

bidgate compiles XGBoost JSON models to C. The tests compare the compiled code
with XGBoost itself. This script makes the models and the input rows for that:

    /usr/bin/python3 tests/oracle/train.py OUTDIR [SHARED_MODELS_DIR]

Run it with Debian's /usr/bin/python3 (python3-xgboost 1.7.4, python3-numpy).
It needs nothing else: only numpy, xgboost and the standard library.

For each model NAME it writes OUTDIR/NAME/:
  model.json   the model our compiler compiles (Booster.save_model output)
  model.ubj    the same model saved as UBJSON (save_model("model.ubj")); the
               tests compile it too and expect the same code and bits
  dump.json    tree models: get_dump(dump_format="json"), with stats for every
               other model, as one JSON array (what dump_model writes)
  dump.args    the xgbc options that complete the dump, one per line: the
               model's objective, base_score, classes and features, or
               --model-file (DART weights and multi-target groups are not in
               a dump's flags)
  oracle.json  the model XGBoost loads as the reference (usually a byte copy
               of model.json; the base_* variants and fixtures differ)
  x.f32        the test rows: raw little-endian float32, row-major, NaN = missing
  meta.txt     one line "ROWS COLS OBJECTIVE"
and OUTDIR/MANIFEST lists the model names, one per line, in training order.
After the trained models come the 2.x/3.x schema fixtures of fixtures.py
(model.json and sometimes model.ubj rewritten from a trained model, a
README.md, and base_margin.f32 when the rewrite moves the start margins).

The output is deterministic: every random number comes from
np.random.default_rng with a fixed seed, XGBoost gets a fixed seed and
nthread=2, and running the script twice gives byte-identical files.

Test rows for each model are:
  * 10,000 random rows drawn like the training data (about 10% NaN cells), with
    special float32 values (+-0, huge, denormal, FLT_MIN, FLT_MAX; never inf)
    put into about 3% of the cells;
  * then "threshold rows": for every (feature, split threshold) pair in the saved
    model, three rows whose feature is exactly the threshold, one float32 ULP
    below it and one ULP above it (other cells random as usual); at most
    THRESHOLD_ROW_CAP rows per model, with the pairs sampled deterministically
    when there are more.
"""

import json
import os
import shutil
import sys
import time

import numpy as np
import xgboost as xgb

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fixtures  # noqa: E402  (tests/oracle/fixtures.py)

NTHREAD = 2
TRAIN_ROWS = 4000          # training rows per model (a multiple of the rank group size)
RANDOM_TEST_ROWS = 10000   # random test rows per model, before threshold rows
THRESHOLD_ROW_CAP = 6000   # at most this many threshold rows per model (3 per pair)
NAN_FRACTION = 0.10        # share of missing cells, in training and test rows
SPECIAL_FRACTION = 0.03    # share of test cells replaced by a special value
RANK_GROUP = 20            # rows per query group for the rank:* objectives

F32_MAX = np.finfo(np.float32).max          # 3.4028235e38
F32_MIN_NORMAL = np.finfo(np.float32).tiny  # 1.17549435e-38

# Special values sprinkled into test cells. No inf: XGBoost's DMatrix rejects it.
# np.float32(1e-45) rounds to the smallest denormal (1.4e-45).
SPECIAL_VALUES = np.array(
    [0.0, -0.0,
     3.0e38, -3.0e38, 1e30, -1e30, F32_MAX, -F32_MAX,
     1e-45, -1e-45, 1e-40, -1e-40, F32_MIN_NORMAL, -F32_MIN_NORMAL],
    dtype=np.float32)

# split_indices value XGBoost writes for node slots deleted by the prune updater.
DELETED_SPLIT_INDEX = 2147483647


# ----------------------------------------------------------------------------
# Output helpers
# ----------------------------------------------------------------------------

def write_atomic(path, data):
    """Write bytes to path through a temporary file and os.replace."""
    tmp = "%s.tmp%d" % (path, os.getpid())
    with open(tmp, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def save_model_bytes(bst, model_dir):
    """Save bst as model_dir/model.json (atomically) and return the file's bytes.

    save_model picks the format by file extension, so the temporary name ends
    in ".json" too.
    """
    tmp = os.path.join(model_dir, ".model.tmp%d.json" % os.getpid())
    bst.save_model(tmp)
    with open(tmp, "rb") as f:
        data = f.read()
    os.replace(tmp, os.path.join(model_dir, "model.json"))
    return data


def save_ubj(bst, model_dir):
    """Save bst as model_dir/model.ubj (UBJSON; save_model picks it by extension)."""
    tmp = os.path.join(model_dir, ".model.tmp%d.ubj" % os.getpid())
    bst.save_model(tmp)
    os.replace(tmp, os.path.join(model_dir, "model.ubj"))


def write_model_dir(outdir, name, model_bytes, oracle_bytes, x, objective):
    """Write the files of one model; model.json is written unless already saved."""
    d = os.path.join(outdir, name)
    os.makedirs(d, exist_ok=True)
    if model_bytes is not None:
        write_atomic(os.path.join(d, "model.json"), model_bytes)
    write_atomic(os.path.join(d, "oracle.json"), oracle_bytes)
    x = np.ascontiguousarray(x, dtype="<f4")
    assert x.ndim == 2 and not np.isinf(x).any()
    write_atomic(os.path.join(d, "x.f32"), x.tobytes())
    write_atomic(os.path.join(d, "meta.txt"),
                 ("%d %d %s\n" % (x.shape[0], x.shape[1], objective)).encode())


# ----------------------------------------------------------------------------
# Data generation
# ----------------------------------------------------------------------------

def gen_rows(rng, n, ncols, specials):
    """Random float32 rows; the kind of each feature depends on its column index.

    Column j % 5 == 0: normal, scale 0.1, 1 or 10 (by j // 5)
                 == 1: small integers 0..20
                 == 2: large magnitudes, normal(2e4, 1e4)
                 == 3: small scale, normal(0, 1e-3)
                 == 4: positive, skewed, lognormal(0, 1)
    About NAN_FRACTION of the cells are NaN. With specials=True, about
    SPECIAL_FRACTION of the cells get a value from SPECIAL_VALUES.
    """
    x = np.empty((n, ncols), dtype=np.float64)
    for j in range(ncols):
        kind = j % 5
        if kind == 0:
            x[:, j] = rng.normal(0.0, 10.0 ** ((j // 5) % 3 - 1), n)
        elif kind == 1:
            x[:, j] = rng.integers(0, 21, n)
        elif kind == 2:
            x[:, j] = rng.normal(2e4, 1e4, n)
        elif kind == 3:
            x[:, j] = rng.normal(0.0, 1e-3, n)
        else:
            x[:, j] = rng.lognormal(0.0, 1.0, n)
    x = x.astype(np.float32)
    x[rng.random((n, ncols)) < NAN_FRACTION] = np.nan
    if specials:
        mask = rng.random((n, ncols)) < SPECIAL_FRACTION
        x[mask] = SPECIAL_VALUES[rng.integers(0, len(SPECIAL_VALUES), mask.sum())]
    return x


def standardize(x):
    """Column-standardized float64 copy of x with NaN replaced by 0."""
    z = x.astype(np.float64)
    mean = np.nanmean(z, axis=0)
    std = np.nanstd(z, axis=0)
    std[std == 0] = 1.0
    z = (z - mean) / std
    z[np.isnan(z)] = 0.0
    return z


def make_signal(rng, x):
    """A noisy latent score that depends on many features (with interactions)."""
    z = standardize(x)
    ncols = z.shape[1]
    w = rng.normal(0.0, 1.0, ncols) * 0.85 ** np.arange(ncols)
    s = (z @ w
         + 0.7 * z[:, 0] * z[:, 1]
         + 0.8 * np.sin(2.0 * z[:, 2])
         + 0.5 * np.abs(z[:, 3])
         + 0.6 * (z[:, 1] > 0.5))
    s = (s - s.mean()) / s.std()
    return s + 0.3 * rng.normal(0.0, 1.0, len(s)), z


def make_labels(rng, x, objective, num_class, targets=1):
    """Labels valid for the objective, depending on several features plus noise.

    With targets > 1, one column of labels per target (a multi-target model),
    each from its own signal. survival:aft returns (lower, upper) bounds.
    """
    if targets > 1:
        cols = [make_labels(rng, x, objective, num_class) for _ in range(targets)]
        return np.stack(cols, axis=1)
    s, z = make_signal(rng, x)
    n = len(s)
    if objective == "survival:cox":
        t = np.exp(0.6 * s) * rng.exponential(1.0, n) + 1e-3   # event or censoring time
        censored = rng.random(n) < 0.3
        return np.where(censored, -t, t)                      # negative = censored
    if objective == "survival:aft":
        t = np.exp(0.5 * s + 1.0) * rng.lognormal(0.0, 0.3, n)
        lower, upper = t.copy(), t.copy()
        right = rng.random(n) < 0.2                           # right-censored: [t, inf)
        upper[right] = np.inf
        interval = (~right) & (rng.random(n) < 0.2)           # interval-censored
        lower[interval] *= 0.8
        upper[interval] *= 1.3
        return lower, upper
    if objective in ("binary:logistic", "binary:logitraw", "binary:hinge"):
        return (s > 0.2).astype(np.float64)
    if objective == "reg:logistic":
        return 1.0 / (1.0 + np.exp(-1.5 * s))            # in (0, 1)
    if objective in ("reg:squarederror", "reg:pseudohubererror",
                     "reg:absoluteerror"):
        return 1.7 + 3.0 * s + rng.standard_t(3, n)        # heavy-ish tails
    if objective == "count:poisson":
        return rng.poisson(np.exp(0.7 * s)).astype(np.float64)
    if objective == "reg:gamma":
        mean = np.exp(0.5 * s + 1.0)
        return np.maximum(rng.gamma(3.0, mean / 3.0), 1e-3)  # strictly positive
    if objective == "reg:tweedie":
        counts = rng.poisson(np.exp(0.6 * s))           # compound Poisson-gamma:
        return rng.gamma(2.0 * counts, 1.0)              # zero when counts == 0
    if objective == "rank:map":
        return (s > 0.5).astype(np.float64)              # MAP needs binary relevance
    if objective == "reg:squaredlogerror":
        return np.exp(0.5 * s)                           # > -1, as the loss requires
    if objective.startswith("rank:"):
        cuts = np.quantile(s, [0.3, 0.6, 0.8, 0.93])
        return np.digitize(s, cuts).astype(np.float64)   # relevance 0..4
    if objective.startswith("multi:"):
        w = rng.normal(0.0, 1.0, (z.shape[1], num_class))
        scores = z @ w + s[:, None] * np.linspace(-1.0, 1.0, num_class)
        scores += 0.5 * rng.normal(0.0, 1.0, scores.shape)
        return np.argmax(scores, axis=1).astype(np.float64)  # class ids 0..K-1
    raise ValueError("no label rule for objective " + objective)


# ----------------------------------------------------------------------------
# Reading the saved model
# ----------------------------------------------------------------------------

def model_trees(model):
    """The list of tree objects in a parsed model.json (gbtree or dart; none for gblinear)."""
    gb = model["learner"]["gradient_booster"]
    if gb["name"] == "gblinear":
        return []
    if "gbtree" in gb:          # dart wraps a gbtree
        gb = gb["gbtree"]
    return gb["model"]["trees"]


def split_thresholds(model):
    """Sorted unique (feature, float32 threshold) pairs of all internal nodes."""
    pairs = set()
    for tree in model_trees(model):
        left = tree["left_children"]
        feat = tree["split_indices"]
        cond = tree["split_conditions"]
        stypes = tree.get("split_type") or [0] * len(left)
        for i in range(len(left)):
            if left[i] != -1 and stypes[i] == 0:   # categorical splits: cat_rows()
                # The JSON holds the shortest float32 repr: double -> float32 is exact.
                t = np.float32(cond[i])
                pairs.add((int(feat[i]), int(t.view(np.uint32))))
    # Sort by feature, then by numeric threshold value (bits are only for the set).
    out = [(f, np.uint32(b).view(np.float32)) for f, b in pairs]
    out.sort(key=lambda p: (p[0], float(p[1])))
    return out


def node_stats(model):
    """(deleted slots, unreachable slots) over all trees; informational."""
    deleted = unreachable = 0
    for tree in model_trees(model):
        left, right = tree["left_children"], tree["right_children"]
        deleted += sum(1 for f in tree["split_indices"] if f == DELETED_SPLIT_INDEX)
        seen, stack = set(), [0]
        while stack:
            i = stack.pop()
            seen.add(i)
            if left[i] != -1:
                stack += [left[i], right[i]]
        unreachable += len(left) - len(seen)
    return deleted, unreachable


def threshold_rows(rng, pairs, ncols, base_rows):
    """Rows that put each feature exactly on, one ULP below and one ULP above
    each of its thresholds. base_rows(rng, n) gives the other (random) cells."""
    max_pairs = THRESHOLD_ROW_CAP // 3
    if len(pairs) > max_pairs:
        keep = np.sort(rng.choice(len(pairs), max_pairs, replace=False))
        pairs = [pairs[i] for i in keep]
    x = base_rows(rng, 3 * len(pairs))
    lo, hi = np.float32(-F32_MAX), np.float32(F32_MAX)   # never step onto inf
    for k, (f, t) in enumerate(pairs):
        assert f < ncols
        x[3 * k, f] = t
        x[3 * k + 1, f] = np.nextafter(t, lo)
        x[3 * k + 2, f] = np.nextafter(t, hi)
    return x


# ----------------------------------------------------------------------------
# Categorical features (models with "_cats")
# ----------------------------------------------------------------------------

# Values a categorical test cell may take besides a random category, for
# XGBoost's rules (xgboost.md step 5): negative (-0.0 is category 0, -0.5 is
# negative), fractional (truncated), the bitset word boundaries, the last
# valid value 2^24 - 1 and the first invalid ones, and beyond int32.
CAT_SPECIALS = np.array(
    [-1.0, -0.0, 0.0, -0.5, -1e-45, -1e30, -F32_MAX, 0.5, 0.999, 1.5, 3.7,
     30.9, 31.0, 31.999, 32.0, 32.0001, 33.5, 63.0, 63.5, 64.0, 65.0, 95.0, 96.0,
     127.0, 128.0, 1e-45, 16777215.0, 16777216.0, 16777218.0, 3e7, 2147483648.0,
     4294967296.0, 1e10, 1e30, F32_MAX],
    dtype=np.float32)
CAT_SPECIAL_FRACTION = 0.25   # share of categorical test cells from CAT_SPECIALS
CAT_UNSEEN = 40               # test categories go up to ncat + CAT_UNSEEN (never seen)


def cat_columns(rng, x, cats, test):
    """Overwrite x's categorical columns (cats: {column: number of categories}).

    Training cells are categories 0..ncat-1; test cells also take never-seen
    categories, category + a fraction, and CAT_SPECIALS. NaN stays NaN.
    """
    n = x.shape[0]
    for j, ncat in cats.items():
        nan = np.isnan(x[:, j])
        if not test:
            v = rng.integers(0, ncat, n).astype(np.float32)
        else:
            v = rng.integers(0, ncat + CAT_UNSEEN, n).astype(np.float32)
            frac = rng.random(n) < 0.15
            v[frac] += rng.random(frac.sum()).astype(np.float32)
            special = rng.random(n) < CAT_SPECIAL_FRACTION
            v[special] = CAT_SPECIALS[rng.integers(0, len(CAT_SPECIALS), special.sum())]
        v[nan] = np.nan
        x[:, j] = v
    return x


def cat_label_input(x, cats, seed):
    """x with each categorical column's codes permuted (fixed per model), so
    that the labels depend on the category, not on the order of its code."""
    z = x.copy()
    rng = np.random.default_rng([seed, 2])
    for j, ncat in cats.items():
        perm = rng.permutation(ncat).astype(np.float32)
        ok = ~np.isnan(z[:, j])
        z[ok, j] = perm[z[ok, j].astype(np.int64)]
    return z


def cat_rows(rng, model, ncols, base_rows):
    """For every categorical split, rows whose feature is each of the first
    categories of its set, a category + 0.5, and the category + 1 (often out
    of the set): at most THRESHOLD_ROW_CAP rows."""
    vals = []
    for tree in model_trees(model):
        stypes = tree.get("split_type") or []
        for j, node in enumerate(tree.get("categories_nodes", [])):
            assert stypes[node] == 1
            seg, size = tree["categories_segments"][j], tree["categories_sizes"][j]
            f = tree["split_indices"][node]
            for c in tree["categories"][seg:seg + min(size, 4)]:
                vals += [(f, c), (f, c + 0.5), (f, c + 1)]
    vals = sorted(set(vals))
    if len(vals) > THRESHOLD_ROW_CAP:
        keep = np.sort(rng.choice(len(vals), THRESHOLD_ROW_CAP, replace=False))
        vals = [vals[i] for i in keep]
    x = base_rows(rng, len(vals))
    for k, (f, v) in enumerate(vals):
        x[k, f] = v
    return x


INF_ROWS = 2000   # x_inf.f32: rows of the categorical models with +-inf cells


def write_inf_rows(model_dir, x, cats, seed):
    """x_inf.f32: test rows with about 10% of all cells +inf or -inf (XGBoost's
    DMatrix refuses inf; its inplace prediction takes it: test_categorical.c).
    In a categorical cell inf is >= 2^24 and -inf negative: both go left."""
    rng = np.random.default_rng([seed, 3])
    z = x[:INF_ROWS].copy()
    mask = rng.random(z.shape) < 0.10
    z[mask] = np.where(rng.random(mask.sum()) < 0.5, np.inf, -np.inf).astype(np.float32)
    assert len(cats) > 0 and np.isinf(z[:, list(cats)]).any()
    write_atomic(os.path.join(model_dir, "x_inf.f32"),
                 np.ascontiguousarray(z, dtype="<f4").tobytes())


# ----------------------------------------------------------------------------
# The models
# ----------------------------------------------------------------------------

# name, objective, number of features, boosting rounds, extra XGBoost params.
# Every model also gets nthread, seed and (unless set here) tree_method.
MODELS = [
    ("logistic_d3", "binary:logistic", 8, 20,
     {"max_depth": 3, "tree_method": "exact"}),
    ("logistic_d6_base03", "binary:logistic", 12, 50,
     {"max_depth": 6, "base_score": 0.3, "tree_method": "hist"}),
    ("logitraw", "binary:logitraw", 10, 30,
     {"max_depth": 4, "base_score": 0.2, "tree_method": "exact"}),
    ("reg_logistic", "reg:logistic", 10, 30,
     {"max_depth": 5, "tree_method": "hist"}),
    ("squarederror_d8", "reg:squarederror", 20, 60,
     {"max_depth": 8, "base_score": 1.7, "tree_method": "exact"}),
    ("pseudohuber", "reg:pseudohubererror", 10, 30,
     {"max_depth": 5, "tree_method": "hist"}),
    ("absoluteerror", "reg:absoluteerror", 10, 30,
     {"max_depth": 4, "tree_method": "exact"}),
    ("poisson", "count:poisson", 10, 40,
     {"max_depth": 4, "tree_method": "hist"}),
    ("gamma", "reg:gamma", 10, 40,
     {"max_depth": 4, "base_score": 2.5, "tree_method": "exact"}),
    ("tweedie", "reg:tweedie", 10, 40,
     {"max_depth": 4, "tweedie_variance_power": 1.3, "tree_method": "hist"}),
    ("pairwise", "rank:pairwise", 10, 30,
     {"max_depth": 4, "tree_method": "exact"}),
    ("ndcg", "rank:ndcg", 10, 30,
     {"max_depth": 4, "tree_method": "hist"}),
    ("rank_map", "rank:map", 10, 30,
     {"max_depth": 4, "tree_method": "exact"}),
    ("squaredlog", "reg:squaredlogerror", 10, 30,
     {"max_depth": 4, "tree_method": "hist"}),
    ("softprob4", "multi:softprob", 10, 25,
     {"max_depth": 4, "num_class": 4, "tree_method": "hist"}),
    ("softmax3", "multi:softmax", 10, 25,
     {"max_depth": 3, "num_class": 3, "tree_method": "exact"}),
    ("rf_logistic", "binary:logistic", 10, 10,
     {"max_depth": 5, "num_parallel_tree": 4, "subsample": 0.7,
      "colsample_bynode": 0.7, "tree_method": "hist"}),
    ("rf_softprob3", "multi:softprob", 10, 8,
     {"max_depth": 4, "num_class": 3, "num_parallel_tree": 3,
      "subsample": 0.8, "tree_method": "exact"}),
    ("dart_logistic", "binary:logistic", 10, 30,
     {"booster": "dart", "max_depth": 4, "rate_drop": 0.3, "skip_drop": 0.0,
      "tree_method": "hist"}),
    ("dart_squarederror", "reg:squarederror", 10, 30,
     {"booster": "dart", "max_depth": 5, "rate_drop": 0.2,
      "normalize_type": "forest", "tree_method": "exact"}),
    ("stumps", "binary:logistic", 10, 100,
     {"max_depth": 1, "tree_method": "hist"}),
    ("lossguide_deep", "reg:squarederror", 10, 30,
     {"tree_method": "hist", "grow_policy": "lossguide", "max_leaves": 64,
      "max_depth": 0}),
    ("pruned", "binary:logistic", 10, 40,
     {"max_depth": 6, "gamma": 5, "tree_method": "exact"}),
    # base_plain and base_vector are derived from logistic_d3 (see main).
    # branch_t10/branch_t300: same data and seed; plain random rows only.
    ("branch_t10", "binary:logistic", 16, 10,
     {"max_depth": 6, "tree_method": "hist"}),
    ("branch_t300", "binary:logistic", 16, 300,
     {"max_depth": 6, "tree_method": "hist"}),
    # Added with the UBJSON, dump and gblinear readers. Keys starting with "_"
    # are ours, not XGBoost's: _targets (labels per row: a multi-target model,
    # one tree per target and round), _names and _types (the DMatrix's
    # feature_names and feature_types, which the model then carries).
    ("cox", "survival:cox", 10, 30,
     {"max_depth": 4, "tree_method": "hist"}),
    ("aft", "survival:aft", 10, 30,
     {"max_depth": 4, "aft_loss_distribution": "normal",
      "aft_loss_distribution_scale": 1.2, "tree_method": "exact"}),
    ("hinge", "binary:hinge", 10, 30,
     {"max_depth": 4, "tree_method": "hist"}),
    ("multi_target3", "reg:squarederror", 10, 20,
     {"max_depth": 4, "tree_method": "hist", "_targets": 3}),
    ("multi_label3", "binary:logistic", 10, 15,
     {"max_depth": 3, "tree_method": "hist", "num_parallel_tree": 2, "subsample": 0.8,
      "_targets": 3}),
    # Names that must survive m4, C strings and comments. ('$' broke m4 until
    # 2024-11, issue 11: m4 expands $1, $@, ... inside a definition's body.)
    ("named_features", "binary:logistic", 8, 20,
     {"max_depth": 4, "tree_method": "hist",
      "_names": ["age", "price $", "f0", 'q"uote', "back\\slash", "at@m4_len",
                 "bg4_x */ ??=", "na\u00efve"]}),
    # The same for a dump: XGBoost prints names into the dump unescaped, so no
    # quote or backslash here; "f0" names column 2, which the dump reader must
    # map by name, not as "feature 0".
    ("named_dump", "reg:squarederror", 8, 15,
     {"max_depth": 4, "tree_method": "hist",
      "_names": ["age", "price $", "f0", "f7", "at@m4_len", "bg4_x */ ??=", "na\u00efve",
                 "two words"]}),
    # Feature types other than "q": the ABI carries them; the dump of an
    # "int" or "i" feature is inexact, so only dump-int.json is written (for
    # the refusal test).
    ("typed_features", "reg:squarederror", 6, 15,
     {"max_depth": 3, "tree_method": "exact",
      "_names": ["a", "b", "c", "d", "e", "g"],
      "_types": ["q", "float", "int", "i", "q", "float"]}),
    # gblinear: coord_descent is deterministic (shotgun's threads are not).
    ("linear_logistic", "binary:logistic", 10, 20,
     {"booster": "gblinear", "updater": "coord_descent", "eta": 0.5}),
    ("linear_squarederror", "reg:squarederror", 12, 30,
     {"booster": "gblinear", "updater": "coord_descent", "base_score": 1.7,
      "lambda": 0.1, "alpha": 0.01}),
    ("linear_softprob3", "multi:softprob", 10, 20,
     {"booster": "gblinear", "updater": "coord_descent", "num_class": 3}),
    ("linear_poisson", "count:poisson", 10, 20,
     {"booster": "gblinear", "updater": "coord_descent"}),
    # At most 4 features: 2 feature bits in a node word, fewer than the 3 that
    # AVX2's vpermps reads (it read the distance too until 2024-11, issue 11).
    ("logistic_f4", "binary:logistic", 4, 20,
     {"max_depth": 4, "tree_method": "hist"}),
    # Categorical splits (enable_categorical; "_cats": {column: categories},
    # those columns typed "c"): partition-based splits (more categories than
    # max_cat_to_onehot, sets up to 100 categories: 4 bitset words), one-hot
    # splits (fewer: a set of one category), with numeric features mixed in.
    ("cat_logistic", "binary:logistic", 6, 30,
     {"max_depth": 5, "tree_method": "hist", "max_cat_to_onehot": 4,
      "_cats": {0: 100, 2: 3, 4: 40}}),
    ("cat_onehot_softprob3", "multi:softprob", 4, 15,
     {"max_depth": 4, "num_class": 3, "tree_method": "hist", "max_cat_to_onehot": 128,
      "_cats": {0: 70, 1: 5, 2: 33, 3: 66}}),
    ("cat_approx_softprob4", "multi:softprob", 6, 12,
     {"max_depth": 4, "num_class": 4, "tree_method": "approx", "max_cat_to_onehot": 8,
      "_cats": {1: 65, 3: 6, 5: 130}}),
    ("cat_squarederror_d7", "reg:squarederror", 8, 40,
     {"max_depth": 7, "tree_method": "hist", "max_cat_threshold": 20,
      "_cats": {0: 96, 1: 64, 2: 2, 5: 33}}),
    # test_branchless.c's pair for categorical kernels: same data and seed.
    ("cat_branch_t10", "binary:logistic", 12, 10,
     {"max_depth": 5, "tree_method": "hist", "_cats": {0: 50, 3: 7, 6: 100}}),
    ("cat_branch_t300", "binary:logistic", 12, 300,
     {"max_depth": 5, "tree_method": "hist", "_cats": {0: 50, 3: 7, 6: 100}}),
]

# Models whose test rows are only the random rows (no threshold rows).
PLAIN_ROWS_ONLY = {"branch_t10", "branch_t300", "cat_branch_t10", "cat_branch_t300"}

# Models without a dump variant: branch_t300 is the biggest to compile and
# adds nothing; typed_features has "int"/"i" features, which dumps print
# inexactly (it gets dump-int.json for the refusal test instead);
# named_features has names with '"' and '\', which XGBoost writes into a dump
# unescaped, so its dump is not valid JSON.
NO_DUMP = {"branch_t300", "typed_features", "named_features", "cat_branch_t10",
           "cat_branch_t300"}

# Dumps completed by --model-file instead of flags: DART (the weights are not
# in a dump), multi-target models (no flag for num_target), and two more to
# cover the path (one of them from the UBJSON file).
DUMP_WITH_MODEL_FILE = {"squarederror_d8": "model.ubj", "logistic_d3": "model.json",
                        # categorical: the feature types ("c") come from the model file
                        "cat_logistic": "model.json", "cat_onehot_softprob3": "model.ubj",
                        "cat_approx_softprob4": "model.json",
                        "cat_squarederror_d7": "model.json"}

# Models that share training data and seed with another model.
SHARED_SEED = {"branch_t300": "branch_t10", "cat_branch_t300": "cat_branch_t10"}

# aws-rtb: realistic integer ranges (inclusive) of its 7 features.
AWS_RANGES = [(1, 7), (0, 23), (0, 3), (0, 16000), (0, 40), (0, 400), (0, 6)]


def model_seed(name):
    """A fixed seed per model: its position in MODELS (or that of its twin)."""
    name = SHARED_SEED.get(name, name)
    return 1000 + [m[0] for m in MODELS].index(name)


def train_model(name, objective, ncols, rounds, extra):
    """Train one model; return (booster, seed)."""
    seed = model_seed(name)
    rng = np.random.default_rng([seed, 0])      # stream 0: training data
    x = gen_rows(rng, TRAIN_ROWS, ncols, specials=False)
    cats = extra.get("_cats", {})
    types = extra.get("_types")
    if cats:
        x = cat_columns(rng, x, cats, test=False)
        types = ["c" if j in cats else "q" for j in range(ncols)]
    y = make_labels(rng, cat_label_input(x, cats, seed) if cats else x, objective,
                    extra.get("num_class", 0), extra.get("_targets", 1))
    dm_args = {"missing": np.nan, "nthread": NTHREAD,
               "feature_names": extra.get("_names"), "feature_types": types}
    if cats:
        dm_args["enable_categorical"] = True
    if objective == "survival:aft":
        dtrain = xgb.DMatrix(x, **dm_args)
        dtrain.set_float_info("label_lower_bound", y[0])
        dtrain.set_float_info("label_upper_bound", y[1])
    else:
        dtrain = xgb.DMatrix(x, label=y, **dm_args)
    if objective.startswith("rank:"):
        dtrain.set_group([RANK_GROUP] * (TRAIN_ROWS // RANK_GROUP))
    params = {"objective": objective, "nthread": NTHREAD, "seed": seed,
              "verbosity": 1}
    params.update({k: v for k, v in extra.items() if not k.startswith("_")})
    bst = xgb.train(params, dtrain, num_boost_round=rounds)
    return bst, seed


def dump_args(name, model, model_dir):
    """The xgbc options that complete this model's dump, one list item per argument."""
    learner = model["learner"]
    lp = learner["learner_model_param"]
    gb = learner["gradient_booster"]
    if gb["name"] == "dart" or int(lp.get("num_target", "1")) > 1 or name in DUMP_WITH_MODEL_FILE:
        src = DUMP_WITH_MODEL_FILE.get(name, "model.json")
        return ["--model-file", os.path.abspath(os.path.join(model_dir, src))]
    args = ["--objective", learner["objective"]["name"], "--base-score", lp["base_score"],
            "--num-class", lp["num_class"]]
    names = learner.get("feature_names") or []
    if names:
        args += ["--feature-names", ",".join(names)]
    else:
        args += ["--num-feature", lp["num_feature"]]
    npt = int(gb["model"]["gbtree_model_param"]["num_parallel_tree"])
    if npt > 1:
        args += ["--num-parallel-tree", str(npt)]
    return args


def write_dump(bst, seed, name, model, model_dir, file_name="dump.json"):
    """The model's JSON dump (with stats for odd seeds) and the options completing it."""
    dumps = bst.get_dump(dump_format="json", with_stats=bool(seed % 2))
    write_atomic(os.path.join(model_dir, file_name),
                 ("[\n" + ",\n".join(dumps) + "\n]\n").encode())
    args = dump_args(name, model, model_dir)
    write_atomic(os.path.join(model_dir, file_name.replace(".json", ".args")),
                 "".join(a + "\n" for a in args).encode())


def check_ubj(bst, model_dir, x, name):
    """XGBoost predicts the same from model.ubj as from the booster it saved."""
    b = xgb.Booster(model_file=os.path.join(model_dir, "model.ubj"))
    dm = xgb.DMatrix(x, missing=np.nan, nthread=NTHREAD)
    for margin in (False, True):
        want = bst.predict(dm, output_margin=margin, validate_features=False)
        got = b.predict(dm, output_margin=margin, validate_features=False)
        assert np.array_equal(want.view(np.uint32), got.view(np.uint32)), name


def check_categorical(bst, model, x, name):
    """The model has categorical splits, partition-based or one-hot as its name
    says, and XGBoost's inplace prediction (the oracle of the inf rows) equals
    its DMatrix prediction."""
    sizes = [s for t in model_trees(model) for s in t.get("categories_sizes", [])]
    assert sizes, name + ": no categorical split"
    if "onehot" in name:
        assert max(sizes) == 1, name + ": expected one-hot splits only"
    else:
        assert max(sizes) > 1, name + ": expected partition-based splits"
    dm = xgb.DMatrix(x, missing=np.nan, nthread=NTHREAD)
    for margin in (False, True):
        want = bst.predict(dm, output_margin=margin, validate_features=False)
        got = bst.inplace_predict(x, predict_type="margin" if margin else "value",
                                  missing=np.nan, validate_features=False)
        assert np.array_equal(want.view(np.uint32), np.asarray(got).view(np.uint32)), name


def test_rows_for(seed, ncols, model, with_thresholds, cats=None):
    """Random test rows, then threshold rows of the saved (parsed) model (and,
    with categorical columns cats, rows on the categories of its splits)."""
    cats = cats or {}
    rng = np.random.default_rng([seed, 1])      # stream 1: test rows

    def rows(r, n):
        return cat_columns(r, gen_rows(r, n, ncols, specials=True), cats, test=True)
    x = rows(rng, RANDOM_TEST_ROWS)
    if not with_thresholds:
        return x
    pairs = split_thresholds(model)
    t = threshold_rows(rng, pairs, ncols, rows)
    if not cats:
        return np.concatenate([x, t])
    return np.concatenate([x, t, cat_rows(rng, model, ncols, rows)])


def aws_random_rows(rng, n):
    """Random aws-rtb rows over realistic integer ranges, ~10% NaN, ~3% specials."""
    x = np.empty((n, len(AWS_RANGES)), dtype=np.float32)
    for j, (a, b) in enumerate(AWS_RANGES):
        x[:, j] = rng.integers(a, b + 1, n)
    x[rng.random(x.shape) < NAN_FRACTION] = np.nan
    mask = rng.random(x.shape) < SPECIAL_FRACTION
    x[mask] = SPECIAL_VALUES[rng.integers(0, len(SPECIAL_VALUES), mask.sum())]
    return x


def read_sample_csv(path, ncols):
    """sample.csv: no header, ncols numbers a line, an empty cell is NaN."""
    rows = []
    with open(path) as f:
        for line in f:
            cells = line.rstrip("\n").split(",")
            assert len(cells) == ncols, (path, line)
            rows.append([float(c) if c.strip() else np.nan for c in cells])
    return np.array(rows, dtype=np.float32)


START = [time.monotonic()]


def report(name, objective, x, model=None):
    """One short stdout line per model (plus pruned-slot counts when present)."""
    extra = ""
    if model is not None:
        deleted, unreachable = node_stats(model)
        if deleted or unreachable:
            extra = "  deleted=%d unreachable=%d" % (deleted, unreachable)
    print("%-20s %-22s rows=%d cols=%d%s  (%.1f s)"
          % (name, objective, x.shape[0], x.shape[1], extra, time.monotonic() - START[0]),
          flush=True)


def main(argv):
    if len(argv) not in (2, 3):
        sys.stderr.write("usage: %s OUTDIR [SHARED_MODELS_DIR]\n" % argv[0])
        return 2
    outdir = argv[1]
    shared = argv[2] if len(argv) == 3 else None
    os.makedirs(outdir, exist_ok=True)
    start = time.monotonic()
    manifest = []
    trained = {}

    for name, objective, ncols, rounds, extra in MODELS:
        bst, seed = train_model(name, objective, ncols, rounds, extra)
        d = os.path.join(outdir, name)
        shutil.rmtree(d, ignore_errors=True)    # no file of an earlier run survives
        os.makedirs(d, exist_ok=True)
        model_bytes = save_model_bytes(bst, d)
        save_ubj(bst, d)
        model = json.loads(model_bytes)
        assert model["learner"]["objective"]["name"] == objective
        linear = model["learner"]["gradient_booster"]["name"] == "gblinear"
        x = test_rows_for(seed, ncols, model, name not in PLAIN_ROWS_ONLY and not linear,
                          extra.get("_cats"))
        write_model_dir(outdir, name, None, model_bytes, x, objective)
        check_ubj(bst, d, x[:2000], name)
        if extra.get("_cats"):
            check_categorical(bst, model, x, name)
            write_inf_rows(d, x, extra["_cats"], seed)
        if name == "typed_features":
            write_dump(bst, seed, name, model, d, "dump-int.json")
        elif not linear and name not in NO_DUMP:
            write_dump(bst, seed, name, model, d)
        trained[name] = (d, x, objective, extra)
        manifest.append(name)
        report(name, objective, x, model)

        if name == "logistic_d3":
            # base_plain / base_vector: logistic_d3 with base_score spelled
            # differently in model.json; XGBoost loads the original as oracle.
            # A textual replace keeps every other byte (json.dump would not).
            old = b'"base_score":"5E-1"'
            assert model_bytes.count(old) == 1, "expected base_score 5E-1 once"
            for variant, new in (("base_plain", b'"base_score":"0.5"'),
                                 ("base_vector", b'"base_score":"[5E-1]"')):
                shutil.rmtree(os.path.join(outdir, variant), ignore_errors=True)
                write_model_dir(outdir, variant, model_bytes.replace(old, new),
                                model_bytes, x, objective)
                manifest.append(variant)
                report(variant, objective, x)

    if shared is not None:
        # aws_rtb: a real model, no training. Rows: sample.csv, then threshold
        # rows, then random rows over realistic ranges.
        src = os.path.join(shared, "aws-rtb")
        with open(os.path.join(src, "model.json"), "rb") as f:
            model_bytes = f.read()
        model = json.loads(model_bytes)
        objective = model["learner"]["objective"]["name"]
        ncols = int(model["learner"]["learner_model_param"]["num_feature"])
        rng = np.random.default_rng([7000, 1])
        sample = read_sample_csv(os.path.join(src, "sample.csv"), ncols)
        t = threshold_rows(rng, split_thresholds(model), ncols, aws_random_rows)
        r = aws_random_rows(rng, RANDOM_TEST_ROWS)
        x = np.concatenate([sample, t, r])
        shutil.rmtree(os.path.join(outdir, "aws_rtb"), ignore_errors=True)
        write_model_dir(outdir, "aws_rtb", model_bytes, model_bytes, x, objective)
        d = os.path.join(outdir, "aws_rtb")
        for f in ("model.ubj", "model.dump.json"):
            with open(os.path.join(src, f), "rb") as fin:
                write_atomic(os.path.join(d, "dump.json" if "dump" in f else f), fin.read())
        args = dump_args("aws_rtb", model, d)
        write_atomic(os.path.join(d, "dump.args"), "".join(a + "\n" for a in args).encode())
        manifest.append("aws_rtb")
        report("aws_rtb", objective, x, model)

    # The 2.x/3.x schema fixtures, rewritten from models trained above.
    for name, source, rewrite, args, typed in fixtures.FIXTURES:
        d, x, objective, extra = trained[source]
        shutil.rmtree(os.path.join(outdir, name), ignore_errors=True)
        new_objective = fixtures.write_fixture(outdir, name, source, rewrite, args, typed, d, x,
                                               objective, extra, write_atomic)
        write_atomic(os.path.join(outdir, name, "x.f32"),
                     np.ascontiguousarray(x, dtype="<f4").tobytes())
        write_atomic(os.path.join(outdir, name, "meta.txt"),
                     ("%d %d %s\n" % (x.shape[0], x.shape[1], new_objective)).encode())
        manifest.append(name)
        report(name, new_objective, x)

    write_atomic(os.path.join(outdir, "MANIFEST"),
                 "".join(n + "\n" for n in manifest).encode())
    print("total %.1f s, %d models" % (time.monotonic() - start, len(manifest)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
