/* read_xgb_json.c - reader for XGBoost's save_model JSON, into the IR.
 *
 * The file is parsed with cJSON after one normalising pass over the text, which does two things
 * cJSON cannot:
 *  - XGBoost writes NaN, Infinity and -Infinity unquoted (not strict JSON). They become the
 *    string "NaN" and the numbers 1e999 / -1e999, which the getters below read back as floats.
 *  - cJSON converts every number with strtod to double. A float field read that way and then
 *    narrowed to float is rounded twice, which can differ from XGBoost's direct float parse in
 *    the last bit. So every non-integer number is parsed here with strtof and rewritten as the
 *    17-digit decimal of that float, which strtod reads back exactly.
 * Rewrites shift byte offsets, so the pass keeps a small map to report syntax errors at the
 * line and column of the original file.
 */
#include "read.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

/* A point where normalisation changed the text: norm[k] in the new text is orig[k] in the old. */
struct offset_map {
  size_t *norm, *orig;
  size_t n, cap;
};

struct buf {
  char *p;
  size_t n, cap;
};


static int buf_put(struct buf *b, const char *s, size_t n) {
  if (b->n + n + 1 > b->cap) {
    size_t cap = b->cap ? b->cap : 4096;
    char *p;
    while (b->n + n + 1 > cap)
      cap *= 2;
    p = realloc(b->p, cap);
    if (p == NULL)
      return XGBC_ENOMEM;
    b->p = p;
    b->cap = cap;
  }
  memcpy(b->p + b->n, s, n);
  b->n += n;
  b->p[b->n] = '\0';
  return 0;
}


static int map_add(struct offset_map *m, size_t norm, size_t orig) {
  if (m->n == m->cap) {
    size_t cap = m->cap ? m->cap * 2 : 256;
    size_t *a = realloc(m->norm, cap * sizeof *a), *b;
    if (a == NULL)
      return XGBC_ENOMEM;
    m->norm = a;
    b = realloc(m->orig, cap * sizeof *b);
    if (b == NULL)
      return XGBC_ENOMEM;
    m->orig = b;
    m->cap = cap;
  }
  m->norm[m->n] = norm;
  m->orig[m->n] = orig;
  m->n++;
  return 0;
}


static size_t map_to_orig(const struct offset_map *m, size_t norm) {
  size_t lo = 0, hi = m->n;

  /* Last entry at or before norm; text between entries was copied unchanged. */
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    if (m->norm[mid] <= norm)
      lo = mid + 1;
    else
      hi = mid;
  }
  if (lo == 0)
    return norm;
  return m->orig[lo - 1] + (norm - m->norm[lo - 1]);
}


