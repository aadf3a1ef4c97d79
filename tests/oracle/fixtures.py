#!/usr/bin/python3
"""Model files in the XGBoost 2.x/3.x schemas, made from 1.7.4 models.

Debian ships one XGBoost (1.7.4), so the oracle cannot train a model in a
newer schema. Instead train.py hands each fixture below a model it trained
with 1.7.4; a fixture rewrites that model as the newer XGBoost would have
saved it (shared/reference/xgboost.md, "Model file versions") and writes

  model.json       the rewritten model: what xgbc compiles
  model.ubj        (some fixtures) the same document as UBJSON, written by
                   ubjson_encode below with other type choices than 1.7.4's
  oracle.json      the untouched 1.7.4 model: what XGBoost loads as oracle
  base_margin.f32  (when the rewrite changes the start margins) the start
                   margin of every row and output, float32, row-major: the
                   oracle test hands it to XGBoost as the DMatrix's
                   base_margin, so the expected predictions are XGBoost's own
                   output for the rewritten model
  README.md        how the fixture was made

A rewrite either keeps every prediction (then XGBoost's output for the 1.7.4
model is the expected output) or changes only the start margins, which
XGBoost 1.7.4 applies exactly when given as base_margin (margin = base_margin,
then every tree added in order, as for a stored base_score). Rewrites that
would change predictions in any other way are not made.

Run through train.py; nothing here trains a model.
"""

import copy
import ctypes
import json
import os
import struct

import numpy as np

_libc = ctypes.CDLL(None)
_libc.strtof.restype = ctypes.c_float
_libc.strtof.argtypes = [ctypes.c_char_p, ctypes.c_void_p]


def exact_float(text):
    """A JSON number as XGBoost reads it: C's strtof, correctly rounded to float32 once.

    The result is a Python float (double) equal to that float32, so writing it
    back (repr, struct 'f' or 'd') loses nothing. Python's own float() would
    round to double first, and rounding that to float32 can differ.
    """
    return float(_libc.strtof(text.encode(), None))


def load_model(data):
    """A model file's JSON with every float exact (see exact_float)."""
    return json.loads(data, parse_float=exact_float)


# ----------------------------------------------------------------------------
# A small UBJSON encoder (draft 12, big-endian), to write UBJSON files whose
# type choices differ from what XGBoost 1.7.4 writes: float64 and int8/int16
# typed arrays, 1-byte string lengths, counted objects. xgbc must read them all.
# ----------------------------------------------------------------------------

def _ubj_int(v):
    """The smallest UBJSON integer type holding v, with its marker."""
    for marker, fmt, lo, hi in (("i", ">b", -128, 127), ("U", ">B", 0, 255),
                                ("I", ">h", -2**15, 2**15 - 1),
                                ("l", ">i", -2**31, 2**31 - 1),
                                ("L", ">q", -2**63, 2**63 - 1)):
        if lo <= v <= hi:
            return marker.encode() + struct.pack(fmt, v)
    raise ValueError("integer out of range: %r" % v)


def _ubj_str(s):
    b = s.encode("utf-8")
    return _ubj_int(len(b)) + b


# Typed-array formats: marker -> struct format of one element.
_TYPED = {"i": ">b", "U": ">B", "I": ">h", "l": ">i", "L": ">q", "d": ">f", "D": ">d"}


def ubjson_encode(value, typed=None, counted_objects=False):
    """UBJSON bytes of a parsed JSON value.

    typed(key, list) may return a marker from _TYPED to write that list as a
    strongly typed array ("[$T#count" then raw elements); otherwise lists are
    written as "[#count" with markers. Python floats become float32 ('d'), as
    XGBoost writes its numbers; ints take the smallest type. With
    counted_objects, objects are written as "{#count" without a closing brace.
    """
    def enc(v, key):
        if v is None:
            return b"Z"
        if v is True:
            return b"T"
        if v is False:
            return b"F"
        if isinstance(v, int):
            return _ubj_int(v)
        if isinstance(v, float):
            return b"d" + struct.pack(">f", v)
        if isinstance(v, str):
            return b"S" + _ubj_str(v)
        if isinstance(v, list):
            t = typed(key, v) if typed else None
            if t is not None:
                fmt = _TYPED[t]
                body = b"".join(struct.pack(fmt, x) for x in v)
                return b"[$" + t.encode() + b"#" + _ubj_int(len(v)) + body
            return b"[#" + _ubj_int(len(v)) + b"".join(enc(x, key) for x in v)
        if isinstance(v, dict):
            body = b"".join(_ubj_str(k) + enc(x, k) for k, x in v.items())
            if counted_objects:
                return b"{#" + _ubj_int(len(v)) + body
            return b"{" + body + b"}"
        raise TypeError("cannot encode %r" % type(v))
    return enc(value, None)


