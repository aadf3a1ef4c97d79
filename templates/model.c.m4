bg4_require(@<bg4_name@>, @<bg4_sha256@>, @<bg4_xgbc_version@>, @<bg4_objective@>,
  @<bg4_transform@>, @<bg4_num_features@>, @<bg4_num_outputs@>, @<bg4_num_trees@>,
  @<bg4_num_nodes@>, @<bg4_base_margin@>, @<bg4_feature_names@>, @<bg4_trees@>,
  @<bg4_nodes@>, @<bg4_emit@>, @<bg4_ifelse_trees@>, @<bg4_feature_bits@>, @<bg4_tops@>,
  @<bg4_base_margins@>, @<bg4_feature_types@>, @<bg4_categorical@>, @<bg4_num_cat_words@>,
  @<bg4_cat_bits@>)m4_dnl
m4_dnl
m4_dnl model.c.m4 - a compiled model: tables, kernels, transform, bg_model.
m4_dnl With bg4_emit branchless (the default) the kernels are branchless: a walk takes a fixed
m4_dnl number of steps per tree (its depth) and each step is arithmetic on the comparison
m4_dnl results, never a jump on a feature value; one kernel per ISA, from kernel_ISA.m4.
m4_dnl With bg4_emit ifelse the one kernel is nested if/else (kernel_ifelse.m4).
m4_dnl
m4_dnl bg4_split(INDEX, FEATURE, DEFAULT_LEFT, CHILD, THRESHOLD, SOURCE) - one split node
m4_dnl bg4_word(DEFAULT_LEFT, DISTANCE, FEATURE) - a node word (see struct node)
m4_define(@<bg4_word@>, @<m4_ifelse(@<$1@>, @<1@>, @<MISSING_LEFT | @>)$2u << FEATURE_BITS | $3u@>)m4_dnl
m4_define(@<bg4_split@>, @<  {$5, bg4_word(@<$3@>, m4_eval(@<$4 + 1 - $1@>), @<$2@>)}, m4_dnl
/* $1: x[$2] < $5 ? $4 : m4_eval(@<$4 + 1@>)m4_ifelse(@<$3@>, @<1@>, @<, missing left@>, m4_dnl
@<, missing right@>); node $6 */@>)m4_dnl
m4_dnl bg4_catsplit(INDEX, FEATURE, DEFAULT_LEFT, CHILD, CAT_SET(OFFSET), SOURCE, SIZE) - one
m4_dnl categorical split (only in models that have them)
m4_define(@<bg4_catsplit@>, @<  {$5, bg4_word(@<$3@>, m4_eval(@<$4 + 1 - $1@>), @<$2@>)}, m4_dnl
/* $1: x[$2] in set $5 ? m4_eval(@<$4 + 1@>) : $4m4_ifelse(@<$3@>, @<1@>, @<, missing left@>, m4_dnl
@<, missing right@>); node $6 */@>)m4_dnl
m4_dnl bg4_leaf(INDEX, CHILD, VALUE, SOURCE) - one leaf
m4_define(@<bg4_leaf@>, @<  {NAN, 0u}, /* $1: leaf $3; node $4 */@>)m4_dnl
m4_dnl bg4_tree_begin(INDEX, WEIGHT) - a comment between trees
m4_define(@<bg4_tree_begin@>, @<  /* tree $1@<@>m4_ifelse(bg4_booster, @<dart@>, m4_dnl
@< (DART weight $2, folded into its leaves)@>) */@>)m4_dnl
m4_dnl bg4_tree(INDEX, ROOT, NODES, DEPTH, GROUP) is defined before each tree table below.
m4_dnl bg4_feature_name(NAME) - one feature name, already escaped for a C string
m4_define(@<bg4_feature_name@>, @<  "$1",@>)m4_dnl
m4_dnl bg4_feature_type(TYPE) - one feature type, already escaped for a C string
m4_define(@<bg4_feature_type@>, @<  "$1",@>)m4_dnl
m4_define(@<bg4_multi@>, m4_ifelse(bg4_num_outputs, @<1@>, @<0@>, @<1@>))m4_dnl
bg4_header_comment(@<model.c@>, @<the compiled model bg4_name: tables, kernel and transform@>)