static int is_number_char(char c) {
  return (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E';
}


/* The rewrite of the number or non-finite token at text[i..], or 0 bytes when it stays. */
static size_t rewrite_token(const char *text, size_t len, size_t i, char *out, size_t outsz,
                            size_t *consumed) {
  static const char *const words[][2] = {
    {"NaN", "\"NaN\""}, {"Infinity", "1e999"}, {"-Infinity", "-1e999"}, {"-NaN", "\"NaN\""},
  };
  char tok[64];
  size_t j, k, n;
  int fractional = 0;
  float f;

  for (k = 0; k < sizeof words / sizeof words[0]; k++) {
    n = strlen(words[k][0]);
    if (len - i >= n && memcmp(text + i, words[k][0], n) == 0) {
      *consumed = n;
      return (size_t)snprintf(out, outsz, "%s", words[k][1]);
    }
  }
  for (j = i; j < len && is_number_char(text[j]); j++)
    if (text[j] == '.' || text[j] == 'e' || text[j] == 'E')
      fractional = 1;
  n = j - i;
  *consumed = n;
  if (!fractional || n == 0 || n >= sizeof tok)
    return 0; /* integers are exact in double; odd tokens are left for cJSON to reject */
  memcpy(tok, text + i, n);
  tok[n] = '\0';
  errno = 0;
  f = strtof(tok, NULL);
  return (size_t)snprintf(out, outsz, "%.17g", (double)f);
}


/* Copy text into b, rewriting numbers and non-finite words outside strings (see the top). */
static int normalise(const char *text, size_t len, struct buf *b, struct offset_map *map) {
  size_t i = 0, start;
  int err;

  while (i < len) {
    char c = text[i];
    if (c == '"') {
      /* Copy a string verbatim, escapes included. */
      start = i++;
      while (i < len && text[i] != '"')
        i += (text[i] == '\\' && i + 1 < len) ? 2 : 1;
      if (i < len)
        i++;
      if ((err = buf_put(b, text + start, i - start)))
        return err;
    } else if (c == '-' || c == 'N' || c == 'I' || (c >= '0' && c <= '9')) {
      char out[64];
      size_t consumed, n = rewrite_token(text, len, i, out, sizeof out, &consumed);
      if (consumed == 0)
        consumed = 1;
      if (n > 0) {
        if ((err = map_add(map, b->n, i)) || (err = buf_put(b, out, n)) ||
            (err = map_add(map, b->n, i + consumed)))
          return err;
      } else if ((err = buf_put(b, text + i, consumed))) {
        return err;
      }
      i += consumed;
    } else {
      start = i;
      while (i < len && text[i] != '"' && text[i] != '-' && text[i] != 'N' && text[i] != 'I' &&
             !(text[i] >= '0' && text[i] <= '9'))
        i++;
      if ((err = buf_put(b, text + start, i - start)))
        return err;
    }
  }
  return buf_put(b, "", 0); /* always NUL-terminated, even when empty */
}


static void line_col(const char *text, size_t len, size_t off, size_t *line, size_t *col) {
  size_t i;

  *line = 1;
  *col = 1;
  for (i = 0; i < off && i < len; i++) {
    if (text[i] == '\n') {
      (*line)++;
      *col = 1;
    } else {
      (*col)++;
    }
  }
}


static const char *type_name(const cJSON *v) {
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


/* A path to show the user: base plus a member name or an index. */
static const char *path_key(char *out, size_t n, const char *base, const char *key) {
  return path_clip(out, n, snprintf(out, n, "%s%s%s", base, *base ? "." : "", key));
}


static const char *path_idx(char *out, size_t n, const char *base, size_t i) {
  return path_clip(out, n, snprintf(out, n, "%s[%zu]", base, i));
}


/* Member key of obj (an object at path), which must exist and satisfy check. */
static int member(const cJSON *obj, const char *path, const char *key,
                  cJSON_bool (*check)(const cJSON *), const char *want, const cJSON **out,
                  struct xgbc_diag *d) {
  char p[256];
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

  path_key(p, sizeof p, path, key);
  if (v == NULL)
    return xgbc_fail(d, XGBC_ESCHEMA, path, "missing field \"%s\"", key);
  if (!check(v))
    return xgbc_fail(d, XGBC_ESCHEMA, p, "expected %s, found %s", want, type_name(v));
  *out = v;
  return 0;
}


/* A count stored as a number or, as XGBoost writes its parameters, a decimal string. */
static int read_uint(const cJSON *v, const char *path, uint32_t max, uint32_t *out,
                     struct xgbc_diag *d) {
  double x;

  if (cJSON_IsString(v)) {
    const char *s = v->valuestring;
    char *end;
    unsigned long long u;
    if (*s < '0' || *s > '9')
      return xgbc_fail(d, XGBC_ESCHEMA, path, "expected a non-negative integer, found \"%s\"", s);
    errno = 0;
    u = strtoull(s, &end, 10);
    if (*end != '\0' || errno != 0 || u > max)
      return xgbc_fail(d, XGBC_ESCHEMA, path, "\"%s\" is not an integer in 0..%u", s, max);
    *out = (uint32_t)u;
    return 0;
  }
  if (!cJSON_IsNumber(v))
    return xgbc_fail(d, XGBC_ESCHEMA, path, "expected an integer, found %s", type_name(v));
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
  return read_uint(v, path_key(p, sizeof p, path, key), max, out, d);
}


/* An optional count: *out keeps its value when the member is absent. */
static int read_uint_optional(const cJSON *obj, const char *path, const char *key, uint32_t max,
                              uint32_t *out, struct xgbc_diag *d) {
  if (cJSON_GetObjectItemCaseSensitive(obj, key) == NULL)
    return 0;
  return read_uint_member(obj, path, key, max, out, d);
}


/* A float field: a number, or the "NaN" that normalise() made of an unquoted NaN. */
static int read_float(const cJSON *v, const char *path, float *out, struct xgbc_diag *d) {
  if (cJSON_IsNumber(v)) {
    *out = (float)v->valuedouble; /* exact: normalise() wrote the float's own decimal */
    return 0;
  }
  if (cJSON_IsString(v) && strcmp(v->valuestring, "NaN") == 0) {
    *out = NAN;
    return 0;
  }
  return xgbc_fail(d, XGBC_ESCHEMA, path, "expected a number, found %s", type_name(v));
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
    return xgbc_fail(d, XGBC_EINVAL, path_key(p, sizeof p, path, key),
                     "has %d elements, expected %u", size, n);
  return 0;
}


/* The three spellings of base_score: "0.5", "5E-1", and the 3.x vector "[5E-1]". */
static int read_base_score(const cJSON *v, const char *path, float *out, struct xgbc_diag *d) {
  char tmp[128], *s, *end;
  size_t n;

  if (cJSON_IsNumber(v))
    return read_float(v, path, out, d);
  if (!cJSON_IsString(v))
    return xgbc_fail(d, XGBC_ESCHEMA, path, "expected a string, found %s", type_name(v));
  n = strlen(v->valuestring);
  if (n == 0 || n >= sizeof tmp)
    return xgbc_fail(d, XGBC_ESCHEMA, path, "\"%s\" is not a number", v->valuestring);
  memcpy(tmp, v->valuestring, n + 1);
  s = tmp;
  if (s[0] == '[') {
    if (s[n - 1] != ']')
      return xgbc_fail(d, XGBC_ESCHEMA, path, "\"%s\" is not a number or [number]", tmp);
    s[n - 1] = '\0';
    s++;
    if (strchr(s, ',') != NULL)
      return xgbc_fail(d, XGBC_EUNSUPPORTED, path,
                       "\"%s\" holds one base_score per target: multi-target models are not "
                       "supported", v->valuestring);
  }
  errno = 0;
  *out = strtof(s, &end);
  if (end == s || *end != '\0' || errno == ERANGE || !isfinite(*out))
    return xgbc_fail(d, XGBC_ESCHEMA, path, "\"%s\" is not a finite number", v->valuestring);
  return 0;
}


/* A child index: -1 or a non-negative int32 (range against the tree is validate.c's). */
static int read_child(const cJSON *v, const char *path, const char *key, uint32_t i,
                      int32_t *out, struct xgbc_diag *d) {
  char p[256], q[256];
  double x;

  path_idx(q, sizeof q, path_key(p, sizeof p, path, key), i);
  if (!cJSON_IsNumber(v))
    return xgbc_fail(d, XGBC_ESCHEMA, q, "expected a node index or -1, found %s", type_name(v));
  x = v->valuedouble;
  if (x != floor(x) || x < -1 || x > INT32_MAX)
    return xgbc_fail(d, XGBC_EINVAL, q, "%.17g is not a node index or -1", x);
  *out = (int32_t)x;
  return 0;
}


static int read_tree(const cJSON *t, const char *path, struct xgbc_tree *tree,
                     struct xgbc_diag *d) {
  const cJSON *param, *left, *right, *feat, *cond, *dleft, *stype, *catn;
  char p[256], q[256];
  uint32_t n = 0, leafvec = 0, i;
  int err;

  if (!cJSON_IsObject(t))
    return xgbc_fail(d, XGBC_ESCHEMA, path, "expected a tree object, found %s", type_name(t));
  if ((err = member(t, path, "tree_param", cJSON_IsObject, "an object", &param, d)))
    return err;
  path_key(p, sizeof p, path, "tree_param");
  if ((err = read_uint_member(param, p, "num_nodes", INT32_MAX, &n, d)) ||
      (err = read_uint_optional(param, p, "size_leaf_vector", UINT32_MAX, &leafvec, d)))
    return err;
  if (n == 0)
    return xgbc_fail(d, XGBC_EINVAL, path_key(q, sizeof q, p, "num_nodes"),
                     "a tree needs at least one node");
  if (leafvec > 1)
    return xgbc_fail(d, XGBC_EUNSUPPORTED, path_key(q, sizeof q, p, "size_leaf_vector"),
                     "vector-leaf (multi-target) trees are not supported");
  if ((err = array_member(t, path, "left_children", n, &left, d)) ||
      (err = array_member(t, path, "right_children", n, &right, d)) ||
      (err = array_member(t, path, "split_indices", n, &feat, d)) ||
      (err = array_member(t, path, "split_conditions", n, &cond, d)) ||
      (err = array_member(t, path, "default_left", n, &dleft, d)))
    return err;
  stype = cJSON_GetObjectItemCaseSensitive(t, "split_type");
  if (stype != NULL && (err = array_member(t, path, "split_type", n, &stype, d)))
    return err;
  catn = cJSON_GetObjectItemCaseSensitive(t, "categories_nodes");
  if (cJSON_GetArraySize(catn) > 0)
    return xgbc_fail(d, XGBC_EUNSUPPORTED, path_key(q, sizeof q, path, "categories_nodes"),
                     "categorical splits are not supported yet");

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
      if ((err = read_uint(f, path_idx(q, sizeof q, path_key(p, sizeof p, path, "split_indices"),
                                        i), UINT32_MAX, &nd->feature, d)))
        return err;
      if ((err = read_float(c, path_idx(q, sizeof q,
                                         path_key(p, sizeof p, path, "split_conditions"), i),
                            &nd->value, d)))
        return err;
      /* ints in 1.6+, booleans in <= 1.5 */
      if (cJSON_IsBool(dl)) {
        nd->default_left = cJSON_IsTrue(dl) ? 1 : 0;
      } else if (cJSON_IsNumber(dl) && (dl->valuedouble == 0 || dl->valuedouble == 1)) {
        nd->default_left = dl->valuedouble == 1;
      } else {
        return xgbc_fail(d, XGBC_ESCHEMA,
                         path_idx(q, sizeof q, path_key(p, sizeof p, path, "default_left"), i),
                         "expected 0, 1, true or false, found %s", type_name(dl));
      }
      if (st != NULL) {
        if (!cJSON_IsNumber(st))
          return xgbc_fail(d, XGBC_ESCHEMA,
                           path_idx(q, sizeof q, path_key(p, sizeof p, path, "split_type"), i),
                           "expected 0 or 1, found %s", type_name(st));
        if (st->valuedouble != 0 && nd->left != XGBC_NO_CHILD)
          return xgbc_fail(d, XGBC_EUNSUPPORTED,
                           path_idx(q, sizeof q, path_key(p, sizeof p, path, "split_type"), i),
                           "categorical splits are not supported yet");
        st = st->next;
      }
      l = l->next, r = r->next, f = f->next, c = c->next, dl = dl->next;
    }
  }
  return 0;
}


