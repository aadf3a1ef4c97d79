/* lower.c - breadth-first renumbering of validated trees into one node table (see lower.h). */
#include "lower.h"

#include <stdlib.h>
#include <string.h>


/* Append tree t at f->nodes[f->num_nodes]; queue is scratch of the tree's size. */
static void lower_tree(const struct xgbc_model *m, uint32_t t, struct xgbc_flat *f,
                       uint32_t *queue, uint32_t *depth) {
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
    queue[tail] = (uint32_t)nd->left;
    depth[tail++] = dep + 1;
    queue[tail] = (uint32_t)nd->right;
    depth[tail++] = dep + 1;
  }
  ft->num_nodes = tail;
  f->num_nodes += tail;
  if (ft->depth > f->max_depth)
    f->max_depth = ft->depth;
}


int xgbc_lower(const struct xgbc_model *m, struct xgbc_flat *f, struct xgbc_diag *d) {
  uint64_t total = 0;
  uint32_t t, biggest = 0, *queue, *depth;

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
  for (t = 0; t < m->num_trees; t++)
    lower_tree(m, t, f, queue, depth);
  free(queue);
  free(depth);
  return 0;
}


void xgbc_flat_free(struct xgbc_flat *f) {
  free(f->nodes);
  free(f->trees);
  memset(f, 0, sizeof *f);
}
