/* read_xgb_dump.c - reader for XGBoost's JSON text dumps (get_dump(dump_format="json")).
 *
 * A dump is a JSON array of trees, each a nested object per node:
 *   split:  {"nodeid", "depth", "split": "f3" or a feature name, "split_condition": number,
 *            "yes", "no", "missing", ["gain", "cover",] "children": [node, node]}
 *   leaf:   {"nodeid", "leaf": number [, "cover"]}
 * For a numeric split "yes" is the left child (x < split_condition) and "missing" the child a
 * missing value takes; a categorical split prints its categories as split_condition and "yes"
 * is the right child (the one the categories go to). XGBoost prints every float with 9
 * significant digits, which is enough to read back the same float32; the numbers are parsed
 * through the same exact pass as save_model JSON (read_xgb_json.c).
 *
 * A dump has no objective, base score, classes, feature count or DART weights: the caller
 * passes them in `shape` (read_any.c builds it from the command line or a model file). Nodes
 * get IR indices in the order they appear (pre-order); their nodeids are kept as source ids,
 * so the generated comments name the same nodes as the dump. An indicator split (feature type
 * "i", printed without a threshold) is refused; so is any split on a feature whose type is
 * "int", whose threshold the dump prints rounded up to an integer.
 */
#include "read.h"
#include "read_doc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct dump {
  const struct xgbc_model *shape;
  uint32_t *by_name;      /* feature indices sorted by name, when shape has names */
  struct xgbc_tree *tree; /* being filled */
  uint32_t tree_index;
  uint32_t next;          /* next free node index in tree */
  uint32_t cat_used;      /* categories appended to tree->categories so far */
  struct xgbc_diag *d;
};


static const struct xgbc_model *sort_shape; /* qsort has no context argument in C11 */

static int by_name_cmp(const void *a, const void *b) {
  return strcmp(sort_shape->feature_names[*(const uint32_t *)a],
                sort_shape->feature_names[*(const uint32_t *)b]);
}


/* Index of the feature a "split" names: a feature name when the model has names, else (or
 * when no name matches) "fN" or "N" as XGBoost prints unnamed features. -1 when unknown. */
static int64_t feature_index(const struct dump *u, const char *s) {
  const struct xgbc_model *sh = u->shape;
  const char *p = s;
  uint64_t v = 0;

  if (u->by_name != NULL) {
    size_t lo = 0, hi = sh->num_features;
    while (lo < hi) {
      size_t mid = (lo + hi) / 2;
      int c = strcmp(sh->feature_names[u->by_name[mid]], s);
      if (c == 0)
        return u->by_name[mid];
      if (c < 0)
        lo = mid + 1;
      else
        hi = mid;
    }
  }
  if (*p == 'f')
    p++;
  if (*p < '0' || *p > '9' || (p[0] == '0' && p[1] != '\0'))
    return -1;
  for (; *p >= '0' && *p <= '9'; p++)
    if ((v = v * 10 + (uint64_t)(*p - '0')) > INT32_MAX)
      return -1;
  return *p == '\0' ? (int64_t)v : -1;
}


static const cJSON *get(const cJSON *o, const char *key) {
  return cJSON_GetObjectItemCaseSensitive(o, key);
}


/* Count the node objects of one tree, checking the shape: a leaf, or a split with two
 * children. */
static int count_nodes(const cJSON *n, const char *where, uint64_t *count, struct xgbc_diag *d) {
  const cJSON *kids, *k;
  int err;

  if (!cJSON_IsObject(n))
    return xgbc_fail(d, XGBC_ESCHEMA, where, "expected a node object, found %s",
                     xgbc_doc_type_name(n));
  if (++*count > INT32_MAX)
    return xgbc_fail(d, XGBC_EUNSUPPORTED, where, "more than %d nodes in one tree", INT32_MAX);
  kids = get(n, "children");
  if (get(n, "leaf") != NULL) {
    if (kids != NULL)
      return xgbc_fail(d, XGBC_ESCHEMA, where, "a node with both \"leaf\" and \"children\"");
    return 0;
  }
  if (kids == NULL)
    return xgbc_fail(d, XGBC_ESCHEMA, where, "a node with neither \"leaf\" nor \"children\"");
  if (!cJSON_IsArray(kids) || cJSON_GetArraySize(kids) != 2)
    return xgbc_fail(d, XGBC_ESCHEMA, where, "\"children\" must be an array of two nodes, found "
                     "%s", cJSON_IsArray(kids) ? "another number of elements"
                                               : xgbc_doc_type_name(kids));
  cJSON_ArrayForEach(k, kids)
    if ((err = count_nodes(k, where, count, d)))
      return err;
  return 0;
}