/* gbtree's "model" object: trees, their groups and counts. weights: DART's, or NULL. */
static int read_gbtree_model(const cJSON *model, const char *path, const cJSON *weights,
                             const char *wpath, struct xgbc_model *m, struct xgbc_diag *d) {
  const cJSON *param, *info, *trees, *v, *indptr;
  char p[256], q[256];
  uint32_t n = 0, leafvec = 0, i;
  int err;

  if ((err = member(model, path, "gbtree_model_param", cJSON_IsObject, "an object", &param, d)))
    return err;
  path_key(p, sizeof p, path, "gbtree_model_param");
  if ((err = read_uint_member(param, p, "num_trees", INT32_MAX, &n, d)) ||
      (err = read_uint_optional(param, p, "size_leaf_vector", UINT32_MAX, &leafvec, d)))
    return err;
  if (leafvec > 1)
    return xgbc_fail(d, XGBC_EUNSUPPORTED, path_key(q, sizeof q, p, "size_leaf_vector"),
                     "vector-leaf (multi-target) trees are not supported");
  if ((err = member(model, path, "trees", cJSON_IsArray, "an array", &trees, d)))
    return err;
  if ((uint32_t)cJSON_GetArraySize(trees) != n)
    return xgbc_fail(d, XGBC_EINVAL, path_key(q, sizeof q, path, "trees"),
                     "holds %d trees but gbtree_model_param.num_trees is %u",
                     cJSON_GetArraySize(trees), n);
  if ((err = array_member(model, path, "tree_info", n, &info, d)))
    return err;
  if (weights != NULL && (uint32_t)cJSON_GetArraySize(weights) != n)
    return xgbc_fail(d, XGBC_EINVAL, wpath, "holds %d weights for %u trees",
                     cJSON_GetArraySize(weights), n);

  /* 2.x: trees per boosting round; check it adds up rather than trust it. */
  indptr = cJSON_GetObjectItemCaseSensitive(model, "iteration_indptr");
  if (indptr != NULL) {
    uint32_t prev = 0, x = 0;
    path_key(q, sizeof q, path, "iteration_indptr");
    if (!cJSON_IsArray(indptr))
      return xgbc_fail(d, XGBC_ESCHEMA, q, "expected an array, found %s", type_name(indptr));
    i = 0;
    cJSON_ArrayForEach(v, indptr) {
      char r[256];
      if ((err = read_uint(v, path_idx(r, sizeof r, q, i), INT32_MAX, &x, d)))
        return err;
      if (x < prev || (i == 0 && x != 0))
        return xgbc_fail(d, XGBC_EINVAL, r, "iteration offsets must start at 0 and grow");
      prev = x;
      i++;
    }
    if (i > 0 && x != n)
      return xgbc_fail(d, XGBC_EINVAL, q, "ends at %u but the model has %u trees", x, n);
  }

  path_key(m->trees_where, sizeof m->trees_where, path, "trees");
  m->num_trees = n;
  m->trees = calloc(n ? n : 1, sizeof *m->trees);
  if (m->trees == NULL)
    return xgbc_fail(d, XGBC_ENOMEM, path, "out of memory for %u trees", n);
  {
    const cJSON *t = trees->child, *g = info->child, *w = weights ? weights->child : NULL;
    for (i = 0; i < n; i++, t = t->next, g = g->next) {
      struct xgbc_tree *tree = &m->trees[i];
      path_idx(q, sizeof q, path_key(p, sizeof p, path, "tree_info"), i);
      if ((err = read_uint(g, q, INT32_MAX, &tree->group, d)))
        return err;
      tree->weight = 1.0f;
      if (w != NULL) {
        if ((err = read_float(w, path_idx(q, sizeof q, wpath, i), &tree->weight, d)))
          return err;
        if (!isfinite(tree->weight))
          return xgbc_fail(d, XGBC_EINVAL, q, "a tree weight must be finite");
        w = w->next;
      }
      path_idx(q, sizeof q, path_key(p, sizeof p, path, "trees"), i);
      if ((err = read_tree(t, q, tree, d)))
        return err;
    }
  }
  m->weighted = weights != NULL;
  return 0;
}


