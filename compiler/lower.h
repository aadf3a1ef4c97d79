/* lower.h - lay a validated IR out as the flat node table the generated code walks.
 *
 * Each tree is renumbered breadth-first from its root, so a node's two children sit next to
 * each other (left = child, right = child + 1) and unreachable slots disappear. All trees share
 * one node array. A leaf is encoded so that a walk can take a fixed number of steps: its
 * threshold is NaN (every comparison is false, so it always goes "right") and its child is its
 * own index minus one (mod 2^32), so going right lands on itself.
 *
 * A categorical split's set becomes a bitset in cat_bits (bit c % 32 of word c / 32 is set iff
 * category c is in the set): the node keeps the offset of its block and the block's size in
 * bits. XGBoost sends a value right iff it is not missing, 0 <= x < 2^24 and (int)x is in the
 * set, so categories outside [0, 2^24) can never match and are left out of the bitset.
 */
#ifndef XGBC_LOWER_H
#define XGBC_LOWER_H

#include <stdint.h>

#include "diag.h"
#include "ir.h"

struct xgbc_flat_node {
  uint32_t child;       /* left child; right is child + 1. For a leaf: own index - 1 */
  uint32_t feature;     /* split feature (0 at a leaf) */
  float threshold;      /* go left iff x < threshold (split nodes only) */
  float leaf;           /* leaf value times the tree's weight, rounded to float (leaves only) */
  uint8_t is_leaf;
  uint8_t default_left; /* missing goes left */
  uint8_t categorical;  /* a category test: threshold is unused */
  uint32_t cat_offset;  /* categorical: its bitset is cat_bits[cat_offset..] (>= 1) */
  uint32_t cat_size;    /* ... of cat_size bits (a multiple of 32, at most 2^24) */
  uint32_t cat_begin, cat_count; /* ... made from these categories of its source tree */
  uint32_t source;      /* index of the node in the source tree, for comments */
};

struct xgbc_flat_tree {
  uint32_t root;        /* index of the root in the node table */
  uint32_t num_nodes;   /* reachable nodes */
  uint32_t depth;       /* steps from root to the deepest leaf */
  uint32_t group;
  float weight;
};

struct xgbc_flat {
  struct xgbc_flat_node *nodes;
  struct xgbc_flat_tree *trees;
  uint32_t num_nodes, num_trees, max_depth;
  /* The kernels pack a split's feature and its right child's distance (child + 1 - index)
   * into 31 bits: the feature in the low feature_bits (bits of num_features - 1, at least 1),
   * the distance in the child_bits above. */
  uint32_t feature_bits, child_bits;
  /* Bitsets of the categorical splits (see above). Word 0 is always 0: the block that
   * numeric splits and leaves read, so every kernel can look up unconditionally. NULL and
   * num_cat_words 0 when the model has no categorical split. */
  uint32_t *cat_bits;
  uint32_t num_cat_words;
  uint32_t num_categorical; /* categorical splits among the reachable nodes */
};

/* The kernels carry a categorical split's bitset offset in the payload of its NaN threshold:
 * 22 bits, so at most this many words of bitsets per model. */
#define XGBC_MAX_CAT_WORDS (1u << 22)

/* Build f from a model that passed xgbc_validate. Returns 0, XGBC_ENOMEM, or XGBC_EUNSUPPORTED
 * when a split's feature and child distance do not fit the 31-bit packing together (more than
 * 2^31 nodes, or e.g. 2^16 features and a tree of more than 2^15 nodes), or when the bitsets
 * of the categorical splits need more than XGBC_MAX_CAT_WORDS words. */
int xgbc_lower(const struct xgbc_model *m, struct xgbc_flat *f, struct xgbc_diag *d);

/* Release f; never fails. */
void xgbc_flat_free(struct xgbc_flat *f);

#endif /* XGBC_LOWER_H */