static int uint_member(const struct dump *u, const cJSON *n, const char *key, const char *where,
                       uint32_t *out) {
  const cJSON *v = get(n, key);
  char p[256];

  if (v == NULL)
    return xgbc_fail(u->d, XGBC_ESCHEMA, where, "missing field \"%s\"", key);
  return xgbc_doc_uint(v, xgbc_path_key(p, sizeof p, where, key), INT32_MAX, out, u->d);
}


/* The categories of a categorical split, appended to the tree's list. */
static int read_categories(struct dump *u, const cJSON *list, const char *where,
                           struct xgbc_node *nd) {
  struct xgbc_tree *t = u->tree;
  uint32_t n = (uint32_t)cJSON_GetArraySize(list), need = u->cat_used + n;
  const cJSON *v;

  if (need > t->num_categories) {
    uint32_t cap = need > 2 * t->num_categories ? need : 2 * t->num_categories;
    int32_t *c = realloc(t->categories, (size_t)cap * sizeof *c);
    if (c == NULL)
      return XGBC_ENOMEM;
    t->categories = c;
    t->num_categories = cap;
  }
  nd->cat_begin = u->cat_used;
  nd->cat_count = n;
  cJSON_ArrayForEach(v, list) {
    if (!cJSON_IsNumber(v) || v->valuedouble < 0 || v->valuedouble > INT32_MAX ||
        v->valuedouble != (double)(int32_t)v->valuedouble)
      return xgbc_fail(u->d, XGBC_ESCHEMA, where, "split_condition of a categorical split must "
                       "list categories (non-negative integers)");
    t->categories[u->cat_used++] = (int32_t)v->valuedouble;
  }
  return 0;
}


