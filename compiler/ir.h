/* ir.h - xgbc's in-memory model (the IR): a forest of binary trees or a linear model, whatever
 * file it came from.
 *
 * Readers (read_*.c) build it, validate.c checks it, lower.c lays trees out for the generated
 * code. The IR keeps the trees exactly as the file stores them, unreachable (pruned) node slots
 * included: only validate.c and lower.c walk from the root, and they ignore what they never reach.
 */
#ifndef XGBC_IR_H
#define XGBC_IR_H

#include <stddef.h>
#include <stdint.h>

#include "diag.h"

/* How margins become predictions (xgboost.md, "Output transform"). */
enum xgbc_transform {
  XGBC_TRANSFORM_IDENTITY,   /* margin unchanged */
  XGBC_TRANSFORM_LOGISTIC,   /* XGBoost's float sigmoid, 1e-16 included */
  XGBC_TRANSFORM_EXP,        /* expf(margin) */
  XGBC_TRANSFORM_EXP_DOUBLE, /* (float)exp((double)margin): survival:aft */
  XGBC_TRANSFORM_HINGE,      /* margin > 0 ? 1 : 0 */
  XGBC_TRANSFORM_SOFTPROB,   /* softmax over the groups, summed in double */
  XGBC_TRANSFORM_SOFTMAX     /* index of the first largest margin */
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
  uint8_t categorical;  /* split_type 1: a category test (right iff x is in the set) */
  uint32_t cat_begin;   /* categorical: the node's categories are tree->categories[cat_begin..] */
  uint32_t cat_count;   /* ... cat_count of them, as the file lists them */
};

struct xgbc_tree {
  struct xgbc_node *nodes;
  uint32_t num_nodes;
  uint32_t group;       /* output group (class or target) this tree adds to */
  float weight;         /* DART weight; 1 for plain gbtree */
  int32_t *categories;  /* every categorical node's categories, concatenated; may be NULL */
  uint32_t num_categories;
  uint32_t *source_ids; /* per node, its id in the source file; NULL when that is its index */
};

struct xgbc_model {
  char *objective;          /* name as written in the file */
  const struct xgbc_objective *obj; /* set by validation */
  float base_score;         /* base_scores[0] */
  float *base_scores;       /* as stored (probability scale for logistic objectives): one, or
                               one per group (the 3.1+ vector form) */
  uint32_t num_base_scores;
  uint32_t num_features;
  uint32_t num_class;       /* 0 or 1: one group */
  uint32_t num_target;      /* 0 or 1: one target; > 1: one output group per target */
  uint32_t num_groups;      /* max(num_class, num_target, 1) */
  int weighted;             /* trees carry DART weights */
  int linear;               /* gblinear: linear_weights instead of trees */
  uint32_t num_trees;
  struct xgbc_tree *trees;
  float *linear_weights;    /* gblinear: num_features rows of num_groups weights, then the bias
                               row of num_groups */
  uint32_t num_linear_weights;
  char **feature_names;     /* num_features strings, or NULL when the file has none */
  char **feature_types;     /* num_features strings ("q", "int", "c", ...), or NULL */
  char booster[16];         /* "gbtree", "dart" or "gblinear", for the generated header */
  char version[32];         /* XGBoost version that wrote the file, if known */
  char trees_where[96];     /* where the trees sit in the source file, for diagnostics */
};

/* Release everything a reader allocated; the struct is left zeroed. Never fails. */
void xgbc_model_free(struct xgbc_model *m);

/* Set m's base score(s) to the n values of v (copied). Returns 0 or XGBC_ENOMEM. */
int xgbc_model_set_base_scores(struct xgbc_model *m, const float *v, uint32_t n);

/* The starting margin of group 0: ProbToMargin(base_score) in float, as XGBoost computes it.
 * Needs m->obj (set by xgbc_validate). */
float xgbc_model_base_margin(const struct xgbc_model *m);

/* The starting margin of group g (< num_groups): its own base score when the model stores one
 * per group, else the shared one. Needs m->obj. */
float xgbc_model_group_base_margin(const struct xgbc_model *m, uint32_t g);

#endif /* XGBC_IR_H */