# ----------------------------------------------------------------------------
# The rewrites
# ----------------------------------------------------------------------------

def _gbtree(model):
    gb = model["learner"]["gradient_booster"]
    return gb["gbtree"] if gb["name"] == "dart" else gb


def _json_bytes(model):
    """Compact JSON as XGBoost writes it (no spaces)."""
    return json.dumps(model, separators=(",", ":")).encode()


def _f32_literal(values):
    """A 3.1+ vector base_score string, "[v1,v2,...]", each the float32's shortest repr."""
    return "[" + ",".join(repr(float(np.float32(v))) for v in values) + "]"


def v2_iteration_indptr(model, params):
    """2.x: gbtree model carries iteration_indptr (trees per boosting round)."""
    m = copy.deepcopy(model)
    m["version"] = [2, 0, 3]
    gbm = _gbtree(m)["model"]
    n = len(gbm["trees"])
    per_round = params.get("num_class", 1) * params.get("num_parallel_tree", 1)
    assert n % per_round == 0
    gbm["iteration_indptr"] = list(range(0, n + 1, per_round))
    del gbm["gbtree_model_param"]["size_leaf_vector"]   # gone from 2.x's gbtree params
    return m, None, ("XGBoost 2.0's schema: `iteration_indptr` (the offsets of each boosting "
                     "round's trees, %d per round) added to the gbtree model, "
                     "`gbtree_model_param.size_leaf_vector` removed, version [2, 0, 3]. "
                     "Predictions are unchanged." % per_round)


def v31_base_vector(model, params, values):
    """3.1+: base_score stored as a vector, one value per output group."""
    m = copy.deepcopy(model)
    m["version"] = [3, 1, 0]
    m["learner"]["learner_model_param"]["base_score"] = _f32_literal(values)
    margins = np.asarray(values, dtype=np.float32)   # identity ProbToMargin only
    return m, margins, ("XGBoost 3.1's vector base_score: `%s`, one start value per output "
                        "group (this objective's ProbToMargin is the identity, so they are "
                        "the start margins). Expected predictions: XGBoost 1.7.4 on the "
                        "original model with these margins as the DMatrix's base_margin."
                        % m["learner"]["learner_model_param"]["base_score"])


def v33_dart_as_gbtree(model, params):
    """3.3+: DART saved as a plain gbtree that carries weight_drop itself."""
    m = copy.deepcopy(model)
    m["version"] = [3, 3, 0]
    gb = m["learner"]["gradient_booster"]
    assert gb["name"] == "dart"
    m["learner"]["gradient_booster"] = {"name": "gbtree", "model": gb["gbtree"]["model"],
                                        "weight_drop": gb["weight_drop"]}
    return m, None, ("XGBoost 3.3's DART: `gradient_booster` is `{\"name\": \"gbtree\", "
                     "\"model\": ..., \"weight_drop\": [...]}` instead of a `dart` object "
                     "wrapping a gbtree. Predictions are unchanged.")


def v2_quantile(model, params, alphas):
    """2.x: reg:quantileerror with several quantiles (one target per quantile)."""
    m = copy.deepcopy(model)
    m["version"] = [2, 1, 0]
    assert int(m["learner"]["learner_model_param"]["num_target"]) == len(alphas)
    m["learner"]["objective"] = {
        "name": "reg:quantileerror",
        "quantile_loss_param": {"quantile_alpha": _f32_literal(alphas)}}
    return m, None, ("XGBoost 2.0's `reg:quantileerror` with quantile_alpha %s: one output per "
                     "quantile, made from a 1.7.4 multi-target reg:squarederror model (one "
                     "tree per target per round, num_target %d) by renaming the objective. "
                     "Both objectives predict the margin unchanged, so predictions are the "
                     "original model's." % (_f32_literal(alphas), len(alphas)))


