/* validate.c - semantic checks on the IR (see validate.h for the list). */
#include "validate.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Objectives XGBoost has that xgbc will support later: a clearer refusal than "unknown". */
static const char *const later[] = {
  "reg:expectileerror", /* 3.4+: a cross-target softplus transform no oracle here can check */
  "multi:softprob_vector",
};


static int check_objective(struct xgbc_model *m, struct xgbc_diag *d) {
  size_t i;

  m->obj = xgbc_objective_find(m->objective);
  if (m->obj != NULL)
    return 0;
  for (i = 0; i < sizeof later / sizeof later[0]; i++)
    if (strcmp(later[i], m->objective) == 0)
      return xgbc_fail(d, XGBC_EUNSUPPORTED, "learner.objective.name",
                       "objective \"%s\" is not supported yet", m->objective);
  return xgbc_fail(d, XGBC_EINVAL, "learner.objective.name",
                   "unknown objective \"%s\" (supported: %s)", m->objective,
                   xgbc_objective_list());
}


static int check_base(const struct xgbc_model *m, struct xgbc_diag *d) {
  const char *where = "learner.learner_model_param.base_score";
  uint32_t i;

  if (m->num_base_scores != 1 && m->num_base_scores != m->num_groups)
    return xgbc_fail(d, XGBC_EINVAL, where, "holds %u values, but the model has %u output "
                     "group%s", m->num_base_scores, m->num_groups, m->num_groups == 1 ? "" : "s");
  for (i = 0; i < m->num_base_scores; i++) {
    float b = m->base_scores[i];
    if (m->obj->base == XGBC_BASE_LOGIT && !(b > 0.0f && b < 1.0f))
      return xgbc_fail(d, XGBC_EINVAL, where, "%.9g must be in (0, 1) for %s", (double)b,
                       m->objective);
    if (m->obj->base == XGBC_BASE_LOG && !(b > 0.0f))
      return xgbc_fail(d, XGBC_EINVAL, where, "%.9g must be positive for %s", (double)b,
                       m->objective);
  }
  return 0;
}


/* gblinear: every weight and bias finite (a diverged model would predict NaN everywhere). */
static int check_linear(const struct xgbc_model *m, struct xgbc_diag *d) {
  char where[160];
  uint32_t i;

  for (i = 0; i < m->num_linear_weights; i++)
    if (!isfinite(m->linear_weights[i])) {
      snprintf(where, sizeof where, "%s[%u]", m->trees_where, i);
      return xgbc_fail(d, XGBC_EINVAL, where, "weight %g is not finite",
                       (double)m->linear_weights[i]);
    }
  return 0;
}


static int check_groups(const struct xgbc_model *m, struct xgbc_diag *d) {
  const char *where = "learner.learner_model_param.num_class";
  uint32_t *count, i;
  int err = 0;

  if (m->obj->multiclass && m->num_class < 2)
    return xgbc_fail(d, XGBC_EINVAL, where, "%s needs num_class >= 2, found %u", m->objective,
                     m->num_class);
  if (!m->obj->multiclass && m->num_class > 1)
    return xgbc_fail(d, XGBC_EINVAL, where, "num_class is %u but %s has one output",
                     m->num_class, m->objective);
  if (m->linear)
    return 0;
  if (m->num_trees == 0)
    return xgbc_fail(d, XGBC_EINVAL, m->trees_where, "the forest is empty: the model has no trees");
  count = calloc(m->num_groups, sizeof *count);
  if (count == NULL)
    return XGBC_ENOMEM;
  for (i = 0; i < m->num_trees && err == 0; i++) {
    if (m->trees[i].group >= m->num_groups)
      err = xgbc_fail(d, XGBC_EINVAL, "tree_info",
                      "tree %u belongs to group %u, but num_%s %u gives %u group%s", i,
                      m->trees[i].group, m->num_target > 1 ? "target" : "class",
                      m->num_target > 1 ? m->num_target : m->num_class, m->num_groups,
                      m->num_groups == 1 ? "" : "s");
    else
      count[m->trees[i].group]++;
  }
  for (i = 0; i < m->num_groups && err == 0; i++)
    if (count[i] == 0)
      err = xgbc_fail(d, XGBC_EINVAL, "tree_info",
                      "no tree belongs to group %u: num_%s %u disagrees with tree_info", i,
                      m->num_target > 1 ? "target" : "class",
                      m->num_target > 1 ? m->num_target : m->num_class);
  free(count);
  return err;
}