/* How to read this file
 *
m4_ifelse(bg4_emit, @<ifelse@>, @<m4_dnl
 * Compiled with `xgbc --emit ifelse`: each tree is a function of nested if/else (see the
 * kernel below), a baseline for benchmarks. The default, `--emit branchless`, writes table-
 * driven kernels that do not branch on the data. The margin of a row is base_margin plus the
 * trees' leaves, added in float in tree order, as XGBoost adds them; predict() applies the
 * objective's transform to it.
@>, @<m4_dnl
 * nodes[] holds every tree, one after another, each renumbered breadth-first from its root
 * (unreachable slots of the source model are gone; "node N" names the source index). A split
 * sends x to its left child when x[feature] < threshold, or when x is missing (NaN) and
 * MISSING_LEFT is set; otherwise to the right child. Children are adjacent, and a node stores
 * the distance to its right child, so the next node is index + distance - go_left. A leaf has
 * threshold NaN (every comparison is false) and distance 0, so it stays where it is: a walk
 * can take a fixed number of steps, the tree's depth, without ever branching on the data.
 * leaf_value[] holds the leaves' values (DART weights folded in). tree_root[], tree_depth[]
 * and tree_group[] give each tree's root, depth and output group. The margin of a row is
 * base_margin plus the leaves, added in float in tree order, as XGBoost adds them; predict()
 * applies the objective's transform to it.
 *
 * The kernels (one per instruction set, each from its own template) all compute exactly
 * that: scalar everywhere, SSE2 and AVX2 on x86-64 (AVX2 when the CPU has it, checked once at
 * run time), NEON on aarch64. bg_model_@<@>bg4_name.kernels lists them for tests and
 * benchmarks; predict and predict_margin use the best one.
m4_ifelse(bg4_categorical, @<1@>, @< *
 * Categorical splits: the threshold is CAT_SET(offset), a NaN (so x < threshold is false, as
 * at a leaf) whose payload is the offset of the split's bitset in cat_bits[], and the split's
 * slot in leaf_value[] holds the bitset's size in bits. As in XGBoost, a value that is not
 * missing goes right iff 0 <= x < size and category (int)x is in the set, so negative, huge
 * (>= 2^24), infinite and never-seen values go left; missing values go the default way.
@>)m4_dnl
@>)m4_dnl
 */
#include <math.h>
#include <stddef.h>
#include <stdint.h>

#include "model.h"

#define NUM_FEATURES bg4_num_features@<@>u
#define NUM_OUTPUTS bg4_num_outputs@<@>u
#define NUM_TREES bg4_num_trees@<@>u

m4_ifelse(bg4_multi, @<0@>, @<m4_dnl
/* XGBoost's starting margin: ProbToMargin(base_score = bg4_base_score) in float. */
static const float base_margin = bg4_base_margin;
#define BASE_MARGIN(g) base_margin
@>, @<m4_dnl
/* XGBoost's starting margins, one per output group: ProbToMargin(base_score) in float. */
static const float base_margins[NUM_OUTPUTS] = {bg4_base_margins};
#define BASE_MARGIN(g) base_margins[g]
@>)m4_dnl

static const char *const feature_names[NUM_FEATURES] = {
bg4_feature_names};

static const char *const feature_types[NUM_FEATURES] = {
bg4_feature_types};

m4_ifelse(bg4_categorical, @<1@>, @<m4_dnl
#define NUM_CAT_WORDS bg4_num_cat_words@<@>u

/* The sets of the categorical splits, one bitset block per split: category c is in the set
 * iff bit c % 32 of the block's word c / 32 is set. Categories outside [0, 2^24) are left out:
 * XGBoost never matches them. */
m4_define(@<bg4_cat_block@>, @<  /* cat_bits[$1..]: $2 bits, node $3 (tree $4, source node $5); categories $7 */
  $6,
@>)m4_dnl
static const uint32_t cat_bits[NUM_CAT_WORDS] = {
  0u, /* cat_bits[0]: the block that nodes other than categorical splits read */
bg4_cat_bits};

@>)m4_dnl
typedef void margins_fn(const float *x, size_t n_rows, float *out);

