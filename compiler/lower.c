/* lower.c - breadth-first renumbering of validated trees into one node table (see lower.h). */
#include "lower.h"

#include <stdlib.h>
#include <string.h>


#define CAT_LIMIT (1u << 24) /* XGBoost: a value >= 2^24 is never a category (step 5) */

/* The bitset of categorical node nd of tree, appended to f->cat_bits; sets out's offset and
 * size. *cap is the allocated length of f->cat_bits. */
static int lower_categories(const struct xgbc_model *m, const struct xgbc_tree *tree,
                            const struct xgbc_node *nd, struct xgbc_flat_node *out,
                            struct xgbc_flat *f, uint32_t *cap, struct xgbc_diag *d) {
  uint32_t j, words, top = 0;

  for (j = 0; j < nd->cat_count; j++) {
    int32_t c = tree->categories[nd->cat_begin + j];
    if (c >= 0 && (uint32_t)c < CAT_LIMIT && (uint32_t)c + 1 > top)
      top = (uint32_t)c + 1;
  }
  words = top == 0 ? 1 : (top + 31) / 32; /* one zero word for a set that can never match */
  if (f->num_cat_words == 0)
    f->num_cat_words = 1; /* word 0: the zero block every other node reads (see lower.h) */
  if (f->num_cat_words + (uint64_t)words > XGBC_MAX_CAT_WORDS)
    return xgbc_fail(d, XGBC_EUNSUPPORTED, m->trees_where, "too large for the kernels' node "
                     "layout: the categorical splits' bitsets need more than %u words",
                     XGBC_MAX_CAT_WORDS);
  if (f->num_cat_words + words > *cap) {
    uint32_t n = *cap * 2 > f->num_cat_words + words ? *cap * 2 : f->num_cat_words + words;
    uint32_t *b = realloc(f->cat_bits, (size_t)n * sizeof *b);
    if (b == NULL)
      return xgbc_fail(d, XGBC_ENOMEM, m->trees_where, "out of memory for %u bitset words", n);
    if (*cap == 0)
      b[0] = 0;
    f->cat_bits = b;
    *cap = n;
  }
  memset(f->cat_bits + f->num_cat_words, 0, (size_t)words * sizeof *f->cat_bits);
  for (j = 0; j < nd->cat_count; j++) {
    int32_t c = tree->categories[nd->cat_begin + j];
    if (c >= 0 && (uint32_t)c < CAT_LIMIT)
      f->cat_bits[f->num_cat_words + (uint32_t)c / 32] |= 1u << ((uint32_t)c % 32);
  }
  out->categorical = 1;
  out->cat_offset = f->num_cat_words;
  out->cat_size = words * 32;
  out->cat_begin = nd->cat_begin;
  out->cat_count = nd->cat_count;
  f->num_cat_words += words;
  f->num_categorical++;
  return 0;
}


/* Append tree t at f->nodes[f->num_nodes]; queue is scratch of the tree's size. */
static int lower_tree(const struct xgbc_model *m, uint32_t t, struct xgbc_flat *f,
                      uint32_t *queue, uint32_t *depth, uint32_t *cat_cap,
                      struct xgbc_diag *d) {
  const struct xgbc_tree *tree = &m->trees[t];
  struct xgbc_flat_tree *ft = &f->trees[t];
  uint32_t base = f->num_nodes, head = 0, tail = 0;

  ft->root = base;
  ft->group = tree->group;
  ft->weight = tree->weight;
  ft->depth = 0;
  queue[tail] = 0;
  depth[tail++] = 0;
  /* Position in the queue is the node's new index relative to base: breadth-first order. */
  while (head < tail) {
    uint32_t src = queue[head], pos = base + head, dep = depth[head];
    const struct xgbc_node *nd = &tree->nodes[src];
    struct xgbc_flat_node *out = &f->nodes[pos];

    head++;
    memset(out, 0, sizeof *out);
    out->source = tree->source_ids ? tree->source_ids[src] : src;
    if (nd->left == XGBC_NO_CHILD) {
      out->is_leaf = 1;
      out->child = pos - 1u; /* wraps to UINT32_MAX for node 0: +1 comes back to 0 */
      out->leaf = nd->value * tree->weight; /* one float rounding, as XGBoost's leaf * w */
      if (dep > ft->depth)
        ft->depth = dep;
      continue;
    }
    out->child = base + tail;
    out->feature = nd->feature;
    out->threshold = nd->value;
    out->default_left = nd->default_left;
    if (nd->categorical) {
      int err = lower_categories(m, tree, nd, out, f, cat_cap, d);
      if (err)
        return err;
    }
    queue[tail] = (uint32_t)nd->left;
    depth[tail++] = dep + 1;
    queue[tail] = (uint32_t)nd->right;
    depth[tail++] = dep + 1;
  }
  ft->num_nodes = tail;
  f->num_nodes += tail;
  if (ft->depth > f->max_depth)
    f->max_depth = ft->depth;
  return 0;
}