def v15_bool_default_left(model, params):
    """<= 1.5: default_left stored as JSON booleans."""
    m = copy.deepcopy(model)
    m["version"] = [1, 5, 2]
    for t in _gbtree(m)["model"]["trees"]:
        t["default_left"] = [bool(v) for v in t["default_left"]]
    return m, None, ("XGBoost <= 1.5's `default_left` as JSON booleans instead of 0/1. "
                     "Predictions are unchanged.")


def _typed_for_v3(key, values):
    """Type choices a 3.x writer could make, deliberately unlike 1.7.4's."""
    if key in ("split_conditions", "base_weights", "loss_changes", "sum_hessian"):
        return "D"                       # float64 (3.x F64Array)
    if key in ("left_children", "right_children"):
        return "I"                       # int16
    if key == "parents":
        return "l"                       # int32: the root's parent is 2^31 - 1
    if key == "split_indices":
        return "L"                       # int64 (feature_is_64)
    if key in ("default_left", "split_type"):
        return "i"                       # int8
    if key == "tree_info":
        return "l"
    return None


# name -> (source model, rewrite, extra args, UBJSON type choices or None)
FIXTURES = [
    ("v2_indptr_rf", "rf_softprob3", v2_iteration_indptr, (), None),
    ("v31_base_vector_softprob", "softprob4", v31_base_vector, ([0.1, 0.2, 0.3, 0.4],), None),
    ("v33_dart_gbtree", "dart_logistic", v33_dart_as_gbtree, (), _typed_for_v3),
    ("v2_quantile3", "multi_target3", v2_quantile, ([0.1, 0.5, 0.9],), None),
    ("v31_quantile3_base", "multi_target3", lambda m, p: _chain(
        m, p, lambda a, b: v2_quantile(a, b, [0.1, 0.5, 0.9]),
        lambda a, b: v31_base_vector(a, b, [1.5, -0.25, 3.0])), (), _typed_for_v3),
    ("v15_bool_default_left", "logistic_d3", v15_bool_default_left, (), None),
]


def _chain(model, params, first, second):
    m1, _, why1 = first(model, params)
    m2, margins, why2 = second(m1, params)
    return m2, margins, why1 + " Then: " + why2


def write_fixture(outdir, name, source, rewrite, args, typed, source_dir, x, objective,
                  params, write_atomic):
    """Make fixture name from the model saved in source_dir; return the objective it has."""
    with open(os.path.join(source_dir, "model.json"), "rb") as f:
        original_bytes = f.read()
    model = load_model(original_bytes)
    rewritten, margins, why = rewrite(model, params, *args)
    d = os.path.join(outdir, name)
    os.makedirs(d, exist_ok=True)
    write_atomic(os.path.join(d, "model.json"), _json_bytes(rewritten))
    files = ["model.json"]
    if typed is not None:
        write_atomic(os.path.join(d, "model.ubj"), ubjson_encode(rewritten, typed))
        files.append("model.ubj")
    write_atomic(os.path.join(d, "oracle.json"), original_bytes)
    outputs = 1
    if margins is not None:
        outputs = len(margins)
        bm = np.ascontiguousarray(np.tile(margins, (x.shape[0], 1)), dtype="<f4")
        write_atomic(os.path.join(d, "base_margin.f32"), bm.tobytes())
        files.append("base_margin.f32")
    new_objective = rewritten["learner"]["objective"]["name"]
    readme = ["# %s: an XGBoost %s-schema fixture" % (name, ".".join(
                  str(v) for v in rewritten["version"][:2])),
              "",
              "Made by tests/oracle/fixtures.py (run from train.py) from the oracle model "
              "`%s` (%s, trained by XGBoost 1.7.4 in the same run)." % (source, objective),
              "",
              "Transform: " + why,
              "",
              "Files: " + ", ".join("`%s`" % f for f in files) + ", `oracle.json` (the "
              "untouched 1.7.4 model, which XGBoost loads as the reference), `x.f32` (test "
              "rows).",
              ]
    if typed is not None:
        readme += ["", "`model.ubj` is the same document as UBJSON written by "
                   "fixtures.ubjson_encode with other type choices than XGBoost 1.7.4 makes "
                   "(float64 and int8/int16/int64 typed arrays)."]
    if margins is not None:
        readme += ["", "`base_margin.f32` holds the start margins (%d per row); the oracle test "
                   "passes them to XGBoost as base_margin." % outputs]
    write_atomic(os.path.join(d, "README.md"), ("\n".join(readme) + "\n").encode())
    return new_objective