m4_ifelse(bg4_emit, @<ifelse@>, @<m4_dnl
m4_include(@<kernel_ifelse.m4@>)m4_dnl
@>, @<m4_dnl
#if defined(__x86_64__)
#include <immintrin.h>
#define HAVE_X86_KERNELS 1
#elif defined(__aarch64__)
#include <arm_neon.h>
#define HAVE_NEON_KERNEL 1
#endif

#define NUM_TREES_PAD ((NUM_TREES + 7u) / 8u * 8u) /* SIMD kernels read 8 trees at once */
#define MISSING_LEFT 0x80000000u /* in node.word: a missing value goes left */
#define FEATURE_BITS bg4_feature_bits@<@>u /* node.word: MISSING_LEFT | distance << FEATURE_BITS | feature */
#define FEATURE_MASK ((1u << FEATURE_BITS) - 1u)
#define DISTANCE_MASK ((1u << (31u - FEATURE_BITS)) - 1u) /* after >> FEATURE_BITS */

/* 8 bytes, so that a SIMD gather of 64-bit elements loads a whole node per lane. */
struct node {
  float threshold; /* split: go left iff x < threshold; leaf: NaN */
  uint32_t word;   /* split: MISSING_LEFT | (right child - index) << FEATURE_BITS | feature; leaf: 0 */
};

/* Compile-time checks (C99 has no _Static_assert): a negative array size fails the build. */
typedef char node_is_8_bytes[sizeof(struct node) == 8 ? 1 : -1];
typedef char node_offsets_fit_int32[bg4_num_nodes@<@>u < (1u << 28) ? 1 : -1];
m4_ifelse(bg4_categorical, @<1@>, @<m4_dnl

/* A categorical split's threshold: a quiet NaN with the offset of its bitset in cat_bits[] as
 * payload (xgbc keeps offsets below 2^22). Its bits, read as int32, exceed CAT_FLAG, the bits
 * of the plain NaN of leaves; every finite or infinite float's are below it. */
#define CAT_SET(offset) __builtin_nanf(#offset)
#define CAT_FLAG 0x7fc00000
#define CAT_OFFSET_MASK 0x003fffffu

union float_bits {
  float f;
  uint32_t u;
};

/* 1 if node (threshold, size) is a categorical split that sends x left although x is not
 * missing: x is negative, not below the set's size (so >= 2^24, infinite, or a category the
 * set cannot hold) or its category (int)x is not in the set; else 0 (and 0 for every other
 * node: a numeric split, or a leaf). No branch: the conversion and the bitset read use 0 when
 * x is not a candidate. size is the node's leaf_value[] slot (its bitset's size in bits). */
static inline uint32_t cat_left(float x, float threshold, float size) {
  union float_bits t = {threshold}, v = {x};
  uint32_t is_cat = (uint32_t)((int32_t)t.u > CAT_FLAG);
  uint32_t ok = is_cat & (uint32_t)(x >= 0.0f) & (uint32_t)(x < size);
  uint32_t c, in;

  v.u &= 0u - ok; /* x, or 0.0f when the conversion would not be a category */
  c = (uint32_t)v.f;
  in = (cat_bits[(t.u & CAT_OFFSET_MASK & (0u - is_cat)) + (c >> 5)] >> (c & 31u)) & ok;
  return is_cat & (uint32_t)(x == x) & (in ^ 1u);
}
@>)m4_dnl

static const struct node nodes[bg4_num_nodes] = {
bg4_nodes};

m4_define(@<bg4_split@>, @<  0.0f,@>)m4_dnl
m4_define(@<bg4_catsplit@>, @<  $7.0f, /* $1: categorical split, the size of its bitset */@>)m4_dnl
m4_define(@<bg4_leaf@>, @<  $3, /* $1 */@>)m4_dnl
m4_define(@<bg4_tree_begin@>, @<  /* tree $1 */@>)m4_dnl
/* The value of each leaf (0 at a split@<@>m4_ifelse(bg4_categorical, @<1@>, m4_dnl
@<; a categorical split's bitset size in bits@>)), indexed like nodes[]. */
static const float leaf_value[bg4_num_nodes] = {
bg4_nodes};

/* Per tree: root node, depth (steps of a walk), output group. The padding up to a multiple of
 * 8 (root 0, depth 0) only feeds SIMD lanes whose results are dropped. */
m4_define(@<bg4_tree@>, @<  $2u, /* tree $1: $3 nodes */
@>)m4_dnl
static const uint32_t tree_root[NUM_TREES_PAD] = {
bg4_trees};
m4_define(@<bg4_tree@>, @<$4u, @>)m4_dnl
static const uint32_t tree_depth[NUM_TREES_PAD] = {
  bg4_trees
};
m4_define(@<bg4_tree@>, @<$5u, @>)m4_dnl
static const uint32_t tree_group[NUM_TREES] = {
  bg4_trees
};

m4_include(@<kernel_scalar.m4@>)m4_dnl
#ifdef HAVE_X86_KERNELS
m4_include(@<kernel_sse2.m4@>)m4_dnl
m4_include(@<kernel_avx2.m4@>)m4_dnl
#endif
#ifdef HAVE_NEON_KERNEL
m4_include(@<kernel_neon.m4@>)m4_dnl
#endif
@>)m4_dnl