static int read_feature_names(const cJSON *learner, struct xgbc_model *m, struct xgbc_diag *d) {
  const cJSON *names = cJSON_GetObjectItemCaseSensitive(learner, "feature_names");
  const cJSON *types = cJSON_GetObjectItemCaseSensitive(learner, "feature_types");
  const cJSON *v;
  char q[256];
  uint32_t i = 0;

  if (types != NULL && cJSON_IsArray(types)) {
    cJSON_ArrayForEach(v, types) {
      if (cJSON_IsString(v) && strcmp(v->valuestring, "c") == 0)
        return xgbc_fail(d, XGBC_EUNSUPPORTED, path_idx(q, sizeof q, "learner.feature_types", i),
                         "categorical features are not supported yet");
      i++;
    }
  }
  if (names == NULL || (cJSON_IsArray(names) && cJSON_GetArraySize(names) == 0))
    return 0;
  if (!cJSON_IsArray(names))
    return xgbc_fail(d, XGBC_ESCHEMA, "learner.feature_names", "expected an array, found %s",
                     type_name(names));
  if ((uint32_t)cJSON_GetArraySize(names) != m->num_features)
    return xgbc_fail(d, XGBC_EINVAL, "learner.feature_names",
                     "names %d features but num_feature is %u", cJSON_GetArraySize(names),
                     m->num_features);
  m->feature_names = calloc(m->num_features, sizeof *m->feature_names);
  if (m->feature_names == NULL)
    return XGBC_ENOMEM;
  i = 0;
  cJSON_ArrayForEach(v, names) {
    if (!cJSON_IsString(v))
      return xgbc_fail(d, XGBC_ESCHEMA, path_idx(q, sizeof q, "learner.feature_names", i),
                       "expected a string, found %s", type_name(v));
    if ((m->feature_names[i++] = strdup(v->valuestring)) == NULL)
      return XGBC_ENOMEM;
  }
  return 0;
}