/* Fill node self (and, recursively, its children) from dump object n. */
static int read_node(struct dump *u, const cJSON *n, uint32_t self) {
  struct xgbc_node *nd = &u->tree->nodes[self];
  const struct xgbc_model *sh = u->shape;
  const cJSON *leaf = get(n, "leaf"), *split, *cond, *kid[2];
  uint32_t id, yes, no, missing, kid_id[2], i;
  char where[96];
  int64_t f;
  int err, k;

  snprintf(where, sizeof where, "[%u] node", u->tree_index);
  if ((err = uint_member(u, n, "nodeid", where, &id)))
    return err;
  u->tree->source_ids[self] = id;
  snprintf(where, sizeof where, "[%u] nodeid %u", u->tree_index, id);
  if (leaf != NULL) {
    nd->left = nd->right = XGBC_NO_CHILD;
    return xgbc_doc_float(leaf, where, &nd->value, u->d);
  }
  split = get(n, "split");
  cond = get(n, "split_condition");
  if (!cJSON_IsString(split))
    return xgbc_fail(u->d, XGBC_ESCHEMA, where, "\"split\" must name a feature, found %s",
                     xgbc_doc_type_name(split));
  f = feature_index(u, split->valuestring);
  if (f < 0)
    return xgbc_fail(u->d, XGBC_EINVAL, where, "split on \"%.64s\", which is not a feature "
                     "name%s", split->valuestring, sh->feature_names ? " of the model" :
                     ": give --feature-names (or --model-file) to map names to columns");
  nd->feature = (uint32_t)f;
  if (sh->feature_types != NULL && nd->feature < sh->num_features &&
      (strcmp(sh->feature_types[nd->feature], "int") == 0 ||
       strcmp(sh->feature_types[nd->feature], "i") == 0))
    return xgbc_fail(u->d, XGBC_EUNSUPPORTED, where, "feature \"%.64s\" has type \"%s\": the "
                     "dump prints its threshold rounded, which is not exact; compile the "
                     "save_model file instead", split->valuestring,
                     sh->feature_types[nd->feature]);
  if (cond == NULL)
    return xgbc_fail(u->d, XGBC_EUNSUPPORTED, where, "a split without \"split_condition\" (an "
                     "indicator feature, type \"i\"): the dump does not say its threshold; "
                     "compile the save_model file instead");
  if ((err = uint_member(u, n, "yes", where, &yes)) || (err = uint_member(u, n, "no", where, &no)) ||
      (err = uint_member(u, n, "missing", where, &missing)))
    return err;
  if (cJSON_IsArray(cond)) {
    nd->categorical = 1;
    if ((err = read_categories(u, cond, where, nd)))
      return err;
    nd->value = 0.0f;
  } else if ((err = xgbc_doc_float(cond, where, &nd->value, u->d))) {
    return err;
  }
  /* Children: find which object is "yes" and which "no". */
  i = 0;
  {
    const cJSON *c;
    cJSON_ArrayForEach(c, get(n, "children")) {
      kid[i] = c;
      if ((err = uint_member(u, c, "nodeid", where, &kid_id[i])))
        return err;
      i++;
    }
  }
  if (yes == no || !((kid_id[0] == yes && kid_id[1] == no) || (kid_id[0] == no &&
                                                                 kid_id[1] == yes)))
    return xgbc_fail(u->d, XGBC_EINVAL, where, "\"yes\" (%u) and \"no\" (%u) do not name its "
                     "two children (%u and %u)", yes, no, kid_id[0], kid_id[1]);
  if (missing != yes && missing != no)
    return xgbc_fail(u->d, XGBC_EINVAL, where, "\"missing\" (%u) is neither \"yes\" (%u) nor "
                     "\"no\" (%u)", missing, yes, no);
  {
    /* Numeric: yes = left (x < threshold). Categorical: yes = right (in the set). */
    uint32_t left_id = nd->categorical ? no : yes;
    int left_k = kid_id[0] == left_id ? 0 : 1;
    nd->default_left = missing == left_id;
    nd->left = (int32_t)u->next;
    nd->right = (int32_t)u->next + 1;
    u->next += 2;
    for (k = 0; k < 2; k++)
      if ((err = read_node(u, kid[k == 0 ? left_k : 1 - left_k], (uint32_t)(k == 0 ? nd->left
                                                                              : nd->right))))
        return err;
  }
  return 0;
}


static int read_tree(struct dump *u, const cJSON *t, uint32_t index) {
  struct xgbc_tree *tree = u->tree;
  uint64_t n = 0;
  char where[48];
  int err;

  snprintf(where, sizeof where, "[%u]", index);
  if ((err = count_nodes(t, where, &n, u->d)))
    return err;
  tree->nodes = calloc((size_t)n, sizeof *tree->nodes);
  tree->source_ids = calloc((size_t)n, sizeof *tree->source_ids);
  if (tree->nodes == NULL || tree->source_ids == NULL)
    return xgbc_fail(u->d, XGBC_ENOMEM, where, "out of memory for %llu nodes",
                     (unsigned long long)n);
  tree->num_nodes = (uint32_t)n;
  u->tree_index = index;
  u->next = 1;
  u->cat_used = 0;
  if ((err = read_node(u, t, 0)))
    return err;
  tree->num_categories = u->cat_used;
  return 0;
}


static char **copy_strings(char **v, uint32_t n) {
  char **c;
  uint32_t i;

  if (v == NULL)
    return NULL;
  if ((c = calloc(n ? n : 1, sizeof *c)) == NULL)
    return NULL;
  for (i = 0; i < n; i++)
    if ((c[i] = strdup(v[i])) == NULL)
      return c; /* caller sees the NULL entry through copy_ok */
  return c;
}


static int copy_ok(char **c, char **v, uint32_t n) {
  uint32_t i;

  if (v == NULL)
    return 1;
  if (c == NULL)
    return 0;
  for (i = 0; i < n; i++)
    if (c[i] == NULL)
      return 0;
  return 1;
}