m4_dnl transform.m4 writes the objective's transform(); predict() is written below, per kernel.
m4_define(@<bg4_transform_only@>, 1)m4_dnl
m4_include(@<transform.m4@>)m4_dnl

/* The predictions of n_rows rows with margins kernel k: margins, then the transform per row
 * (scalar glibc expf/logf on every path, so all kernels agree to the bit). */
static inline void predict_with(margins_fn *k, const float *x, size_t n_rows, float *out) {
  size_t r;

m4_ifelse(bg4_transform, @<identity@>, @<m4_dnl
  (void)r;
  k(x, n_rows, out); /* bg4_objective: the margin is the prediction */
@>, bg4_transform, @<softprob@>, @<m4_dnl
  k(x, n_rows, out);
  for (r = 0; r < n_rows; r++)
    transform(out + r * NUM_OUTPUTS);
@>, bg4_transform, @<softmax@>, @<m4_dnl
  /* out has one value per row: margins go through a small buffer. */
  for (r = 0; r < n_rows; r += 16) {
    float m[16 * NUM_OUTPUTS];
    size_t j, n = n_rows - r < 16 ? n_rows - r : 16;

    k(x + r * NUM_FEATURES, n, m);
    for (j = 0; j < n; j++)
      out[r + j] = transform(m + j * NUM_OUTPUTS);
  }
@>, @<m4_dnl
  /* one transform per output (several outputs: a multi-target model, each on its own) */
  k(x, n_rows, out);
  for (r = 0; r < n_rows * NUM_OUTPUTS; r++)
    out[r] = transform(out[r]);
@>)m4_dnl
}

m4_dnl bg4_kernel(ISA) - the predict pair of one kernel, for the kernels[] table
m4_define(@<bg4_kernel@>, @<
static void predict_margin_$1(const float *x, size_t n_rows, float *out) {
  margins_$1(x, n_rows, out);
}

static void predict_$1(const float *x, size_t n_rows, float *out) {
  predict_with(margins_$1, x, n_rows, out);
}
@>)m4_dnl
m4_dnl bg4_kernel_entry(ISA) - one row of kernels[]
m4_define(@<bg4_kernel_entry@>, @<  {"$1", available_$1, predict_$1, predict_margin_$1},
@>)m4_dnl
m4_ifelse(bg4_emit, @<ifelse@>, @<m4_dnl
bg4_kernel(@<ifelse@>)
static const struct bg_kernel kernels[] = {
bg4_kernel_entry(@<ifelse@>)};

static margins_fn *best_margins(void) {
  return margins_ifelse;
}
@>, @<m4_dnl
bg4_kernel(@<scalar@>)m4_dnl
#ifdef HAVE_X86_KERNELS
bg4_kernel(@<sse2@>)m4_dnl
bg4_kernel(@<avx2@>)m4_dnl
#endif
#ifdef HAVE_NEON_KERNEL
bg4_kernel(@<neon@>)m4_dnl
#endif

static const struct bg_kernel kernels[] = {
bg4_kernel_entry(@<scalar@>)m4_dnl
#ifdef HAVE_X86_KERNELS
bg4_kernel_entry(@<sse2@>)m4_dnl
bg4_kernel_entry(@<avx2@>)m4_dnl
#endif
#ifdef HAVE_NEON_KERNEL
bg4_kernel_entry(@<neon@>)m4_dnl
#endif
};

/* The best kernel this CPU runs, chosen on first use and kept (a relaxed atomic: racing
 * first calls all store the same pointer). */
static margins_fn *best_margins(void) {
  static margins_fn *best;
  margins_fn *k = __atomic_load_n(&best, __ATOMIC_RELAXED);

  if (k == NULL) {
#if defined(HAVE_X86_KERNELS)
    k = available_avx2() ? margins_avx2 : margins_sse2;
#elif defined(HAVE_NEON_KERNEL)
    k = margins_neon;
#else
    k = margins_scalar;
#endif
    __atomic_store_n(&best, k, __ATOMIC_RELAXED);
  }
  return k;
}
@>)m4_dnl

static void predict_margin(const float *x, size_t n_rows, float *out) {
  best_margins()(x, n_rows, out);
}

static void predict(const float *x, size_t n_rows, float *out) {
  predict_with(best_margins(), x, n_rows, out);
}

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
  .num_kernels = sizeof kernels / sizeof kernels[0],
  .kernels = kernels,
};
