#!/usr/bin/python3
"""Write the fuzz seed corpus: small models in every form the readers take.

    /usr/bin/python3 tests/fuzz/make_seeds.py tests/fuzz/corpus

Run with Debian's python3-xgboost (1.7.4). It trains tiny models (2-3 rounds,
depth <= 3, 4 features; fixed seeds) of each kind xgbc reads or refuses:
gbtree, DART, gblinear, multiclass, random forest, multi-target, pruned trees,
categorical splits, feature names, and writes each as

    json/NAME.json   save_model JSON
    ubj/NAME.ubj     save_model UBJSON, plus 2.x/3.x-style UBJSON with other
                     type choices (tests/oracle/fixtures.py's encoder)
    dump/NAME.txt    the option lines of tests/fuzz/fuzz_dump.c, an empty
                     line, then get_dump(dump_format="json") as one array

The output is committed; rerun only to refresh it. libFuzzer grows its own
corpus from these under build/fuzz/ (`make fuzz`).
"""

import json
import os
import sys

import numpy as np
import xgboost as xgb

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "oracle"))
import fixtures  # noqa: E402


def data(seed, n=200, cols=4):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, cols)).astype(np.float32)
    x[rng.random(x.shape) < 0.1] = np.nan
    s = np.nan_to_num(x[:, 0]) + 0.5 * np.nan_to_num(x[:, 1])
    return rng, x, s


def models():
    rng, x, s = data(1)
    yield "logistic", {"objective": "binary:logistic", "max_depth": 2}, x, s > 0, 3, {}
    yield "dart", {"objective": "reg:squarederror", "booster": "dart", "max_depth": 2,
                   "rate_drop": 0.5}, x, s, 3, {}
    yield "linear", {"objective": "multi:softprob", "num_class": 3, "booster": "gblinear",
                     "updater": "coord_descent"}, x, np.digitize(s, [-0.5, 0.5]), 2, {}
    yield "softmax_rf", {"objective": "multi:softmax", "num_class": 3, "max_depth": 2,
                         "num_parallel_tree": 2}, x, np.digitize(s, [-0.5, 0.5]), 2, {}
    yield "multi_target", {"objective": "reg:squarederror", "tree_method": "hist",
                           "max_depth": 2}, x, np.stack([s, -s], axis=1), 2, {}
    yield "pruned", {"objective": "binary:logistic", "max_depth": 3, "gamma": 3},\
        x, s > 0, 3, {}
    yield "named", {"objective": "count:poisson", "max_depth": 2}, x, np.abs(s), 2,\
        {"feature_names": ["a", "b c", "f0", "d"], "feature_types": ["q", "float", "int", "q"]}
    xc = x.copy()
    xc[:, 2] = np.abs(np.nan_to_num(np.round(xc[:, 2] * 2)))
    yield "categorical", {"objective": "binary:logistic", "max_depth": 2, "tree_method": "hist",
                          "max_cat_to_onehot": 1},\
        xc, np.isin(xc[:, 2], [1, 3, 4]), 3,\
        {"feature_types": ["q", "q", "c", "q"], "enable_categorical": True}


def main(out):
    for sub in ("json", "ubj", "dump"):
        os.makedirs(os.path.join(out, sub), exist_ok=True)
    for name, params, x, y, rounds, dm in models():
        params = dict(params, seed=7, nthread=1)
        d = xgb.DMatrix(x, label=np.asarray(y, dtype=np.float64), **dm)
        bst = xgb.train(params, d, num_boost_round=rounds)
        raw = bytes(bst.save_raw("json"))
        with open(os.path.join(out, "json", name + ".json"), "wb") as f:
            f.write(raw)
        with open(os.path.join(out, "ubj", name + ".ubj"), "wb") as f:
            f.write(bytes(bst.save_raw("ubj")))
        model = fixtures.load_model(raw)
        with open(os.path.join(out, "ubj", name + "_v3.ubj"), "wb") as f:
            f.write(fixtures.ubjson_encode(model, fixtures._typed_for_v3,
                                           counted_objects=name == "logistic"))
        if params.get("booster") == "gblinear":
            continue
        lp = model["learner"]["learner_model_param"]
        opts = ["--objective " + params["objective"], "--base-score " + lp["base_score"],
                "--num-class " + lp["num_class"], "--num-feature " + lp["num_feature"]]
        if "num_parallel_tree" in params:
            opts.append("--num-parallel-tree %d" % params["num_parallel_tree"])
        if "feature_names" in dm:
            opts.append("--feature-names " + ",".join(dm["feature_names"]))
        dump = bst.get_dump(dump_format="json", with_stats=name == "pruned")
        with open(os.path.join(out, "dump", name + ".txt"), "w") as f:
            f.write("\n".join(opts) + "\n\n[\n" + ",\n".join(dump) + "\n]\n")
    # Non-finite numbers as XGBoost writes them, and the 3.x vector base_score.
    with open(os.path.join(out, "json", "logistic.json"), "rb") as f:
        model = json.loads(f.read())
    t = model["learner"]["gradient_booster"]["model"]["trees"][0]
    t["split_conditions"][1] = float("nan")
    model["learner"]["learner_model_param"]["base_score"] = "[5E-1]"
    text = json.dumps(model, separators=(",", ":")).replace("NaN", "NaN")
    with open(os.path.join(out, "json", "nonfinite.json"), "w") as f:
        f.write(text.replace('"sum_hessian":[', '"sum_hessian":[Infinity,-Infinity,', 1))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "corpus"))