/* m gets everything of shape but the trees. */
static int copy_shape(const struct xgbc_model *sh, struct xgbc_model *m) {
  m->objective = strdup(sh->objective);
  m->num_features = sh->num_features;
  m->num_class = sh->num_class;
  m->num_target = sh->num_target;
  m->num_groups = sh->num_groups;
  m->weighted = sh->weighted;
  m->feature_names = copy_strings(sh->feature_names, sh->num_features);
  m->feature_types = copy_strings(sh->feature_types, sh->num_features);
  snprintf(m->booster, sizeof m->booster, "%s", sh->booster[0] ? sh->booster : "gbtree");
  snprintf(m->version, sizeof m->version, "%s", sh->version);
  snprintf(m->trees_where, sizeof m->trees_where, "(dump)");
  if (m->objective == NULL || !copy_ok(m->feature_names, sh->feature_names, sh->num_features) ||
      !copy_ok(m->feature_types, sh->feature_types, sh->num_features) ||
      xgbc_model_set_base_scores(m, sh->base_scores, sh->num_base_scores))
    return XGBC_ENOMEM;
  return 0;
}


/* Sort feature indices by name; two features of one name would make the mapping ambiguous. */
static int index_names(struct dump *u) {
  const struct xgbc_model *sh = u->shape;
  uint32_t i;

  if (sh->feature_names == NULL)
    return 0;
  u->by_name = malloc((sh->num_features ? sh->num_features : 1) * sizeof *u->by_name);
  if (u->by_name == NULL)
    return XGBC_ENOMEM;
  for (i = 0; i < sh->num_features; i++)
    u->by_name[i] = i;
  sort_shape = sh;
  qsort(u->by_name, sh->num_features, sizeof *u->by_name, by_name_cmp);
  for (i = 1; i < sh->num_features; i++)
    if (strcmp(sh->feature_names[u->by_name[i]], sh->feature_names[u->by_name[i - 1]]) == 0)
      return xgbc_fail(u->d, XGBC_EINVAL, "feature names", "\"%.64s\" names two features, so "
                       "the dump's splits cannot be mapped to columns",
                       sh->feature_names[u->by_name[i]]);
  return 0;
}


int xgbc_read_xgb_dump(const char *text, size_t len, const struct xgbc_model *shape,
                       uint32_t num_parallel_tree, struct xgbc_model *m, struct xgbc_diag *d) {
  struct dump u = {shape, NULL, NULL, 0, 0, 0, d};
  cJSON *root = NULL;
  const cJSON *t;
  uint32_t n, i = 0, groups = shape->num_groups ? shape->num_groups : 1;
  int err;

  memset(m, 0, sizeof *m);
  if (num_parallel_tree == 0)
    num_parallel_tree = 1;
  if ((err = xgbc_json_parse(text, len, &root, d)))
    return err;
  if (!cJSON_IsArray(root)) {
    err = xgbc_fail(d, XGBC_ESCHEMA, "(top level)", "expected the JSON array of a dump, found %s",
                    xgbc_doc_type_name(root));
    goto out;
  }
  n = (uint32_t)cJSON_GetArraySize(root);
  if (n == 0) {
    err = xgbc_fail(d, XGBC_EINVAL, "(top level)", "the dump holds no trees");
    goto out;
  }
  if (shape->trees != NULL && n != shape->num_trees) {
    err = xgbc_fail(d, XGBC_EINVAL, "(top level)", "the dump holds %u trees but the model file "
                    "has %u: they are not the same model", n, shape->num_trees);
    goto out;
  }
  if ((err = copy_shape(shape, m)) || (err = index_names(&u)))
    goto out;
  m->trees = calloc(n, sizeof *m->trees);
  if (m->trees == NULL) {
    err = XGBC_ENOMEM;
    goto out;
  }
  m->num_trees = n;
  cJSON_ArrayForEach(t, root) {
    struct xgbc_tree *tree = &m->trees[i];
    if (shape->trees != NULL) {
      tree->group = shape->trees[i].group;
      tree->weight = shape->trees[i].weight;
    } else {
      /* XGBoost's layout: per round, per group, num_parallel_tree trees. */
      tree->group = (i / num_parallel_tree) % groups;
      tree->weight = 1.0f;
    }
    u.tree = tree;
    if ((err = read_tree(&u, t, i)))
      goto out;
    i++;
  }
out:
  cJSON_Delete(root);
  free(u.by_name);
  if (err == XGBC_ENOMEM && d->why[0] == '\0')
    err = xgbc_fail(d, XGBC_ENOMEM, "", "out of memory");
  if (err)
    xgbc_model_free(m);
  return err;
}