static int read_learner(const cJSON *learner, struct xgbc_model *m, struct xgbc_diag *d) {
  const cJSON *param, *obj, *name, *gb, *gbname, *model, *weights, *base;
  const char *mpath = "learner.gradient_booster.model", *wpath = NULL;
  uint32_t num_target = 1;
  int err;

  if ((err = member(learner, "learner", "learner_model_param", cJSON_IsObject, "an object",
                    &param, d)))
    return err;
  if ((err = read_uint_member(param, "learner.learner_model_param", "num_feature", INT32_MAX,
                              &m->num_features, d)) ||
      (err = read_uint_optional(param, "learner.learner_model_param", "num_class", INT32_MAX,
                                &m->num_class, d)) ||
      (err = read_uint_optional(param, "learner.learner_model_param", "num_target", INT32_MAX,
                                &num_target, d)))
    return err;
  if (num_target > 1)
    return xgbc_fail(d, XGBC_EUNSUPPORTED, "learner.learner_model_param.num_target",
                     "multi-target models (%u targets) are not supported", num_target);
  if ((err = member(param, "learner.learner_model_param", "base_score", cJSON_IsString, "a string",
                    &base, d)) ||
      (err = read_base_score(base, "learner.learner_model_param.base_score", &m->base_score, d)))
    return err;
  m->num_groups = m->num_class > 1 ? m->num_class : 1;

  if ((err = member(learner, "learner", "objective", cJSON_IsObject, "an object", &obj, d)) ||
      (err = member(obj, "learner.objective", "name", cJSON_IsString, "a string", &name, d)))
    return err;
  if ((m->objective = strdup(name->valuestring)) == NULL)
    return XGBC_ENOMEM;

  if ((err = read_feature_names(learner, m, d)))
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
    return xgbc_fail(d, XGBC_EUNSUPPORTED, "learner.gradient_booster.name",
                     "gblinear (linear booster) models are not supported yet");
  } else {
    return xgbc_fail(d, XGBC_ESCHEMA, "learner.gradient_booster.name",
                     "unknown booster \"%s\" (expected gbtree or dart)", gbname->valuestring);
  }
  if (weights != NULL && !cJSON_IsArray(weights))
    return xgbc_fail(d, XGBC_ESCHEMA, wpath, "expected an array, found %s", type_name(weights));
  snprintf(m->booster, sizeof m->booster, "%s", weights ? "dart" : "gbtree");
  return read_gbtree_model(model, mpath, weights, wpath, m, d);
}


