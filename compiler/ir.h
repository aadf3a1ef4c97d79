/* ir.h - xgbc's in-memory model (the IR): one forest of binary trees, whatever file it came from.
 *
 * Readers (read_*.c) build it, validate.c checks it, lower.c lays it out for the generated code.
 * The IR keeps the trees exactly as the file stores them, unreachable (pruned) node slots
 * included: only validate.c and lower.c walk from the root, and they ignore what they never reach.
 */
#ifndef XGBC_IR_H
#define XGBC_IR_H

#include <stddef.h>
#include <stdint.h>

#include "diag.h"

/* How margins become predictions (xgboost.md, "Output transform"). */
enum xgbc_transform {
  XGBC_TRANSFORM_IDENTITY, /* margin unchanged */
  XGBC_TRANSFORM_LOGISTIC, /* XGBoost's float sigmoid, 1e-16 included */
  XGBC_TRANSFORM_EXP,      /* expf(margin) */
  XGBC_TRANSFORM_SOFTPROB, /* softmax over the groups, summed in double */
  XGBC_TRANSFORM_SOFTMAX   /* index of the first largest margin */
};

/* How base_score becomes the starting margin (XGBoost's ProbToMargin). */
enum xgbc_base {
  XGBC_BASE_IDENTITY, /* b */
  XGBC_BASE_LOGIT,    /* -logf(1/b - 1), needs 0 < b < 1 */
  XGBC_BASE_LOG       /* logf(b), needs b > 0 */
};

struct xgbc_objective {
  const char *name; /* as XGBoost names it */
  enum xgbc_transform transform;
  enum xgbc_base base;
  int multiclass;   /* needs num_class >= 2 */
};

/* The supported objectives, or NULL. */
const struct xgbc_objective *xgbc_objective_find(const char *name);

/* Every supported objective name, comma separated, for diagnostics. */
const char *xgbc_objective_list(void);

#define XGBC_NO_CHILD (-1)

struct xgbc_node {
  int32_t left, right;  /* XGBC_NO_CHILD for both at a leaf */
  uint32_t feature;     /* split feature index (meaningless at a leaf) */
  float value;          /* split threshold: go left iff x < value; or the leaf value */
  uint8_t default_left; /* where NaN (missing) goes */
};

struct xgbc_tree {
  struct xgbc_node *nodes;
  uint32_t num_nodes;
  uint32_t group;       /* output group (class) this tree adds to */
  float weight;         /* DART weight; 1 for plain gbtree */
};

struct xgbc_model {
  char *objective;          /* name as written in the file */
  const struct xgbc_objective *obj; /* set by validation */
  float base_score;         /* as stored (probability scale for logistic objectives) */
  uint32_t num_features;
  uint32_t num_class;       /* 0 or 1: one group */
  uint32_t num_groups;      /* max(num_class, 1) */
  int weighted;             /* trees carry DART weights */
  uint32_t num_trees;
  struct xgbc_tree *trees;
  char **feature_names;     /* num_features strings, or NULL when the file has none */
  char booster[16];         /* "gbtree" or "dart", for the generated header */
  char version[32];         /* XGBoost version that wrote the file, if known */
  char trees_where[96];     /* where the trees sit in the source file, for diagnostics */
};

/* Release everything a reader allocated; the struct is left zeroed. Never fails. */
void xgbc_model_free(struct xgbc_model *m);

/* The starting margin of every group: ProbToMargin(base_score) in float, as XGBoost computes it.
 * Needs m->obj (set by xgbc_validate). */
float xgbc_model_base_margin(const struct xgbc_model *m);

#endif /* XGBC_IR_H */