/* Walk tree t from its root; every reachable node must be well formed and reached once. */
static int check_tree(const struct xgbc_model *m, uint32_t t, uint8_t *seen, uint32_t *stack,
                      struct xgbc_diag *d) {
  const struct xgbc_tree *tree = &m->trees[t];
  uint32_t top = 0, n = tree->num_nodes;
  char where[160];

  memset(seen, 0, n);
  stack[top++] = 0;
  seen[0] = 1;
  while (top > 0) {
    uint32_t i = stack[--top];
    const struct xgbc_node *nd = &tree->nodes[i];
    int32_t kids[2] = {nd->left, nd->right};
    int k;

    snprintf(where, sizeof where, "%s[%u] node %u", m->trees_where, t, i);
    if ((nd->left == XGBC_NO_CHILD) != (nd->right == XGBC_NO_CHILD))
      return xgbc_fail(d, XGBC_EINVAL, where, "has a %s child but no %s child",
                       nd->left == XGBC_NO_CHILD ? "right" : "left",
                       nd->left == XGBC_NO_CHILD ? "left" : "right");
    if (nd->left == XGBC_NO_CHILD) {
      if (!isfinite(nd->value))
        return xgbc_fail(d, XGBC_EINVAL, where, "leaf value %g is not finite", (double)nd->value);
      continue;
    }
    if (nd->feature >= m->num_features)
      return xgbc_fail(d, XGBC_EINVAL, where, "splits on feature %u, but num_feature is %u",
                       nd->feature, m->num_features);
    /* A categorical split's split_condition is unused (XGBoost writes NaN there); its set is
     * categories[cat_begin..][..cat_count], which must lie inside the tree's list. */
    if (nd->categorical) {
      if (nd->cat_count > 0 && (tree->categories == NULL || nd->cat_begin > tree->num_categories ||
                                nd->cat_count > tree->num_categories - nd->cat_begin))
        return xgbc_fail(d, XGBC_EINVAL, where, "its %u categories from offset %u lie outside "
                         "the tree's %u categories", nd->cat_count, nd->cat_begin,
                         tree->num_categories);
    } else if (!isfinite(nd->value))
      return xgbc_fail(d, XGBC_EINVAL, where, "split threshold %g is not finite",
                       (double)nd->value);
    for (k = 0; k < 2; k++) {
      int32_t c = kids[k];
      if (c < 0 || (uint32_t)c >= n)
        return xgbc_fail(d, XGBC_EINVAL, where, "%s child %d is out of range (the tree has %u "
                         "nodes)", k ? "right" : "left", c, n);
      if (seen[c])
        return xgbc_fail(d, XGBC_EINVAL, where, "%s child %d is reached twice: the tree has "
                         "a cycle or a shared node", k ? "right" : "left", c);
      seen[c] = 1;
      stack[top++] = (uint32_t)c;
    }
  }
  return 0;
}


int xgbc_validate(struct xgbc_model *m, struct xgbc_diag *d) {
  uint8_t *seen;
  uint32_t *stack, t, max_nodes = 0;
  int err;

  if ((err = check_objective(m, d)) || (err = check_base(m, d)) || (err = check_groups(m, d)))
    return err;
  if (m->num_features == 0 || m->num_features > 0x7fffffffu)
    return xgbc_fail(d, XGBC_EINVAL, "learner.learner_model_param.num_feature",
                     "%u features is out of range", m->num_features);
  if (m->linear)
    return check_linear(m, d);
  for (t = 0; t < m->num_trees; t++)
    if (m->trees[t].num_nodes > max_nodes)
      max_nodes = m->trees[t].num_nodes;
  seen = malloc(max_nodes);
  stack = malloc((size_t)max_nodes * sizeof *stack + sizeof *stack);
  if (seen == NULL || stack == NULL) {
    free(seen);
    free(stack);
    return XGBC_ENOMEM;
  }
  for (t = 0; t < m->num_trees && err == 0; t++)
    err = check_tree(m, t, seen, stack, d);
  free(seen);
  free(stack);
  return err;
}
