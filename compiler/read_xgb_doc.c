/* read_xgb_doc.c - a save_model document (cJSON tree, from JSON or UBJSON) into the IR.
 *
 * Both file formats hold the same document, so one mapping serves both and they cannot mean
 * different things. Every place a diagnostic names is a path in that document, e.g.
 * "learner.gradient_booster.model.trees[3].left_children[7]". The schemas of XGBoost 1.x, 2.x
 * and 3.x are understood (xgboost.md, "Model file versions"): base_score as "0.5", "5E-1" or
 * the vector "[5E-1]"; iteration_indptr; DART as "dart" wrapping a gbtree, or (3.3+) a gbtree
 * carrying weight_drop; gblinear; one output group per target (num_target). Vector-leaf
 * (multi-target) trees are refused.
 */
#include "read_doc.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* At most this many base scores, targets or classes: a generated file holds one row each. */
#define MAX_GROUPS 65536u


const char *xgbc_doc_type_name(const cJSON *v) {
  if (v == NULL)
    return "nothing";
  if (cJSON_IsNumber(v))
    return "a number";
  if (cJSON_IsString(v))
    return "a string";
  if (cJSON_IsArray(v))
    return "an array";
  if (cJSON_IsObject(v))
    return "an object";
  if (cJSON_IsBool(v))
    return "a boolean";
  if (cJSON_IsNull(v))
    return "null";
  return "an unknown value";
}


/* Mark a path that did not fit in its buffer, so a clipped path is never mistaken for a whole. */
static const char *path_clip(char *out, size_t n, int written) {
  if (written >= (int)n && n > 4)
    memcpy(out + n - 4, "...", 4);
  return out;
}


const char *xgbc_path_key(char *out, size_t n, const char *base, const char *key) {
  return path_clip(out, n, snprintf(out, n, "%s%s%s", base, *base ? "." : "", key));
}


const char *xgbc_path_idx(char *out, size_t n, const char *base, size_t i) {
  return path_clip(out, n, snprintf(out, n, "%s[%zu]", base, i));
}


/* Member key of obj (an object at path), which must exist and satisfy check. */
static int member(const cJSON *obj, const char *path, const char *key,
                  cJSON_bool (*check)(const cJSON *), const char *want, const cJSON **out,
                  struct xgbc_diag *d) {
  char p[256];
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

  xgbc_path_key(p, sizeof p, path, key);
  if (v == NULL)
    return xgbc_fail(d, XGBC_ESCHEMA, path, "missing field \"%s\"", key);
  if (!check(v))
    return xgbc_fail(d, XGBC_ESCHEMA, p, "expected %s, found %s", want, xgbc_doc_type_name(v));
  *out = v;
  return 0;
}


int xgbc_doc_uint(const cJSON *v, const char *path, uint32_t max, uint32_t *out,
                  struct xgbc_diag *d) {
  double x;

  if (cJSON_IsString(v)) {
    const char *s = v->valuestring;
    char *end;
    unsigned long long u;
    if (*s < '0' || *s > '9')
      return xgbc_fail(d, XGBC_ESCHEMA, path, "expected a non-negative integer, found \"%.64s\"",
                       s);
    errno = 0;
    u = strtoull(s, &end, 10);
    if (*end != '\0' || errno != 0 || u > max)
      return xgbc_fail(d, XGBC_ESCHEMA, path, "\"%.64s\" is not an integer in 0..%u", s, max);
    *out = (uint32_t)u;
    return 0;
  }
  if (!cJSON_IsNumber(v))
    return xgbc_fail(d, XGBC_ESCHEMA, path, "expected an integer, found %s",
                     xgbc_doc_type_name(v));
  x = v->valuedouble;
  if (!(x >= 0 && x <= max) || x != floor(x))
    return xgbc_fail(d, XGBC_ESCHEMA, path, "%.17g is not an integer in 0..%u", x, max);
  *out = (uint32_t)x;
  return 0;
}