/* UBJSON starts like JSON with '{' but is followed by a type marker, not a key in quotes. */
static int looks_binary(const char *text, size_t len) {
  if (memchr(text, '\0', len) != NULL)
    return 1;
  return len >= 2 && text[0] == '{' && strchr("iUIlLdDSHTFZN$#", text[1]) != NULL;
}


int xgbc_read_xgb_json(const char *text, size_t len, struct xgbc_model *m, struct xgbc_diag *d) {
  struct buf b = {0};
  struct offset_map map = {0};
  cJSON *root = NULL;
  const cJSON *learner, *version;
  const char *end = NULL;
  int err;

  memset(m, 0, sizeof *m);
  if (len == 0)
    return xgbc_fail(d, XGBC_ESYNTAX, "line 1, column 1", "the file is empty");
  if (looks_binary(text, len))
    return xgbc_fail(d, XGBC_EUNSUPPORTED, "byte 0",
                     "binary data: UBJSON (.ubj) and legacy binary models are not supported "
                     "yet; save the model with save_model(\"model.json\")");

  if ((err = normalise(text, len, &b, &map)))
    goto fail_nomem;
  /* The length includes the terminating NUL: cJSON checks for it inside the length. */
  root = cJSON_ParseWithLengthOpts(b.p, b.n + 1, &end, 1);
  if (root == NULL) {
    size_t off = end ? map_to_orig(&map, (size_t)(end - b.p)) : 0, line, col;
    char where[64];
    line_col(text, len, off, &line, &col);
    snprintf(where, sizeof where, "line %zu, column %zu", line, col);
    if (off >= len)
      err = xgbc_fail(d, XGBC_ESYNTAX, where, "unexpected end of file: the JSON is truncated");
    else
      err = xgbc_fail(d, XGBC_ESYNTAX, where, "not valid JSON here (near '%.*s')",
                      (int)(len - off < 16 ? len - off : 16), text + off);
    goto out;
  }
  if (cJSON_IsArray(root)) {
    err = xgbc_fail(d, XGBC_EUNSUPPORTED, "(top level)",
                    "a JSON array: this looks like a text dump (get_dump/dump_model), which is "
                    "not supported yet; compile the file written by save_model");
    goto out;
  }
  if (!cJSON_IsObject(root)) {
    err = xgbc_fail(d, XGBC_ESCHEMA, "(top level)", "expected an object, found %s",
                    type_name(root));
    goto out;
  }
  version = cJSON_GetObjectItemCaseSensitive(root, "version");
  if (cJSON_GetArraySize(version) == 3 && cJSON_IsNumber(version->child) &&
      cJSON_IsNumber(version->child->next) && cJSON_IsNumber(version->child->next->next))
    snprintf(m->version, sizeof m->version, "%d.%d.%d", version->child->valueint,
             version->child->next->valueint, version->child->next->next->valueint);
  if ((err = member(root, "", "learner", cJSON_IsObject, "an object", &learner, d)) == 0)
    err = read_learner(learner, m, d);
  goto out;

fail_nomem:
  err = xgbc_fail(d, XGBC_ENOMEM, "", "out of memory");
out:
  cJSON_Delete(root);
  free(b.p);
  free(map.norm);
  free(map.orig);
  if (err)
    xgbc_model_free(m);
  return err;
}