/* Choose feature_bits and child_bits (see lower.h) and check that every split fits. */
static int pack_bits(const struct xgbc_model *m, struct xgbc_flat *f, struct xgbc_diag *d) {
  uint32_t i, max_dist = 0;

  f->feature_bits = 1;
  while (f->feature_bits < 31 && (m->num_features - 1) >> f->feature_bits != 0)
    f->feature_bits++;
  f->child_bits = 31 - f->feature_bits;
  for (i = 0; i < f->num_nodes; i++)
    if (!f->nodes[i].is_leaf && f->nodes[i].child + 1 - i > max_dist)
      max_dist = f->nodes[i].child + 1 - i;
  if (f->child_bits == 0 || max_dist >> f->child_bits != 0) {
    uint32_t fb = f->feature_bits;
    xgbc_flat_free(f);
    return xgbc_fail(d, XGBC_EUNSUPPORTED, m->trees_where,
                     "too large for the kernels' node layout: %u features need %u bits and a "
                     "child %u nodes away needs more than the %u bits left of 31",
                     m->num_features, fb, max_dist, 31 - fb);
  }
  return 0;
}


int xgbc_lower(const struct xgbc_model *m, struct xgbc_flat *f, struct xgbc_diag *d) {
  uint64_t total = 0;
  uint32_t t, biggest = 0, cat_cap = 0, *queue, *depth;
  int err = 0;

  memset(f, 0, sizeof *f);
  for (t = 0; t < m->num_trees; t++) {
    total += m->trees[t].num_nodes;
    if (m->trees[t].num_nodes > biggest)
      biggest = m->trees[t].num_nodes;
  }
  if (total >= 0x7fffffffu)
    return xgbc_fail(d, XGBC_EUNSUPPORTED, m->trees_where, "%llu nodes is too many",
                     (unsigned long long)total);
  f->nodes = malloc((size_t)total * sizeof *f->nodes);
  f->trees = calloc(m->num_trees, sizeof *f->trees);
  queue = malloc((size_t)biggest * sizeof *queue);
  depth = malloc((size_t)biggest * sizeof *depth);
  if (f->nodes == NULL || f->trees == NULL || queue == NULL || depth == NULL) {
    free(queue);
    free(depth);
    xgbc_flat_free(f);
    return xgbc_fail(d, XGBC_ENOMEM, "", "out of memory for %llu nodes",
                     (unsigned long long)total);
  }
  f->num_trees = m->num_trees;
  for (t = 0; t < m->num_trees && err == 0; t++)
    err = lower_tree(m, t, f, queue, depth, &cat_cap, d);
  free(queue);
  free(depth);
  if (err) {
    xgbc_flat_free(f);
    return err;
  }
  return pack_bits(m, f, d);
}


void xgbc_flat_free(struct xgbc_flat *f) {
  free(f->nodes);
  free(f->trees);
  free(f->cat_bits);
  memset(f, 0, sizeof *f);
}