static int read_uint_member(const cJSON *obj, const char *path, const char *key, uint32_t max,
                            uint32_t *out, struct xgbc_diag *d) {
  char p[256];
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

  if (v == NULL)
    return xgbc_fail(d, XGBC_ESCHEMA, path, "missing field \"%s\"", key);
  return xgbc_doc_uint(v, xgbc_path_key(p, sizeof p, path, key), max, out, d);
}


/* An optional count: *out keeps its value when the member is absent. */
static int read_uint_optional(const cJSON *obj, const char *path, const char *key, uint32_t max,
                              uint32_t *out, struct xgbc_diag *d) {
  if (cJSON_GetObjectItemCaseSensitive(obj, key) == NULL)
    return 0;
  return read_uint_member(obj, path, key, max, out, d);
}


int xgbc_doc_float(const cJSON *v, const char *path, float *out, struct xgbc_diag *d) {
  if (cJSON_IsNumber(v)) {
    /* Exact: the JSON pass wrote the float's own decimal; UBJSON float32 is exact in double. */
    *out = (float)v->valuedouble;
    return 0;
  }
  if (cJSON_IsString(v) && strcmp(v->valuestring, "NaN") == 0) {
    *out = NAN;
    return 0;
  }
  return xgbc_fail(d, XGBC_ESCHEMA, path, "expected a number, found %s", xgbc_doc_type_name(v));
}


/* An integer in [lo, hi], e.g. a category or a child index. */
static int read_int(const cJSON *v, const char *path, double lo, double hi, const char *what,
                    double *out, struct xgbc_diag *d) {
  double x;

  if (!cJSON_IsNumber(v))
    return xgbc_fail(d, XGBC_ESCHEMA, path, "expected %s, found %s", what,
                     xgbc_doc_type_name(v));
  x = v->valuedouble;
  if (!(x >= lo && x <= hi) || x != floor(x))
    return xgbc_fail(d, XGBC_EINVAL, path, "%.17g is not %s", x, what);
  *out = x;
  return 0;
}


/* Member key of obj: an array of exactly n elements. */
static int array_member(const cJSON *obj, const char *path, const char *key, uint32_t n,
                        const cJSON **out, struct xgbc_diag *d) {
  char p[256];
  int err, size;

  if ((err = member(obj, path, key, cJSON_IsArray, "an array", out, d)))
    return err;
  size = cJSON_GetArraySize(*out);
  if ((uint32_t)size != n)
    return xgbc_fail(d, XGBC_EINVAL, xgbc_path_key(p, sizeof p, path, key),
                     "has %d elements, expected %u", size, n);
  return 0;
}


