bg4_require(@<bg4_name@>, @<bg4_sha256@>, @<bg4_xgbc_version@>, @<bg4_objective@>,
  @<bg4_transform@>, @<bg4_num_features@>, @<bg4_num_outputs@>, @<bg4_num_trees@>,
  @<bg4_num_nodes@>, @<bg4_base_margin@>, @<bg4_feature_names@>, @<bg4_trees@>,
  @<bg4_nodes@>, @<bg4_base_margins@>, @<bg4_feature_types@>)m4_dnl
m4_dnl
m4_dnl model.c.m4 - a compiled model: node table, tree table, kernel, transform, bg_model.
m4_dnl The kernel is branchless: a walk takes a fixed number of steps per tree (its depth) and
m4_dnl each step is arithmetic on the comparison results, never a jump on a feature value.
m4_dnl
m4_dnl bg4_split(INDEX, FEATURE, DEFAULT_LEFT, CHILD, THRESHOLD, SOURCE) - one split node
m4_define(@<bg4_split@>, @<  {$5, $2u@<@>m4_ifelse(@<$3@>, @<1@>, @< | MISSING_LEFT@>), $4u, 0.0f}, m4_dnl
/* $1: x[$2] < $5 ? $4 : m4_eval(@<$4 + 1@>)m4_ifelse(@<$3@>, @<1@>, @<, missing left@>, m4_dnl
@<, missing right@>); node $6 */@>)m4_dnl
m4_dnl bg4_leaf(INDEX, CHILD, VALUE, SOURCE) - one leaf
m4_define(@<bg4_leaf@>, @<  {NAN, 0u, $2u, $3}, /* $1: leaf; node $4 */@>)m4_dnl
m4_dnl bg4_tree_begin(INDEX, WEIGHT) - a comment between trees
m4_define(@<bg4_tree_begin@>, @<  /* tree $1@<@>m4_ifelse(bg4_booster, @<dart@>, m4_dnl
@< (DART weight $2, folded into its leaves)@>) */@>)m4_dnl
m4_dnl bg4_tree(INDEX, ROOT, NODES, DEPTH, GROUP) - one row of the tree table
m4_define(@<bg4_tree@>, @<  {$2u, $4u, $5u}, /* tree $1: $3 nodes */@>)m4_dnl
m4_dnl bg4_feature_name(NAME) - one feature name, already escaped for a C string
m4_define(@<bg4_feature_name@>, @<  "$1",@>)m4_dnl
m4_dnl bg4_feature_type(TYPE) - one feature type, already escaped for a C string
m4_define(@<bg4_feature_type@>, @<  "$1",@>)m4_dnl
m4_define(@<bg4_multi@>, m4_ifelse(bg4_num_outputs, @<1@>, @<0@>, @<1@>))m4_dnl
bg4_header_comment(@<model.c@>, @<the compiled model bg4_name: tables, kernel and transform@>)

/* How to read this file
 *
 * nodes[] holds every tree, one after another, each renumbered breadth-first from its root
 * (unreachable slots of the source model are gone; "node N" names the source index). A split
 * sends x to child when x[feature] < threshold, or when x is missing (NaN) and MISSING_LEFT is
 * set; otherwise to child + 1. A leaf has threshold NaN, so every comparison is false and it
 * always goes to child + 1, which is itself: a walk can take a fixed number of steps, the
 * tree's depth, without ever branching on the data. trees[] gives each tree's root, depth and
 * output group. The margin of a row is base_margin plus the leaves, added in float in tree
 * order, as XGBoost adds them; predict() applies the objective's transform to it.
 */
#include <math.h>
#include <stddef.h>
#include <stdint.h>

#include "model.h"

#define NUM_FEATURES bg4_num_features@<@>u
#define NUM_OUTPUTS bg4_num_outputs@<@>u
#define NUM_TREES bg4_num_trees@<@>u
#define MISSING_LEFT 0x80000000u /* in node.feature: a missing value goes left */
#define FEATURE_MASK 0x7fffffffu

struct node {
  float threshold;  /* split: go to child iff x < threshold; leaf: NaN */
  uint32_t feature; /* feature index, | MISSING_LEFT */
  uint32_t child;   /* left child; the right child is child + 1 */
  float leaf;       /* leaf value (0 at a split) */
};

struct tree {
  uint32_t root, depth, group;
};

static const struct node nodes[bg4_num_nodes] = {
bg4_nodes};

static const struct tree trees[NUM_TREES] = {
bg4_trees};

m4_ifelse(bg4_multi, @<0@>, @<m4_dnl
/* XGBoost's starting margin: ProbToMargin(base_score = bg4_base_score) in float. */
static const float base_margin = bg4_base_margin;
@>, @<m4_dnl
/* XGBoost's starting margins, one per output group: ProbToMargin(base_score) in float. */
static const float base_margins[NUM_OUTPUTS] = {bg4_base_margins};
@>)m4_dnl

static const char *const feature_names[NUM_FEATURES] = {
bg4_feature_names};

static const char *const feature_types[NUM_FEATURES] = {
bg4_feature_types};

/* One walk: depth steps from node i. Each step turns two comparisons into 0 or 1 and adds. */
static inline uint32_t walk(const float *row, uint32_t i, uint32_t depth) {
  for (; depth > 0; depth--) {
    const struct node *n = &nodes[i];
    float x = row[n->feature & FEATURE_MASK];
    uint32_t go_left = (uint32_t)(x < n->threshold) | ((uint32_t)(x != x) & (n->feature >> 31));
    i = n->child + 1u - go_left;
  }
  return i;
}

m4_ifelse(bg4_multi, @<0@>, @<m4_dnl
/* The margin of one row. */
static float margin(const float *row) {
  float m = base_margin;
  uint32_t t;

  for (t = 0; t < NUM_TREES; t++)
    m += nodes[walk(row, trees[t].root, trees[t].depth)].leaf;
  return m;
}
@>, @<m4_dnl
/* The NUM_OUTPUTS margins of one row; each tree adds to its group's. */
static void margins(const float *row, float *m) {
  uint32_t t, g;

  for (g = 0; g < NUM_OUTPUTS; g++)
    m[g] = base_margins[g];
  for (t = 0; t < NUM_TREES; t++)
    m[trees[t].group] += nodes[walk(row, trees[t].root, trees[t].depth)].leaf;
}
@>)m4_dnl

static void predict_margin(const float *x, size_t n_rows, float *out) {
  size_t r;

  for (r = 0; r < n_rows; r++)
m4_ifelse(bg4_multi, @<0@>, @<m4_dnl
    out[r] = margin(x + r * NUM_FEATURES);
@>, @<m4_dnl
    margins(x + r * NUM_FEATURES, out + r * NUM_OUTPUTS);
@>)m4_dnl
}

m4_include(@<transform.m4@>)

const struct bg_model bg_model_@<@>bg4_name = {
  .name = "bg4_name",
  .sha256 = "bg4_sha256",
  .xgbc_version = "bg4_xgbc_version",
  .objective = "bg4_objective",
  .num_features = NUM_FEATURES,
  .num_outputs = NUM_OUTPUTS,
  .num_trees = NUM_TREES,
  .feature_names = feature_names,
  .predict = predict,
  .predict_margin = predict_margin,
  .abi_version = BG_MODEL_ABI_VERSION,
  .predict_width = m4_ifelse(bg4_transform, @<softmax@>, @<1u@>, @<NUM_OUTPUTS@>),
  .feature_types = feature_types,
};