/* One number of a base_score string: s[0..n), all of it. */
static int parse_score(const char *s, size_t n, float *out) {
  char tmp[64], *end;

  while (n > 0 && (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r'))
    s++, n--;
  while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' || s[n - 1] == '\r'))
    n--;
  if (n == 0 || n >= sizeof tmp)
    return -1;
  memcpy(tmp, s, n);
  tmp[n] = '\0';
  errno = 0;
  *out = strtof(tmp, &end);
  return end == tmp || *end != '\0' || errno == ERANGE || !isfinite(*out) ? -1 : 0;
}


int xgbc_doc_base_score(const char *s, const char *path, struct xgbc_model *m,
                        struct xgbc_diag *d) {
  size_t n = strlen(s), i, start;
  float *v;
  uint32_t k = 0;
  int err = 0;

  while (n > 0 && (*s == ' ' || *s == '\t'))
    s++, n--;
  while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
    n--;
  if (n == 0 || !((s[0] == '[' && s[n - 1] == ']') || (s[0] == '(' && s[n - 1] == ')'))) {
    float f;
    if (parse_score(s, n, &f) != 0)
      return xgbc_fail(d, XGBC_ESCHEMA, path, "\"%.64s\" is not a finite number", s);
    return xgbc_model_set_base_scores(m, &f, 1) ? XGBC_ENOMEM : 0;
  }
  /* 3.1+: a JSON array of float32, one per output group. */
  v = malloc((n / 2 + 1) * sizeof *v);
  if (v == NULL)
    return XGBC_ENOMEM;
  for (i = start = 1; i < n && err == 0; i++) {
    if (s[i] != ',' && i != n - 1)
      continue;
    if (parse_score(s + start, i - start, &v[k]) != 0)
      err = xgbc_fail(d, XGBC_ESCHEMA, path, "\"%.64s\" is not a number or a list of finite "
                      "numbers", s);
    else if (++k > MAX_GROUPS)
      err = xgbc_fail(d, XGBC_EUNSUPPORTED, path, "more than %u base scores", MAX_GROUPS);
    start = i + 1;
  }
  if (err == 0)
    err = xgbc_model_set_base_scores(m, v, k) ? XGBC_ENOMEM : 0;
  free(v);
  return err;
}


/* A child index: -1 or a non-negative int32 (range against the tree is validate.c's). */
static int read_child(const cJSON *v, const char *path, const char *key, uint32_t i,
                      int32_t *out, struct xgbc_diag *d) {
  char p[256], q[256];
  double x;
  int err;

  xgbc_path_idx(q, sizeof q, xgbc_path_key(p, sizeof p, path, key), i);
  if ((err = read_int(v, q, -1, INT32_MAX, "a node index or -1", &x, d)))
    return err;
  *out = (int32_t)x;
  return 0;
}


#define NO_CATEGORIES UINT32_MAX /* cat_count of a categorical split not listed (yet) */

/* The categories of a tree's categorical splits (1.6+): categories_nodes[j] is a node whose
 * set is categories[categories_segments[j]..][..categories_sizes[j]]. */
static int read_categories(const cJSON *t, const char *path, struct xgbc_tree *tree,
                           struct xgbc_diag *d) {
  const cJSON *nodes = cJSON_GetObjectItemCaseSensitive(t, "categories_nodes");
  const cJSON *cats, *segs, *sizes, *c, *s, *z, *v;
  char p[256], q[256];
  uint32_t k, j, ncat;
  double x, seg, size;
  int err;

  if (nodes == NULL || (cJSON_IsArray(nodes) && cJSON_GetArraySize(nodes) == 0))
    return 0;
  if (!cJSON_IsArray(nodes))
    return xgbc_fail(d, XGBC_ESCHEMA, xgbc_path_key(p, sizeof p, path, "categories_nodes"),
                     "expected an array, found %s", xgbc_doc_type_name(nodes));
  k = (uint32_t)cJSON_GetArraySize(nodes);
  if ((err = member(t, path, "categories", cJSON_IsArray, "an array", &cats, d)) ||
      (err = array_member(t, path, "categories_segments", k, &segs, d)) ||
      (err = array_member(t, path, "categories_sizes", k, &sizes, d)))
    return err;
  ncat = (uint32_t)cJSON_GetArraySize(cats);
  tree->categories = malloc((ncat ? ncat : 1) * sizeof *tree->categories);
  if (tree->categories == NULL)
    return XGBC_ENOMEM;
  tree->num_categories = ncat;
  j = 0;
  xgbc_path_key(p, sizeof p, path, "categories");
  cJSON_ArrayForEach(v, cats) {
    if ((err = read_int(v, xgbc_path_idx(q, sizeof q, p, j), INT32_MIN, INT32_MAX,
                        "a category (an int32)", &x, d)))
      return err;
    tree->categories[j++] = (int32_t)x;
  }
  for (j = 0, c = nodes->child, s = segs->child, z = sizes->child; j < k;
       j++, c = c->next, s = s->next, z = z->next) {
    if ((err = read_int(c, xgbc_path_idx(q, sizeof q, xgbc_path_key(p, sizeof p, path,
                                                                      "categories_nodes"), j),
                        0, (double)tree->num_nodes - 1, "a node of this tree", &x, d)))
      return err;
    if (!tree->nodes[(uint32_t)x].categorical)
      return xgbc_fail(d, XGBC_EINVAL, q, "node %u has categories but its split_type is not 1",
                       (uint32_t)x);
    if ((err = read_int(s, xgbc_path_idx(q, sizeof q, xgbc_path_key(p, sizeof p, path,
                                                                      "categories_segments"), j),
                        0, ncat, "an offset into categories", &seg, d)) ||
        (err = read_int(z, xgbc_path_idx(q, sizeof q, xgbc_path_key(p, sizeof p, path,
                                                                      "categories_sizes"), j),
                        0, ncat - seg, "a count within categories", &size, d)))
      return err;
    tree->nodes[(uint32_t)x].cat_begin = (uint32_t)seg;
    tree->nodes[(uint32_t)x].cat_count = (uint32_t)size;
  }
  return 0;
}


static int read_tree(const cJSON *t, const char *path, struct xgbc_tree *tree,
                     struct xgbc_diag *d) {
  const cJSON *param, *left, *right, *feat, *cond, *dleft, *stype;
  char p[256], q[256];
  uint32_t n = 0, leafvec = 0, i;
  int err;

  if (!cJSON_IsObject(t))
    return xgbc_fail(d, XGBC_ESCHEMA, path, "expected a tree object, found %s",
                     xgbc_doc_type_name(t));
  if ((err = member(t, path, "tree_param", cJSON_IsObject, "an object", &param, d)))
    return err;
  xgbc_path_key(p, sizeof p, path, "tree_param");
  if ((err = read_uint_member(param, p, "num_nodes", INT32_MAX, &n, d)) ||
      (err = read_uint_optional(param, p, "size_leaf_vector", UINT32_MAX, &leafvec, d)))
    return err;
  if (n == 0)
    return xgbc_fail(d, XGBC_EINVAL, xgbc_path_key(q, sizeof q, p, "num_nodes"),
                     "a tree needs at least one node");
  if (leafvec > 1 || cJSON_GetObjectItemCaseSensitive(t, "leaf_weights") != NULL)
    return xgbc_fail(d, XGBC_EUNSUPPORTED, leafvec > 1 ? xgbc_path_key(q, sizeof q, p,
                                                                       "size_leaf_vector") : path,
                     "vector-leaf (multi-target) trees are not supported: XGBoost 1.7, the "
                     "oracle xgbc is tested against, cannot check them; train with "
                     "multi_strategy=\"one_output_per_tree\"");
  if ((err = array_member(t, path, "left_children", n, &left, d)) ||
      (err = array_member(t, path, "right_children", n, &right, d)) ||
      (err = array_member(t, path, "split_indices", n, &feat, d)) ||
      (err = array_member(t, path, "split_conditions", n, &cond, d)) ||
      (err = array_member(t, path, "default_left", n, &dleft, d)))
    return err;
  stype = cJSON_GetObjectItemCaseSensitive(t, "split_type");
  if (stype != NULL && (err = array_member(t, path, "split_type", n, &stype, d)))
    return err;

  tree->nodes = calloc(n, sizeof *tree->nodes);
  if (tree->nodes == NULL)
    return xgbc_fail(d, XGBC_ENOMEM, path, "out of memory for %u nodes", n);
  tree->num_nodes = n;

  /* Walk the arrays side by side; cJSON arrays are lists, so never index them. */
  {
    const cJSON *l = left->child, *r = right->child, *f = feat->child, *c = cond->child;
    const cJSON *dl = dleft->child, *st = stype ? stype->child : NULL;
    for (i = 0; i < n; i++) {
      struct xgbc_node *nd = &tree->nodes[i];

      if ((err = read_child(l, path, "left_children", i, &nd->left, d)) ||
          (err = read_child(r, path, "right_children", i, &nd->right, d)))
        return err;
      if ((err = xgbc_doc_uint(f, xgbc_path_idx(q, sizeof q, xgbc_path_key(p, sizeof p, path,
                                                                           "split_indices"), i),
                               UINT32_MAX, &nd->feature, d)))
        return err;
      if ((err = xgbc_doc_float(c, xgbc_path_idx(q, sizeof q, xgbc_path_key(p, sizeof p, path,
                                                                            "split_conditions"),
                                                 i), &nd->value, d)))
        return err;
      /* ints in 1.6+, booleans in <= 1.5 */
      if (cJSON_IsBool(dl)) {
        nd->default_left = cJSON_IsTrue(dl) ? 1 : 0;
      } else if (cJSON_IsNumber(dl) && (dl->valuedouble == 0 || dl->valuedouble == 1)) {
        nd->default_left = dl->valuedouble == 1;
      } else {
        return xgbc_fail(d, XGBC_ESCHEMA,
                         xgbc_path_idx(q, sizeof q, xgbc_path_key(p, sizeof p, path,
                                                                  "default_left"), i),
                         "expected 0, 1, true or false, found %s", xgbc_doc_type_name(dl));
      }
      if (st != NULL) {
        if (!cJSON_IsNumber(st) || (st->valuedouble != 0 && st->valuedouble != 1))
          return xgbc_fail(d, XGBC_ESCHEMA,
                           xgbc_path_idx(q, sizeof q, xgbc_path_key(p, sizeof p, path,
                                                                    "split_type"), i),
                           "expected 0 (numeric) or 1 (categorical), found %s",
                           cJSON_IsNumber(st) ? "another number" : xgbc_doc_type_name(st));
        nd->categorical = st->valuedouble == 1 && nd->left != XGBC_NO_CHILD;
        nd->cat_count = nd->categorical ? NO_CATEGORIES : 0; /* until read_categories */
        st = st->next;
      }
      l = l->next, r = r->next, f = f->next, c = c->next, dl = dl->next;
    }
  }
  if ((err = read_categories(t, path, tree, d)))
    return err;
  /* Every categorical split needs its set: XGBoost lists each in categories_nodes. */
  for (i = 0; i < n; i++)
    if (tree->nodes[i].categorical && tree->nodes[i].cat_count == NO_CATEGORIES)
      return xgbc_fail(d, XGBC_EINVAL, xgbc_path_idx(q, sizeof q, xgbc_path_key(p, sizeof p, path,
                                                                                "split_type"), i),
                       "node %u is a categorical split, but categories_nodes does not list it",
                       i);
  return 0;
}


/* 2.x: trees per boosting round; check it adds up rather than trust it. */
static int check_indptr(const cJSON *model, const char *path, uint32_t n, struct xgbc_diag *d) {
  const cJSON *indptr = cJSON_GetObjectItemCaseSensitive(model, "iteration_indptr"), *v;
  char q[256], r[256];
  uint32_t prev = 0, x = 0, i = 0;
  int err;

  if (indptr == NULL)
    return 0;
  xgbc_path_key(q, sizeof q, path, "iteration_indptr");
  if (!cJSON_IsArray(indptr))
    return xgbc_fail(d, XGBC_ESCHEMA, q, "expected an array, found %s",
                     xgbc_doc_type_name(indptr));
  cJSON_ArrayForEach(v, indptr) {
    if ((err = xgbc_doc_uint(v, xgbc_path_idx(r, sizeof r, q, i), INT32_MAX, &x, d)))
      return err;
    if (x < prev || (i == 0 && x != 0))
      return xgbc_fail(d, XGBC_EINVAL, r, "iteration offsets must start at 0 and grow");
    prev = x;
    i++;
  }
  if (i > 0 && x != n)
    return xgbc_fail(d, XGBC_EINVAL, q, "ends at %u but the model has %u trees", x, n);
  return 0;
}


/* gbtree's "model" object: trees, their groups and counts. weights: DART's, or NULL. */
static int read_gbtree_model(const cJSON *model, const char *path, const cJSON *weights,
                             const char *wpath, struct xgbc_model *m, struct xgbc_diag *d) {
  const cJSON *param, *info, *trees;
  char p[256], q[256];
  uint32_t n = 0, leafvec = 0, i;
  int err;

  if ((err = member(model, path, "gbtree_model_param", cJSON_IsObject, "an object", &param, d)))
    return err;
  xgbc_path_key(p, sizeof p, path, "gbtree_model_param");
  if ((err = read_uint_member(param, p, "num_trees", INT32_MAX, &n, d)) ||
      (err = read_uint_optional(param, p, "size_leaf_vector", UINT32_MAX, &leafvec, d)))
    return err;
  if (leafvec > 1)
    return xgbc_fail(d, XGBC_EUNSUPPORTED, xgbc_path_key(q, sizeof q, p, "size_leaf_vector"),
                     "vector-leaf (multi-target) trees are not supported: XGBoost 1.7, the "
                     "oracle xgbc is tested against, cannot check them; train with "
                     "multi_strategy=\"one_output_per_tree\"");
  if ((err = member(model, path, "trees", cJSON_IsArray, "an array", &trees, d)))
    return err;
  if ((uint32_t)cJSON_GetArraySize(trees) != n)
    return xgbc_fail(d, XGBC_EINVAL, xgbc_path_key(q, sizeof q, path, "trees"),
                     "holds %d trees but gbtree_model_param.num_trees is %u",
                     cJSON_GetArraySize(trees), n);
  if ((err = array_member(model, path, "tree_info", n, &info, d)))
    return err;
  if (weights != NULL && (uint32_t)cJSON_GetArraySize(weights) != n)
    return xgbc_fail(d, XGBC_EINVAL, wpath, "holds %d weights for %u trees",
                     cJSON_GetArraySize(weights), n);
  if ((err = check_indptr(model, path, n, d)))
    return err;

  xgbc_path_key(m->trees_where, sizeof m->trees_where, path, "trees");
  m->num_trees = n;
  m->trees = calloc(n ? n : 1, sizeof *m->trees);
  if (m->trees == NULL)
    return xgbc_fail(d, XGBC_ENOMEM, path, "out of memory for %u trees", n);
  {
    const cJSON *t = trees->child, *g = info->child, *w = weights ? weights->child : NULL;
    for (i = 0; i < n; i++, t = t->next, g = g->next) {
      struct xgbc_tree *tree = &m->trees[i];
      xgbc_path_idx(q, sizeof q, xgbc_path_key(p, sizeof p, path, "tree_info"), i);
      if ((err = xgbc_doc_uint(g, q, INT32_MAX, &tree->group, d)))
        return err;
      tree->weight = 1.0f;
      if (w != NULL) {
        if ((err = xgbc_doc_float(w, xgbc_path_idx(q, sizeof q, wpath, i), &tree->weight, d)))
          return err;
        if (!isfinite(tree->weight))
          return xgbc_fail(d, XGBC_EINVAL, q, "a tree weight must be finite");
        w = w->next;
      }
      xgbc_path_idx(q, sizeof q, xgbc_path_key(p, sizeof p, path, "trees"), i);
      if ((err = read_tree(t, q, tree, d)))
        return err;
    }
  }
  m->weighted = weights != NULL;
  return 0;
}


/* gblinear's "model": weights, num_feature rows of num_groups, then the bias row. */
static int read_gblinear_model(const cJSON *model, const char *path, struct xgbc_model *m,
                               struct xgbc_diag *d) {
  const cJSON *w, *v;
  char p[256], q[256];
  uint64_t want = ((uint64_t)m->num_features + 1) * m->num_groups;
  uint32_t i = 0;
  int err;

  if ((err = member(model, path, "weights", cJSON_IsArray, "an array", &w, d)))
    return err;
  xgbc_path_key(p, sizeof p, path, "weights");
  if ((uint64_t)cJSON_GetArraySize(w) != want)
    return xgbc_fail(d, XGBC_EINVAL, p, "holds %d weights, but (num_feature + 1) x %u output%s "
                     "is %llu", cJSON_GetArraySize(w), m->num_groups,
                     m->num_groups == 1 ? "" : "s", (unsigned long long)want);
  m->linear_weights = malloc((size_t)want * sizeof *m->linear_weights);
  if (m->linear_weights == NULL)
    return xgbc_fail(d, XGBC_ENOMEM, p, "out of memory for %llu weights",
                     (unsigned long long)want);
  m->num_linear_weights = (uint32_t)want;
  cJSON_ArrayForEach(v, w) {
    if ((err = xgbc_doc_float(v, xgbc_path_idx(q, sizeof q, p, i), &m->linear_weights[i], d)))
      return err;
    i++;
  }
  m->linear = 1;
  xgbc_path_key(m->trees_where, sizeof m->trees_where, path, "weights");
  return 0;
}


/* feature_names or feature_types: an optional array of num_features strings. */
static int read_feature_strings(const cJSON *learner, const char *key, struct xgbc_model *m,
                                char ***out, struct xgbc_diag *d) {
  const cJSON *names = cJSON_GetObjectItemCaseSensitive(learner, key), *v;
  char p[64], q[256];
  uint32_t i = 0;

  snprintf(p, sizeof p, "learner.%s", key);
  if (names == NULL || (cJSON_IsArray(names) && cJSON_GetArraySize(names) == 0))
    return 0;
  if (!cJSON_IsArray(names))
    return xgbc_fail(d, XGBC_ESCHEMA, p, "expected an array, found %s",
                     xgbc_doc_type_name(names));
  if ((uint32_t)cJSON_GetArraySize(names) != m->num_features)
    return xgbc_fail(d, XGBC_EINVAL, p, "names %d features but num_feature is %u",
                     cJSON_GetArraySize(names), m->num_features);
  *out = calloc(m->num_features, sizeof **out);
  if (*out == NULL)
    return XGBC_ENOMEM;
  cJSON_ArrayForEach(v, names) {
    if (!cJSON_IsString(v))
      return xgbc_fail(d, XGBC_ESCHEMA, xgbc_path_idx(q, sizeof q, p, i),
                       "expected a string, found %s", xgbc_doc_type_name(v));
    if (((*out)[i++] = strdup(v->valuestring)) == NULL)
      return XGBC_ENOMEM;
  }
  return 0;
}


static int read_params(const cJSON *learner, struct xgbc_model *m, struct xgbc_diag *d) {
  const char *where = "learner.learner_model_param";
  const cJSON *param, *base;
  int err;

  if ((err = member(learner, "learner", "learner_model_param", cJSON_IsObject, "an object",
                    &param, d)))
    return err;
  if ((err = read_uint_member(param, where, "num_feature", INT32_MAX, &m->num_features, d)) ||
      (err = read_uint_optional(param, where, "num_class", MAX_GROUPS, &m->num_class, d)) ||
      (err = read_uint_optional(param, where, "num_target", MAX_GROUPS, &m->num_target, d)))
    return err;
  if (m->num_class > 1 && m->num_target > 1)
    return xgbc_fail(d, XGBC_EINVAL, where, "num_class (%u) and num_target (%u) are both above "
                     "1; XGBoost allows one or the other", m->num_class, m->num_target);
  m->num_groups = m->num_class > 1 ? m->num_class : m->num_target > 1 ? m->num_target : 1;
  if ((err = member(param, where, "base_score", cJSON_IsString, "a string", &base, d)))
    return err;
  return xgbc_doc_base_score(base->valuestring, "learner.learner_model_param.base_score", m, d);
}


static int read_learner(const cJSON *learner, struct xgbc_model *m, struct xgbc_diag *d) {
  const cJSON *obj, *name, *gb, *gbname, *model, *weights;
  const char *mpath = "learner.gradient_booster.model", *wpath = NULL;
  int err;

  if ((err = read_params(learner, m, d)))
    return err;
  if ((err = member(learner, "learner", "objective", cJSON_IsObject, "an object", &obj, d)) ||
      (err = member(obj, "learner.objective", "name", cJSON_IsString, "a string", &name, d)))
    return err;
  if ((m->objective = strdup(name->valuestring)) == NULL)
    return XGBC_ENOMEM;
  if ((err = read_feature_strings(learner, "feature_names", m, &m->feature_names, d)) ||
      (err = read_feature_strings(learner, "feature_types", m, &m->feature_types, d)))
    return err;

  if ((err = member(learner, "learner", "gradient_booster", cJSON_IsObject, "an object", &gb, d)) ||
      (err = member(gb, "learner.gradient_booster", "name", cJSON_IsString, "a string", &gbname,
                    d)))
    return err;
  weights = NULL;
  if (strcmp(gbname->valuestring, "gbtree") == 0) {
    /* 3.3+ writes DART as a gbtree that carries the weights itself. */
    weights = cJSON_GetObjectItemCaseSensitive(gb, "weight_drop");
    wpath = "learner.gradient_booster.weight_drop";
    if ((err = member(gb, "learner.gradient_booster", "model", cJSON_IsObject, "an object",
                      &model, d)))
      return err;
  } else if (strcmp(gbname->valuestring, "dart") == 0) {
    const cJSON *inner;
    if ((err = member(gb, "learner.gradient_booster", "gbtree", cJSON_IsObject, "an object",
                      &inner, d)) ||
        (err = member(inner, "learner.gradient_booster.gbtree", "model", cJSON_IsObject,
                      "an object", &model, d)) ||
        (err = member(gb, "learner.gradient_booster", "weight_drop", cJSON_IsArray, "an array",
                      &weights, d)))
      return err;
    mpath = "learner.gradient_booster.gbtree.model";
    wpath = "learner.gradient_booster.weight_drop";
  } else if (strcmp(gbname->valuestring, "gblinear") == 0) {
    if ((err = member(gb, "learner.gradient_booster", "model", cJSON_IsObject, "an object",
                      &model, d)))
      return err;
    snprintf(m->booster, sizeof m->booster, "gblinear");
    return read_gblinear_model(model, mpath, m, d);
  } else {
    return xgbc_fail(d, XGBC_ESCHEMA, "learner.gradient_booster.name",
                     "unknown booster \"%.64s\" (expected gbtree, dart or gblinear)",
                     gbname->valuestring);
  }
  if (weights != NULL && !cJSON_IsArray(weights))
    return xgbc_fail(d, XGBC_ESCHEMA, wpath, "expected an array, found %s",
                     xgbc_doc_type_name(weights));
  snprintf(m->booster, sizeof m->booster, "%s", weights ? "dart" : "gbtree");
  return read_gbtree_model(model, mpath, weights, wpath, m, d);
}


/* "version": [major, minor, patch], when present and sane; informational only. */
static void read_version(const cJSON *root, struct xgbc_model *m) {
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, "version"), *e;
  int part[3], i = 0;

  if (cJSON_GetArraySize(v) != 3)
    return;
  cJSON_ArrayForEach(e, v) {
    if (!cJSON_IsNumber(e) || !(e->valuedouble >= 0 && e->valuedouble <= 100000))
      return;
    part[i++] = (int)e->valuedouble;
  }
  snprintf(m->version, sizeof m->version, "%d.%d.%d", part[0], part[1], part[2]);
}


int xgbc_doc_to_model(const cJSON *root, struct xgbc_model *m, struct xgbc_diag *d) {
  const cJSON *learner;
  int err;

  if (cJSON_IsArray(root))
    return xgbc_fail(d, XGBC_ESCHEMA, "(top level)",
                     "an array where a model object was expected");
  if (!cJSON_IsObject(root))
    return xgbc_fail(d, XGBC_ESCHEMA, "(top level)", "expected an object, found %s",
                     xgbc_doc_type_name(root));
  read_version(root, m);
  if ((err = member(root, "", "learner", cJSON_IsObject, "an object", &learner, d)))
    return err;
  return read_learner(learner, m, d);
}
